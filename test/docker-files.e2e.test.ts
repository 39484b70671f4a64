/**
 * Black-box: what can be checked of the deployment files without running a container — the image's
 * start command and environment start the real gateway on the config the image ships; the compose file
 * validates against the Compose Specification's JSON schema (vendored in test/fixtures/schemas/
 * compose-spec.json, from the npm package dclint 3.1.0, which ships the compose-spec project's schema)
 * and gives every replica settings the gateway accepts, a stop grace period longer than its drain and a
 * seed config that validates; Prometheus's config passes `promtool check config` and scrapes every
 * replica's metrics listener; Grafana's provisioning points at the compose Prometheus and loads the
 * dashboard from where compose mounts it. The containers themselves run in compose.e2e.test.ts.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Ajv } from 'ajv';
import { parse } from 'yaml';
import { loadConfigFile } from '../src/config/load-file.js';
import { parseSettings } from '../src/settings/schema.js';
import { bundledRegistry } from '../src/pipeline/plugin-loader.js';
import { startGatewayProcess, type GatewayProcess } from './helpers/gateway-process.js';

interface DockerFacts {
  env: Record<string, string>;
  entrypoint: string[];
  cmd: string[];
  copies: Array<[string, string]>;
}

/** Reads ENV, ENTRYPOINT, CMD and COPY of the final stage. */
function dockerFacts(text: string): DockerFacts {
  const finalStage = text.slice(text.lastIndexOf('\nFROM '));
  const instructions = finalStage.replace(/\\\n\s*/g, ' ').split('\n');
  const facts: DockerFacts = { env: {}, entrypoint: [], cmd: [], copies: [] };
  for (const line of instructions) {
    const [keyword, ...rest] = line.trim().split(/\s+/);
    const args = rest.join(' ');
    if (keyword === 'ENV') for (const [, k, v] of args.matchAll(/(\w+)=(\S+)/g)) facts.env[k!] = v!;
    if (keyword === 'ENTRYPOINT') facts.entrypoint = JSON.parse(args) as string[];
    if (keyword === 'CMD') facts.cmd = JSON.parse(args) as string[];
    if (keyword === 'COPY' && !args.startsWith('--from')) facts.copies.push(rest as [string, string]);
  }
  return facts;
}

interface ComposeService {
  image?: string;
  command?: string[];
  environment?: Record<string, string>;
  volumes?: string[];
  ports?: string[];
  stop_grace_period?: string;
}

interface Compose {
  services: Record<string, ComposeService>;
}

/** `${VAR:-default}` as compose interpolates it with VAR unset. */
const withDefaults = (text: string) => text.replace(/\$\{[A-Z0-9_]+:-([^}]*)\}/g, '$1');

/** Compose durations as the stop grace period uses them: 1m30s, 25s, 500ms. */
function durationMs(text: string): number {
  let total = 0;
  for (const [, amount, unit] of text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)) total += Number(amount) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[unit as 'ms']!;
  return total;
}

/** The file a bind mount `./host:/container[:ro]` of `service` puts at `target`, relative to the checkout. */
function mountedFrom(service: ComposeService, target: string): string | undefined {
  return service.volumes?.map((volume) => volume.split(':')).find(([, to]) => to === target)?.[0];
}

describe('Docker image and compose files', () => {
  let facts: DockerFacts;
  let composeText: string;
  let compose: Compose;
  let replicas: Array<[string, ComposeService]>;
  let gateway: GatewayProcess;

  before(async () => {
    facts = dockerFacts(await readFile('Dockerfile', 'utf8'));
    composeText = await readFile('docker-compose.yml', 'utf8');
    // Compose applies `<<:` merge keys, as YAML 1.1 did.
    compose = parse(withDefaults(composeText), { merge: true }) as Compose;
    replicas = Object.entries(compose.services).filter(([, service]) => service.command?.[0] === 'start');
    const shippedConfig = facts.copies.find(([, target]) => target === facts.env.GATEHOUSE_CONFIG)?.[0];
    assert.ok(shippedConfig, 'the image ships a config at GATEHOUSE_CONFIG');
    // The image's settings, with the file paths and ports mapped onto this checkout.
    const settings = Object.fromEntries(
      Object.entries(facts.env)
        .filter(([key]) => key.startsWith('GATEHOUSE_') && !key.endsWith('_LISTEN'))
        .map(([key, value]) => [key.slice('GATEHOUSE_'.length), value]),
    );
    // No drain delay: nothing routes to this gateway, so its stop need not wait.
    gateway = await startGatewayProcess({ ...settings, CONFIG: shippedConfig, SNAPSHOT: '.gatehouse/docker-test-snapshot.json', DRAIN_DELAY_MS: '0' });
  });
  after(async () => gateway?.stop());

  it('runs `gatehouse start` from the package bin', async () => {
    const pkg = JSON.parse(await readFile('package.json', 'utf8')) as { bin: Record<string, string> };
    assert.deepEqual(facts.cmd, ['start']);
    assert.equal(facts.entrypoint.at(-1), `/app/${pkg.bin.gatehouse}`);
  });

  it('starts on the shipped config, ready for its health check', async () => {
    const ready = await fetch(`${gateway.adminUrl}/status/ready`);
    assert.equal(ready.status, 200);
    const res = await fetch(`${gateway.proxyUrl}/nothing-here`);
    assert.equal(res.status, 404);
    assert.equal(((await res.json()) as { error: string }).error, 'no_route');
  });

  it('validates docker-compose.yml against the Compose Specification schema', async () => {
    const { $schema, ...schema } = JSON.parse(await readFile('test/fixtures/schemas/compose-spec.json', 'utf8')) as { $schema: string };
    // Draft 7 (ajv's default) under a spelling of its URI ajv does not know; strict mode would refuse
    // the schema's annotations of its own, not the file.
    assert.match($schema, /draft-07/);
    const validate = new Ajv({ strict: false, allErrors: true }).compile(schema);
    // Merge keys resolved, as compose does before it validates; ${...} left as written.
    const document = parse(composeText, { merge: true }) as unknown;
    assert.ok(validate(document), JSON.stringify(validate.errors, null, 2));
    // The same validator refuses what compose would: an unknown service field.
    assert.equal(validate({ services: { web: { image: 'x', restart_policy: 'always' } } }), false);
  });

  it('gives every replica settings the gateway accepts, a seed config that validates and a grace period longer than its drain', async () => {
    assert.ok(replicas.length >= 2, 'two gateway replicas');
    for (const [name, service] of replicas) {
      const env = { ...facts.env, ...service.environment };
      const result = parseSettings(env);
      assert.ok(result.ok, `${name}: ${result.ok ? '' : result.errors.join('; ')}`);
      assert.ok(result.settings.REDIS_URL?.startsWith('redis://redis:'), `${name} shares the redis service`);
      const drainMs = Number(env.GATEHOUSE_DRAIN_DELAY_MS) + Number(env.GATEHOUSE_DRAIN_TIMEOUT_MS);
      assert.ok(Number.isFinite(drainMs), `${name} sets GATEHOUSE_DRAIN_DELAY_MS and GATEHOUSE_DRAIN_TIMEOUT_MS`);
      assert.ok(durationMs(service.stop_grace_period ?? '10s') > drainMs, `${name}: stop_grace_period outlasts the drain (${drainMs} ms)`);
      const seed = mountedFrom(service, result.settings.CONFIG);
      assert.ok(seed, `${name} mounts its seed config at ${result.settings.CONFIG}`);
      const loaded = await loadConfigFile(seed, bundledRegistry);
      assert.ok(loaded.ok, `${seed}: ${loaded.ok ? '' : JSON.stringify(loaded.issues)}`);
    }
  });

  it('has a Prometheus config that promtool accepts and that scrapes every replica', async () => {
    const prometheus = compose.services.prometheus!;
    const file = mountedFrom(prometheus, '/etc/prometheus/prometheus.yml');
    assert.ok(file, 'compose mounts a Prometheus config');
    const check = spawnSync('promtool', ['check', 'config', file], { encoding: 'utf8' });
    assert.ok(!check.error, 'promtool was not found on PATH: install Debian\'s prometheus package (apt-get install --no-install-recommends prometheus; .ci/run does this)');
    assert.equal(check.status, 0, `${check.stdout}${check.stderr}`);
    const config = parse(await readFile(file, 'utf8')) as { scrape_configs: Array<{ metrics_path?: string; static_configs: Array<{ targets: string[] }> }> };
    const job = config.scrape_configs.at(0)!;
    const targets = job.static_configs.flatMap((group) => group.targets).sort();
    const listeners = replicas.map(([name, service]) => {
      const result = parseSettings({ ...facts.env, ...service.environment });
      assert.ok(result.ok);
      const listener = result.settings.STATUS_LISTEN ?? result.settings.ADMIN_LISTEN;
      return `${name}:${listener.port}`;
    });
    assert.deepEqual(targets, listeners.sort(), 'one target per replica, on the listener that serves /metrics');
    assert.equal(job.metrics_path ?? '/metrics', '/metrics');
  });

  it("provisions Grafana with the compose Prometheus as data source and the dashboard from compose's mount", async () => {
    const grafana = compose.services.grafana!;
    const provisioning = mountedFrom(grafana, '/etc/grafana/provisioning');
    assert.ok(provisioning, 'compose mounts the provisioning folder');
    const datasources = parse(await readFile(join(provisioning, 'datasources', 'prometheus.yml'), 'utf8')) as { datasources: Array<{ type: string; url: string; isDefault?: boolean }> };
    const source = datasources.datasources.at(0)!;
    assert.equal(source.type, 'prometheus');
    const url = new URL(source.url);
    assert.ok(compose.services[url.hostname], `the data source names the compose service ${url.hostname}`);
    assert.ok(compose.services[url.hostname]!.ports?.some((port) => port.endsWith(`:${url.port}`)), 'on the port Prometheus listens on');

    const providers = parse(await readFile(join(provisioning, 'dashboards', 'gatehouse.yml'), 'utf8')) as { providers: Array<{ type: string; options: { path: string } }> };
    const provider = providers.providers.at(0)!;
    assert.equal(provider.type, 'file');
    const dashboards = mountedFrom(grafana, provider.options.path);
    assert.ok(dashboards, `compose mounts a folder at the provider's path ${provider.options.path}`);
    const files = (await readdir(dashboards)).filter((file) => file.endsWith('.json'));
    assert.deepEqual(files, ['gatehouse.json']);
    const dashboard = JSON.parse(await readFile(join(dashboards, 'gatehouse.json'), 'utf8')) as {
      uid: string;
      panels: Array<{ title: string; datasource: { type: string; uid: string }; targets: Array<{ expr: string }> }>;
      templating: { list: Array<{ name: string; type: string; query: string }> };
    };
    const sourceVariable = dashboard.templating.list.find((variable) => variable.type === 'datasource');
    assert.equal(sourceVariable?.query, 'prometheus', 'the data source variable offers Prometheus sources');
    for (const panel of dashboard.panels) {
      assert.deepEqual(panel.datasource, { type: 'prometheus', uid: `\${${sourceVariable!.name}}` }, `${panel.title} queries the chosen Prometheus`);
      assert.ok(panel.targets.length > 0 && panel.targets.every((target) => target.expr.length > 0), `${panel.title} has queries`);
    }
  });
});
