/**
 * `gatehouse start`: validates the GATEHOUSE_* settings, starts the gateway (one process, or a
 * primary with GATEHOUSE_WORKERS workers), and wires signals: SIGHUP reloads the config file,
 * SIGTERM/SIGINT drain in-flight requests and exit.
 */
import cluster, { type Worker } from 'node:cluster';
import { ConfigLoadError, startGateway, type Gateway } from '../app.js';
import { loadConfigFile } from '../config/load-file.js';
import type { ConfigIssue } from '../config/types.js';
import { startEchoUpstream } from '../demo/echo-upstream.js';
import { exposeWorkerMetrics, serveClusterMetrics } from '../observability/cluster-metrics.js';
import { parseSettings, type Settings } from '../settings/schema.js';
import { bundledRegistry } from '../../plugins/index.js';

export interface StartOptions {
  /** Also run the demo echo upstream the bundled config points at. */
  demo: boolean;
}

export const DEMO_ECHO_HOST = '127.0.0.1';
export const DEMO_ECHO_PORT = 9000;

/** What a worker tells the primary once its listeners are up. */
const READY_MESSAGE = 'gatehouse:ready';

/**
 * Returns the exit code when the start fails; while serving it never resolves, and the signal
 * handlers end the process once the gateway has drained.
 */
export async function runStart(options: StartOptions): Promise<number> {
  const parsed = parseSettings(process.env);
  if (!parsed.ok) {
    for (const line of parsed.errors) process.stderr.write(`${line}\n`);
    return 1;
  }
  const settings = parsed.settings;
  if (settings.WORKERS > 1 && cluster.isPrimary) return runPrimary(settings, options);
  return runWorker(settings, options);
}

function reportInvalidConfig(file: string, issues: ConfigIssue[]): void {
  process.stderr.write(`gatehouse: ${file} is invalid:\n`);
  for (const issue of issues) process.stderr.write(`  ${issue.path || '(file)'}: ${issue.message}\n`);
}

async function runWorker(settings: Settings, options: StartOptions): Promise<number> {
  exposeWorkerMetrics();
  let gateway: Gateway | undefined;
  // Installed first: SIGHUP's default action would kill a process still starting (a reload sent
  // to all workers while one restarts). The file is read fresh at start anyway.
  process.on('SIGHUP', () => void gateway?.reload());
  try {
    gateway = await startGateway({ settings });
  } catch (error) {
    if (error instanceof ConfigLoadError) reportInvalidConfig(settings.CONFIG, error.issues);
    else process.stderr.write(`gatehouse: cannot start: ${error instanceof Error ? error.message : String(error)}\n`);
    // A worker's channel to the primary would keep it alive; without it, it exits with the code.
    cluster.worker?.disconnect();
    return 1;
  }
  const started = gateway;
  const stop = () => void started.close().then(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  if (options.demo && cluster.isPrimary) await startEchoUpstream(DEMO_ECHO_HOST, DEMO_ECHO_PORT);
  cluster.worker?.send(READY_MESSAGE);
  return new Promise<number>(() => undefined);
}

async function runPrimary(settings: Settings, options: StartOptions): Promise<number> {
  // Checked once here so a bad file is one report, not one per worker (in Redis mode the file
  // is only a seed for an empty store, and each worker reports its own problems).
  if (!settings.REDIS_URL) {
    const loaded = await loadConfigFile(settings.CONFIG, bundledRegistry);
    if (!loaded.ok) {
      reportInvalidConfig(settings.CONFIG, loaded.issues);
      return 1;
    }
  }
  const live = new Set<Worker>();
  const ready = new Set<Worker>();
  let stopping = false;
  serveClusterMetrics();
  let exitCode = 0;
  const fork = () => {
    const worker = cluster.fork();
    live.add(worker);
    worker.on('message', (message) => {
      if (message === READY_MESSAGE) ready.add(worker);
    });
  };
  const stop = (code: number) => {
    stopping = true;
    exitCode = code;
    for (const worker of live) worker.process.kill('SIGTERM');
  };
  for (let i = 0; i < settings.WORKERS; i++) fork();
  cluster.on('exit', (worker, code, signal) => {
    live.delete(worker);
    if (stopping) {
      if (live.size === 0) process.exit(exitCode);
      return;
    }
    const how = signal ?? `code ${code}`;
    if (!ready.has(worker)) {
      // It never served: restarting would fail the same way, over and over.
      process.stderr.write(`gatehouse: worker ${worker.process.pid} failed to start (${how}); stopping\n`);
      stop(1);
      if (live.size === 0) process.exit(exitCode);
      return;
    }
    process.stderr.write(`gatehouse: worker ${worker.process.pid} exited (${how}); starting another\n`);
    fork();
  });
  process.on('SIGHUP', () => {
    for (const worker of live) worker.process.kill('SIGHUP');
  });
  process.once('SIGTERM', () => stop(0));
  process.once('SIGINT', () => stop(0));
  if (options.demo) await startEchoUpstream(DEMO_ECHO_HOST, DEMO_ECHO_PORT);
  return new Promise<number>(() => undefined);
}
