/**
 * A real, private redis-server for tests: started from PATH on a free port, with nothing persisted,
 * stoppable and restartable on the same port (for outage tests), and a real Sentinel watching one.
 * Never touches a server it did not start.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort } from './free-port.js';

export { freePort };

export interface TestRedis {
  port: number;
  url: string;
  /** Stops the server (SIGKILL: an abrupt outage). */
  stop(): Promise<void>;
  /** Starts it again on the same port (empty: nothing is persisted). */
  start(): Promise<void>;
  close(): Promise<void>;
}

const INSTALL_HINT =
  'redis-server was not found on PATH. Tests that need Redis start their own: install it (Debian/Ubuntu: `apt-get install redis-server`; macOS: `brew install redis`).';

async function waitUntilReady(port: number, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const client = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    // Refused attempts before the server listens are expected; without a listener ioredis prints them.
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.ping();
      return;
    } catch {
      if (Date.now() > deadline) throw new Error(`redis-server on port ${port} did not become ready`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    } finally {
      client.disconnect();
    }
  }
}

function requireRedisServer(): void {
  if (spawnSync('redis-server', ['--version']).error) throw new Error(INSTALL_HINT);
}

/** Kills a server abruptly (SIGKILL) and waits until it has exited; nothing when it already has. */
async function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}

/** `cpu` pins the server to one CPU with taskset (the benchmark keeps it off the gateway's CPU). */
export async function startTestRedis(options: { cpu?: number } = {}): Promise<TestRedis> {
  requireRedisServer();
  const port = await freePort();
  let child: ChildProcess | null = null;
  const start = async () => {
    const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'];
    child =
      options.cpu === undefined
        ? spawn('redis-server', args, { stdio: 'ignore' })
        : spawn('taskset', ['-c', String(options.cpu), 'redis-server', ...args], { stdio: 'ignore' });
    await waitUntilReady(port);
  };
  const stop = async () => {
    const running = child;
    child = null;
    if (running) await kill(running);
  };
  await start();
  return { port, url: `redis://127.0.0.1:${port}`, start, stop, close: stop };
}

export interface TestSentinel {
  port: number;
  close(): Promise<void>;
}

/** A redis-server in Sentinel mode on a free port, watching each of `masters` under its name. */
export async function startTestSentinel(masters: Record<string, TestRedis>): Promise<TestSentinel> {
  requireRedisServer();
  const port = await freePort();
  // Sentinel rewrites its config file, so each one gets its own.
  const configPath = join(mkdtempSync(join(tmpdir(), 'gatehouse-sentinel-')), 'sentinel.conf');
  const monitors = Object.entries(masters).map(([name, master]) => `sentinel monitor ${name} 127.0.0.1 ${master.port} 1\n`);
  writeFileSync(configPath, `port ${port}\nbind 127.0.0.1\n${monitors.join('')}`);
  const child = spawn('redis-server', [configPath, '--sentinel'], { stdio: 'ignore' });
  await waitUntilReady(port);
  return { port, close: () => kill(child) };
}
