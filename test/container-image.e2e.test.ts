/**
 * Black-box: the Docker image, built from this checkout's Dockerfile unchanged and run with podman
 * (scripts/containers.sh; stand-in base images are made and cached when missing). It holds only the
 * product and its production dependencies, serves the demo as a non-root user on a read-only root
 * filesystem, passes its HEALTHCHECK with an admin token set (and fails it when not ready),
 * `podman stop` during a bounded load loop loses no request and ends in exit 0, and `gatehouse stop`
 * run inside it, as a preStop hook runs, drains it.
 */
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { readFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { Pool } from 'undici';
import { freePort } from '../support/free-port.js';
import { statusOf } from '../support/served.js';
import { isNotProduct } from './helpers/product-paths.js';
import { buildImage, containers, GATEHOUSE_IMAGE, inspect, podman, removeContainers, waitForHealth } from './helpers/podman.js';

const PREFIX = 'gatehouse-test-image';
const DEMO = `${PREFIX}-demo`;
const NOT_READY = `${PREFIX}-not-ready`;
const DRAIN = `${PREFIX}-drain`;
const PRE_STOP = `${PREFIX}-pre-stop`;
const ADMIN_TOKEN = 'a-token-for-the-image-suite-only';
/** A cold build makes the stand-in base image (debootstrap) and runs npm ci inside the build. */
const BUILD_TIMEOUT_MS = 12 * 60_000;

interface PackageLock {
  packages: Record<string, { dev?: boolean; devOptional?: boolean; optional?: boolean }>;
}

interface PackageJson {
  version: string;
  license: string;
  devDependencies: Record<string, string>;
}

/** `podman run -d` of the image with `args` before it and the gateway command after it. */
async function runContainer(name: string, args: string[], command: string[]): Promise<void> {
  await removeContainers(name);
  await podman('run', '--detach', '--name', name, ...args, GATEHOUSE_IMAGE, ...command);
}

/** A shell command's output inside a throw-away container of the image. */
async function inImage(script: string): Promise<string> {
  const { stdout } = await podman('run', '--rm', '--entrypoint', 'sh', GATEHOUSE_IMAGE, '-c', script);
  return stdout;
}

describe('the container image, run with podman', () => {
  let pkg: PackageJson;

  before(async () => {
    pkg = JSON.parse(await readFile('package.json', 'utf8')) as PackageJson;
    await removeContainers(DEMO, NOT_READY, DRAIN, PRE_STOP);
    await buildImage();
  }, { timeout: BUILD_TIMEOUT_MS });
  after(() => removeContainers(DEMO, NOT_READY, DRAIN, PRE_STOP));

  it('is described as the Dockerfile says: user, health check, stop signal, data volume, OCI labels', async () => {
    const image = await inspect<{
      Config: { User: string; StopSignal: string; Labels: Record<string, string>; Volumes: Record<string, unknown>; Env: string[] };
      Healthcheck?: { Test: string[] };
    }>(GATEHOUSE_IMAGE, 'image');
    assert.equal(image.Config.User, 'node');
    assert.equal(image.Config.StopSignal, 'SIGTERM');
    assert.deepEqual(image.Healthcheck?.Test, ['CMD', 'node', '/app/healthcheck.mjs'], 'the HEALTHCHECK survives the build (docker format)');
    const env = Object.fromEntries(image.Config.Env.map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]));
    const volume = Object.keys(image.Config.Volumes ?? {});
    assert.deepEqual(volume, ['/var/lib/gatehouse']);
    assert.ok(env.GATEHOUSE_SNAPSHOT?.startsWith('/var/lib/gatehouse/'), 'the snapshot is written to the declared volume');
    assert.equal(image.Config.Labels['org.opencontainers.image.version'], pkg.version);
    assert.equal(image.Config.Labels['org.opencontainers.image.licenses'], pkg.license);
    assert.equal(image.Config.Labels['org.opencontainers.image.title'], 'Gatehouse');
  });

  it('holds the compiled product and exactly its production dependencies, and no npm', async () => {
    const listing = await inImage('cd /app && find . -path ./node_modules -prune -o -type f -print && find node_modules -name package.json && (command -v npm npx yarn corepack || true)');
    const lines = listing.trim().split('\n').map((line) => line.replace(/^\.\//, ''));
    const appFiles = lines.filter((line) => !line.startsWith('node_modules/') && !line.startsWith('/'));
    const offenders = appFiles.filter(isNotProduct);
    assert.deepEqual(offenders, [], `the image holds:\n  ${offenders.join('\n  ')}`);
    assert.ok(appFiles.includes('dist/bundle/main.js'), 'the bundled gateway is there');
    assert.deepEqual(appFiles.filter((file) => file.endsWith('.ts') && !file.endsWith('.d.ts')), [], 'no TypeScript sources');
    assert.deepEqual(lines.filter((line) => line.startsWith('/')), [], 'no package manager on PATH');

    // Package folders: node_modules/<name>/package.json, scoped or nested under another package.
    const packageRoot = /^(node_modules\/(?:@[^/]+\/)?[^/]+(?:\/node_modules\/(?:@[^/]+\/)?[^/]+)*)\/package\.json$/;
    const installed = new Set(lines.flatMap((line) => packageRoot.exec(line)?.[1] ?? []));
    const lock = JSON.parse(await readFile('package-lock.json', 'utf8')) as PackageLock;
    const production = Object.entries(lock.packages).filter(([path, entry]) => path !== '' && !entry.dev && !entry.devOptional);
    const missing = production.filter(([path, entry]) => !entry.optional && !installed.has(path)).map(([path]) => path);
    assert.deepEqual(missing, [], 'every production dependency is installed');
    const productionPaths = new Set(production.map(([path]) => path));
    const extra = [...installed].filter((path) => !productionPaths.has(path));
    assert.deepEqual(extra, [], 'nothing but production dependencies is installed');
    const devOnly = Object.keys(pkg.devDependencies).filter((name) => lock.packages[`node_modules/${name}`]?.dev);
    assert.ok(devOnly.includes('typescript'), 'the lock marks the build tools as dev-only');
    for (const name of devOnly) assert.ok(!installed.has(`node_modules/${name}`), `dev dependency ${name}`);
  });

  it('serves the demo as a non-root user on a read-only root filesystem, healthy with an admin token set', async () => {
    const port = await freePort();
    await runContainer(
      DEMO,
      // As Docker runs --read-only: nothing writable but /tmp and the image's volume.
      ['--read-only', '--read-only-tmpfs=false', '--tmpfs', '/tmp', '--publish', `127.0.0.1:${port}:8000`, '--env', 'GATEHOUSE_ADMIN_LISTEN=0.0.0.0:8001', '--env', `GATEHOUSE_ADMIN_TOKEN=${ADMIN_TOKEN}`],
      ['start', '--demo'],
    );
    const health = await waitForHealth(DEMO, (check) => check.healthy);
    assert.match(health.output, /http:\/\/127\.0\.0\.1:8001\/status\/ready: 200/);

    const res = await fetch(`http://127.0.0.1:${port}/demo/hello`);
    assert.equal(res.status, 200);
    const { echo } = (await res.json()) as { echo: { url: string; headers: Record<string, string> } };
    assert.equal(echo.url, '/hello');
    assert.equal(echo.headers['x-request-id'], res.headers.get('x-request-id'));

    const { stdout: processes } = await podman('exec', DEMO, 'sh', '-c', 'id -u; tr "\\0" " " </proc/1/cmdline');
    const [uid, pid1] = processes.trim().split('\n');
    assert.equal(uid, '1000');
    assert.equal(pid1?.trim(), 'node /app/dist/bundle/main.js start --demo', 'node is PID 1, so SIGTERM reaches the gateway');
    const container = await inspect<{ HostConfig: { ReadonlyRootfs: boolean } }>(DEMO);
    assert.equal(container.HostConfig.ReadonlyRootfs, true);
    const write = await podman('exec', DEMO, 'sh', '-c', 'touch /app/probe 2>&1 || true; touch /tmp/probe /var/lib/gatehouse/probe && echo writable');
    assert.match(write.stdout, /Read-only file system/);
    assert.match(write.stdout, /writable/);
    // The health check passed without the token, yet the admin API itself still wants it.
    const admin = await podman('exec', DEMO, 'node', '-e', "fetch('http://127.0.0.1:8001/services').then((r) => console.log(r.status))");
    assert.equal(admin.stdout.trim(), '401');
  });

  it('fails its health check while the gateway is not ready, asking the status listener when one is set', async () => {
    await runContainer(
      NOT_READY,
      // Nothing listens on port 1: the gateway serves its listeners but stays not ready.
      ['--env', 'GATEHOUSE_REDIS_URL=redis://127.0.0.1:1', '--env', 'GATEHOUSE_STATUS_LISTEN=0.0.0.0:8100', '--env', 'GATEHOUSE_ADMIN_LISTEN=127.0.0.1:9001'],
      ['start'],
    );
    const check = await waitForHealth(NOT_READY, (result) => /: 503/.test(result.output));
    assert.equal(check.healthy, false);
    assert.match(check.output, /http:\/\/127\.0\.0\.1:8100\/status\/ready: 503/);
  });

  it('drains on podman stop: every request of a bounded load loop succeeds and the container exits 0', { timeout: 180_000 }, async () => {
    const [proxyPort, statusPort] = [await freePort(), await freePort()];
    await runContainer(
      DRAIN,
      [
        '--publish', `127.0.0.1:${proxyPort}:8000`,
        '--publish', `127.0.0.1:${statusPort}:8100`,
        '--env', 'GATEHOUSE_STATUS_LISTEN=0.0.0.0:8100',
        '--env', 'GATEHOUSE_DRAIN_DELAY_MS=3000',
        '--env', 'GATEHOUSE_DRAIN_TIMEOUT_MS=20000',
      ],
      ['start', '--demo'],
    );
    await waitForHealth(DRAIN, (check) => check.healthy);
    const proxyUrl = `http://127.0.0.1:${proxyPort}`;

    // Uploads whose bodies are still arriving when the stop comes: in flight through the whole drain.
    const uploads = Array.from({ length: 3 }, () => startSlowUpload(proxyPort));

    // The loop: keep-alive connections, each answer counted; it ends a fixed number of requests after
    // readiness turned (what a load balancer acts on), or at a hard cap.
    const pool = new Pool(proxyUrl, { connections: 4 });
    const outcomes = { ok: 0, failed: [] as string[] };
    let notReadyAt: number | null = null;
    const AFTER_NOT_READY = 40;
    const CAP = 20_000;
    const worker = async () => {
      while (outcomes.ok + outcomes.failed.length < CAP && (notReadyAt === null || outcomes.ok + outcomes.failed.length < notReadyAt + AFTER_NOT_READY)) {
        try {
          const res = await pool.request({ path: '/demo/hello', method: 'GET' });
          const body = await res.body.text();
          if (res.statusCode === 200 && body.includes('"echo"')) outcomes.ok++;
          else outcomes.failed.push(`status ${res.statusCode}`);
        } catch (error) {
          outcomes.failed.push((error as Error).message);
        }
      }
    };
    const workers = Array.from({ length: 4 }, worker);
    while (outcomes.ok < 100 && outcomes.failed.length === 0) await new Promise((resolve) => setTimeout(resolve, 20));

    const stopped = podman('stop', '--time', '60', DRAIN);
    while ((await statusOf(`http://127.0.0.1:${statusPort}/status/ready`)) === 200) await new Promise((resolve) => setTimeout(resolve, 20));
    notReadyAt = outcomes.ok + outcomes.failed.length;
    await Promise.all(workers);
    await pool.close();
    const finished = await Promise.all(uploads.map((upload) => upload.finish()));
    await stopped;

    assert.deepEqual(outcomes.failed, [], `${outcomes.failed.length} of ${outcomes.ok + outcomes.failed.length} requests failed`);
    assert.ok(outcomes.ok >= 100 + AFTER_NOT_READY);
    for (const upload of finished) {
      assert.equal(upload.status, 200);
      assert.equal((JSON.parse(upload.body) as { echo: { body_bytes: number } }).echo.body_bytes, 2 * UPLOAD_CHUNK.length);
    }
    const container = await inspect<{ State: { ExitCode: number; Status: string } }>(DRAIN);
    assert.equal(container.State.Status, 'exited');
    assert.equal(container.State.ExitCode, 0, 'the gateway drained and exited by itself, not by SIGKILL');
  });

  it('drains through `gatehouse stop` run inside it, as a Kubernetes preStop hook does, and exits 0', async () => {
    await runContainer(
      PRE_STOP,
      ['--read-only', '--read-only-tmpfs=false', '--tmpfs', '/tmp', '--env', 'GATEHOUSE_ADMIN_LISTEN=0.0.0.0:8001', '--env', `GATEHOUSE_ADMIN_TOKEN=${ADMIN_TOKEN}`, '--env', 'GATEHOUSE_DRAIN_DELAY_MS=1000'],
      ['start', '--demo'],
    );
    await waitForHealth(PRE_STOP, (check) => check.healthy);
    // The command on PATH, its admin URL and token from the container's own environment.
    const stop = await containers(['podman', 'exec', PRE_STOP, 'gatehouse', 'stop'], { allowFailure: true });
    assert.match(stop.stdout, /is draining/);
    const container = await waitForExit(PRE_STOP);
    assert.equal(container.State.ExitCode, 0);
    // A hook still running when its container's main process ends is killed with it (137): Kubernetes
    // then records FailedPreStopHook on every pod stop (Kong #9644).
    assert.equal(stop.code, 0, `gatehouse stop exited ${stop.code}:\n${stop.stdout}${stop.stderr}`);
  });
});

const UPLOAD_CHUNK = Buffer.alloc(16 * 1024, 7);

/** The container's state once it has exited (its main process ended by itself). */
async function waitForExit(name: string, timeoutMs = 60_000): Promise<{ State: { ExitCode: number; Status: string } }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const container = await inspect<{ State: { ExitCode: number; Status: string } }>(name);
    if (container.State.Status === 'exited') return container;
    if (Date.now() > deadline) throw new Error(`${name} is still ${container.State.Status}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** A chunked POST whose first chunk is sent now and whose last one when `finish` is called. */
function startSlowUpload(port: number): { finish(): Promise<{ status: number; body: string }> } {
  const req = httpRequest({ host: '127.0.0.1', port, method: 'POST', path: '/demo/upload', agent: false, headers: { 'content-type': 'application/octet-stream' } });
  const answer = new Promise<{ status: number; body: string }>((resolve, reject) => {
    req.once('error', reject);
    req.once('response', (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.once('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.once('error', reject);
    });
  });
  // Awaited by finish(); until then a failure must not count as unhandled.
  answer.catch(() => undefined);
  req.write(UPLOAD_CHUNK);
  return {
    finish: () => {
      req.end(UPLOAD_CHUNK);
      return answer;
    },
  };
}
