/**
 * A real, private redis-server for the suites and the benchmark: started from PATH on a free port,
 * with nothing persisted, stoppable and restartable on the same port (for outage tests), a real
 * Sentinel watching one, and a real Redis Cluster of several masters. Never touches a server it did
 * not start.
 */
import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { endProcess } from './end-process.js';
import { startOnFreePorts } from './free-port.js';

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

/** A redis-server child and what it printed (its bind failures among it). */
interface RedisChild {
  child: ChildProcess;
  output(): string;
}

/** Spawns `command` (redis-server, or taskset running it) collecting its output. */
function spawnRedis(command: string, args: string[]): RedisChild {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk));
  return { child, output: () => output };
}

/** Resolves once `server` answers PING on `port`; throws with its output if it exits first (a port taken among the causes). */
async function waitUntilReady(port: number, server: RedisChild, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (server.child.exitCode !== null) throw new Error(`redis-server on port ${port} exited with ${server.child.exitCode}:\n${server.output()}`);
    const client = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    // Refused attempts before the server listens are expected; without a listener ioredis prints them.
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.ping();
      return;
    } catch {
      if (Date.now() > deadline) throw new Error(`redis-server on port ${port} did not become ready:\n${server.output()}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    } finally {
      client.disconnect();
    }
  }
}

function requireRedisServer(): void {
  if (spawnSync('redis-server', ['--version']).error) throw new Error(INSTALL_HINT);
}

/** The Cluster starter also needs redis-cli (Debian's redis-tools, which redis-server depends on). */
function requireRedisCli(): void {
  if (spawnSync('redis-cli', ['--version']).error) throw new Error(`redis-cli was not found on PATH. ${INSTALL_HINT}`);
}

/** `cpu` pins the server to one CPU with taskset (the benchmark keeps it off the gateway's CPU). */
export async function startTestRedis(options: { cpu?: number } = {}): Promise<TestRedis> {
  requireRedisServer();
  let child: ChildProcess | null = null;
  const startOn = async (port: number) => {
    const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'];
    const server = options.cpu === undefined ? spawnRedis('redis-server', args) : spawnRedis('taskset', ['-c', String(options.cpu), 'redis-server', ...args]);
    child = server.child;
    try {
      await waitUntilReady(port, server);
    } catch (error) {
      await stop();
      throw error;
    }
  };
  const stop = async () => {
    const running = child;
    child = null;
    if (running) await endProcess(running, 'SIGKILL');
  };
  const port = await startOnFreePorts(1, async ([port]) => {
    await startOn(port!);
    return port!;
  });
  return { port, url: `redis://127.0.0.1:${port}`, start: () => startOn(port), stop, close: stop };
}

export interface TestSentinel {
  port: number;
  close(): Promise<void>;
}

/** A redis-server in Sentinel mode on a free port, watching each of `masters` under its name. */
export async function startTestSentinel(masters: Record<string, TestRedis>): Promise<TestSentinel> {
  requireRedisServer();
  // Sentinel rewrites its config file, so each one gets its own.
  const configPath = join(mkdtempSync(join(tmpdir(), 'gatehouse-sentinel-')), 'sentinel.conf');
  const monitors = Object.entries(masters).map(([name, master]) => `sentinel monitor ${name} 127.0.0.1 ${master.port} 1\n`);
  const { port, child } = await startOnFreePorts(1, async ([port]) => {
    writeFileSync(configPath, `port ${port}\nbind 127.0.0.1\n${monitors.join('')}`);
    const server = spawnRedis('redis-server', [configPath, '--sentinel']);
    try {
      await waitUntilReady(port!, server);
    } catch (error) {
      await endProcess(server.child, 'SIGKILL');
      throw error;
    }
    return { port: port!, child: server.child };
  });
  return { port, close: () => endProcess(child, 'SIGKILL') };
}

export interface TestRedisCluster {
  /** The masters, each owning a share of the 16384 slots. */
  nodes: { host: string; port: number }[];
  /** GATEHOUSE_REDIS_URL for it: redis-cluster://h1:p1,h2:p2,… */
  url: string;
  close(): Promise<void>;
}

/** Every node says the cluster is ok (all slots served) and sees all the masters. */
async function waitUntilClusterOk(ports: number[], timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const states = await Promise.all(
      ports.map(async (port) => {
        const client = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
        client.on('error', () => undefined);
        try {
          await client.connect();
          const info = await client.cluster('INFO');
          return /cluster_state:ok/.test(info) && new RegExp(`cluster_known_nodes:${ports.length}\\b`).test(info);
        } catch {
          return false;
        } finally {
          client.disconnect();
        }
      }),
    );
    if (states.every(Boolean)) return;
    if (Date.now() > deadline) throw new Error(`the Redis Cluster on ports ${ports.join(', ')} did not become ok`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * `masters` redis-servers in cluster mode on free ports (each with a free cluster-bus port, so
 * port + 10000 need not be free), joined by `redis-cli --cluster create` with no replicas, nothing
 * persisted. Resolves once every node reports the cluster ok.
 */
export async function startTestRedisCluster(masters = 3): Promise<TestRedisCluster> {
  requireRedisServer();
  requireRedisCli();
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-redis-cluster-'));
  const children: ChildProcess[] = [];
  const close = async () => {
    await Promise.all(children.map((child) => endProcess(child, 'SIGKILL')));
  };
  try {
    const ports: number[] = [];
    for (let i = 0; i < masters; i++) {
      const port = await startOnFreePorts(2, async ([port, busPort]) => {
        const args = ['--port', String(port), '--cluster-port', String(busPort), '--bind', '127.0.0.1', '--cluster-enabled', 'yes'];
        args.push('--cluster-config-file', `nodes-${port}.conf`, '--dir', dir, '--save', '', '--appendonly', 'no');
        const server = spawnRedis('redis-server', args);
        children.push(server.child);
        await waitUntilReady(port!, server);
        return port!;
      });
      ports.push(port);
    }
    const nodes = ports.map((port) => ({ host: '127.0.0.1', port }));
    await promisify(execFile)('redis-cli', ['--cluster', 'create', ...nodes.map((n) => `${n.host}:${n.port}`), '--cluster-replicas', '0', '--cluster-yes']);
    await waitUntilClusterOk(ports);
    return { nodes, url: `redis-cluster://${nodes.map((n) => `${n.host}:${n.port}`).join(',')}`, close };
  } catch (error) {
    await close();
    throw error;
  }
}
