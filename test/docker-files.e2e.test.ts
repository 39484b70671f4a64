/**
 * Black-box: what can be checked of the Docker image and compose file without a Docker engine — the
 * image's start command and environment start the real gateway on the config the image ships, its
 * health check URL answers, and the compose services' settings pass the settings schema.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { parse } from 'yaml';
import { parseSettings } from '../src/settings/schema.js';
import { startGatewayProcess, type GatewayProcess } from './helpers/gateway-process.js';

interface DockerFacts {
  env: Record<string, string>;
  entrypoint: string[];
  cmd: string[];
  copies: Array<[string, string]>;
  healthUrl: string;
}

/** Reads ENV, ENTRYPOINT, CMD, COPY and HEALTHCHECK of the final stage. */
function dockerFacts(text: string): DockerFacts {
  const finalStage = text.slice(text.lastIndexOf('\nFROM '));
  const instructions = finalStage.replace(/\\\n\s*/g, ' ').split('\n');
  const facts: DockerFacts = { env: {}, entrypoint: [], cmd: [], copies: [], healthUrl: '' };
  for (const line of instructions) {
    const [keyword, ...rest] = line.trim().split(/\s+/);
    const args = rest.join(' ');
    if (keyword === 'ENV') for (const [, k, v] of args.matchAll(/(\w+)=(\S+)/g)) facts.env[k!] = v!;
    if (keyword === 'ENTRYPOINT') facts.entrypoint = JSON.parse(args) as string[];
    if (keyword === 'CMD') facts.cmd = JSON.parse(args) as string[];
    if (keyword === 'COPY' && !args.startsWith('--from')) facts.copies.push(rest as [string, string]);
    if (keyword === 'HEALTHCHECK') facts.healthUrl = /http:\/\/[^'"]+/.exec(args)?.[0] ?? '';
  }
  return facts;
}

describe('Docker image and compose file', () => {
  let facts: DockerFacts;
  let gateway: GatewayProcess;

  before(async () => {
    facts = dockerFacts(await readFile('Dockerfile', 'utf8'));
    const shippedConfig = facts.copies.find(([, target]) => target === facts.env.GATEHOUSE_CONFIG)?.[0];
    assert.ok(shippedConfig, 'the image ships a config at GATEHOUSE_CONFIG');
    // The image's settings, with the file paths and ports mapped onto this checkout.
    const settings = Object.fromEntries(
      Object.entries(facts.env)
        .filter(([key]) => key.startsWith('GATEHOUSE_') && !key.endsWith('_LISTEN'))
        .map(([key, value]) => [key.slice('GATEHOUSE_'.length), value]),
    );
    gateway = await startGatewayProcess({ ...settings, CONFIG: shippedConfig, SNAPSHOT: '.gatehouse/docker-test-snapshot.json' });
  });
  after(async () => gateway?.stop());

  it('runs `gatehouse start` from the package bin', async () => {
    const pkg = JSON.parse(await readFile('package.json', 'utf8')) as { bin: Record<string, string> };
    assert.deepEqual(facts.cmd, ['start']);
    assert.equal(facts.entrypoint.at(-1), `/app/${pkg.bin.gatehouse}`);
  });

  it('starts on the shipped config and answers its health check', async () => {
    assert.equal(new URL(facts.healthUrl).pathname, '/status/ready');
    const ready = await fetch(`${gateway.adminUrl}/status/ready`);
    assert.equal(ready.status, 200);
    const res = await fetch(`${gateway.proxyUrl}/nothing-here`);
    assert.equal(res.status, 404);
    assert.equal(((await res.json()) as { error: string }).error, 'no_route');
  });

  it('gives every compose replica settings the gateway accepts', async () => {
    // Compose applies `<<:` merge keys, as YAML 1.1 did.
    const compose = parse(await readFile('docker-compose.yml', 'utf8'), { merge: true }) as { services: Record<string, { environment?: Record<string, string>; command?: string[] }> };
    const replicas = Object.entries(compose.services).filter(([name]) => name.startsWith('gatehouse'));
    assert.ok(replicas.length >= 2);
    for (const [name, service] of replicas) {
      const result = parseSettings({ ...facts.env, ...service.environment });
      assert.ok(result.ok, `${name}: ${result.ok ? '' : result.errors.join('; ')}`);
      assert.deepEqual(service.command, ['start', '--demo']);
    }
  });
});
