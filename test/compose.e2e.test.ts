/**
 * Black-box: docker-compose.yml brought up with podman-compose (the image built from this checkout;
 * stand-ins for the Redis and Prometheus images made when missing): Redis, the demo upstream, both
 * gateway replicas and Prometheus. Both replicas pass their health checks and serve the demo, a config
 * change made through one is served by the other (they share Redis), Redis keeps the versions across
 * a restart, the replicas run read-only and write their snapshot to their volume, and Prometheus
 * reports both replicas up. Grafana cannot be run here (no Debian package to make a stand-in from):
 * its provisioning is checked as files in docker-files.e2e.test.ts. Published ports are moved to free
 * ones through the compose file's ${...} variables, under a project name of the suite's own.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { parse } from 'yaml';
import { freePort } from '../support/free-port.js';
import { buildImage, containers, GATEHOUSE_IMAGE, podman, waitForHealth } from './helpers/podman.js';
import { waitUntil } from './helpers/cli.js';

const PROJECT = 'gatehouse-test-compose';
const ADMIN_TOKEN = 'a-token-for-the-compose-suite-only';
/** Every service but Grafana, which has no stand-in. */
const SERVICES = ['redis', 'demo-upstream', 'gatehouse-1', 'gatehouse-2', 'prometheus'];
const REPLICAS = ['gatehouse-1', 'gatehouse-2'];
const SETUP_TIMEOUT_MS = 12 * 60_000;

interface Compose {
  services: Record<string, { image?: string; build?: unknown }>;
}

/** Removes everything a run of this project left: containers with their anonymous volumes, named volumes, the network. */
async function removeProject(): Promise<void> {
  const label = `label=io.podman.compose.project=${PROJECT}`;
  const ids = (await podman('ps', '--all', '--quiet', '--filter', label)).stdout.split('\n').filter(Boolean);
  if (ids.length > 0) await podman('rm', '--force', '--volumes', '--time', '0', ...ids);
  const volumes = (await podman('volume', 'ls', '--quiet', '--filter', label)).stdout.split('\n').filter(Boolean);
  if (volumes.length > 0) await podman('volume', 'rm', '--force', ...volumes);
  await containers(['podman', 'network', 'rm', '--force', `${PROJECT}_default`], { allowFailure: true });
}

/** The container podman-compose made for `service`. */
async function containerOf(service: string): Promise<string> {
  const { stdout } = await podman('ps', '--all', '--format', '{{.Names}}', '--filter', `label=io.podman.compose.project=${PROJECT}`, '--filter', `label=com.docker.compose.service=${service}`);
  const name = stdout.trim().split('\n')[0];
  assert.ok(name, `no container for the compose service ${service}`);
  return name;
}

async function adminRequest(url: string, init: RequestInit = {}): Promise<Response> {
  return fetch(url, { ...init, headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json', ...init.headers } });
}

describe('docker-compose.yml under podman-compose', () => {
  const ports = { GATEHOUSE_1_PROXY_PORT: 0, GATEHOUSE_1_ADMIN_PORT: 0, GATEHOUSE_2_PROXY_PORT: 0, PROMETHEUS_PORT: 0 };

  before(async () => {
    const compose = parse(await readFile('docker-compose.yml', 'utf8'), { merge: true }) as Compose;
    for (const name of REPLICAS) assert.equal(compose.services[name]?.image, GATEHOUSE_IMAGE, `${name} runs the image the suites build`);
    await removeProject();
    await buildImage();
    const others = SERVICES.map((name) => compose.services[name]?.image).filter((image): image is string => image !== undefined && image !== GATEHOUSE_IMAGE);
    await containers(['stand-ins', ...new Set(others)]);
    for (const key of Object.keys(ports) as Array<keyof typeof ports>) ports[key] = await freePort();
    const env = { ...Object.fromEntries(Object.entries(ports).map(([key, port]) => [key, String(port)])), GATEHOUSE_ADMIN_TOKEN: ADMIN_TOKEN };
    // --no-build: the image was just built (podman-compose 1.0 would otherwise build it once per service).
    await containers(['compose', '--project-name', PROJECT, '--file', 'docker-compose.yml', 'up', '--detach', '--no-build', ...SERVICES], { env });
  }, { timeout: SETUP_TIMEOUT_MS });
  after(() => removeProject());

  it('brings every service up healthy', async () => {
    for (const service of SERVICES) await waitForHealth(await containerOf(service), (check) => check.healthy);
  });

  it('serves the demo through both replicas, from the demo upstream service', async () => {
    for (const port of [ports.GATEHOUSE_1_PROXY_PORT, ports.GATEHOUSE_2_PROXY_PORT]) {
      let res: Response | undefined;
      // A replica is healthy once its config is loaded; the first request may still find the upstream's name unresolved.
      await waitUntil(async () => (res = await fetch(`http://127.0.0.1:${port}/demo/hello`).catch(() => undefined))?.status === 200, `the demo on port ${port}`, 30_000);
      const { echo } = (await res!.json()) as { echo: { url: string; headers: Record<string, string> } };
      assert.equal(echo.url, '/hello');
      assert.equal(echo.headers['x-forwarded-prefix'], '/demo');
    }
  });

  it('shares config through Redis: a route added through replica 1 is served by replica 2, and Redis keeps it across a restart', async () => {
    const admin = `http://127.0.0.1:${ports.GATEHOUSE_1_ADMIN_PORT}`;
    const created = await adminRequest(`${admin}/services/demo-echo/routes`, { method: 'POST', body: JSON.stringify({ name: 'added-by-the-suite', paths: ['/added'] }) });
    assert.equal(created.status, 201, await created.text());
    const version = Number(created.headers.get('x-config-version'));
    const replica2 = `http://127.0.0.1:${ports.GATEHOUSE_2_PROXY_PORT}/added/x`;
    await waitUntil(async () => (await fetch(replica2)).status === 200, 'replica 2 to serve the new route', 15_000);

    await podman('restart', '--time', '10', await containerOf('redis'));
    await waitForHealth(await containerOf('redis'), (check) => check.healthy);
    const versions = await waitUntilOk(() => adminRequest(`${admin}/config/versions`));
    const { data } = (await versions.json()) as { data: Array<{ version: number }> };
    assert.ok(data.some((entry) => entry.version === version), `version ${version} is still in Redis after its restart: ${JSON.stringify(data)}`);
  });

  it('runs the replicas on read-only root filesystems, their snapshot written to the image volume', async () => {
    for (const service of REPLICAS) {
      const name = await containerOf(service);
      const { stdout } = await podman('inspect', '--format', '{{.HostConfig.ReadonlyRootfs}}', name);
      assert.equal(stdout.trim(), 'true', `${service} is read-only`);
      const snapshot = await podman('exec', name, 'sh', '-c', 'test -s "$GATEHOUSE_SNAPSHOT" && echo "$GATEHOUSE_SNAPSHOT"');
      assert.match(snapshot.stdout, /^\/var\/lib\/gatehouse\//);
    }
  });

  it('has Prometheus scraping both replicas', async () => {
    const targets = `http://127.0.0.1:${ports.PROMETHEUS_PORT}/api/v1/targets`;
    let upTargets: string[] = [];
    await waitUntil(
      async () => {
        const res = await fetch(targets).catch(() => undefined);
        if (res?.status !== 200) return false;
        const { data } = (await res.json()) as { data: { activeTargets: Array<{ labels: { instance: string }; health: string }> } };
        upTargets = data.activeTargets.filter((target) => target.health === 'up').map((target) => target.labels.instance);
        return REPLICAS.every((name) => upTargets.some((instance) => instance.startsWith(`${name}:`)));
      },
      'both replicas to be up in Prometheus',
      60_000,
    );
    assert.equal(upTargets.length, REPLICAS.length, `one target per replica: ${upTargets.join(', ')}`);
  });
});

/** Retries a request until it answers 200 (the admin API reconnects to Redis after its restart). */
async function waitUntilOk(request: () => Promise<Response>): Promise<Response> {
  let last: Response | undefined;
  await waitUntil(async () => (last = await request().catch(() => undefined))?.status === 200, 'a 200 from the admin API', 15_000);
  return last!;
}
