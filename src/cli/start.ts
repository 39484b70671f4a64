/**
 * `gatehouse start`: validates the GATEHOUSE_* settings, starts the gateway (one process, or a
 * primary with GATEHOUSE_WORKERS workers), and wires signals: SIGHUP reloads the config file,
 * SIGTERM/SIGINT drain in-flight requests and exit.
 */
import cluster from 'node:cluster';
import { ConfigLoadError, startGateway } from '../app.js';
import { startEchoUpstream } from '../demo/echo-upstream.js';
import { exposeWorkerMetrics, serveClusterMetrics } from '../observability/cluster-metrics.js';
import { parseSettings, type Settings } from '../settings/schema.js';

export interface StartOptions {
  /** Also run the demo echo upstream the bundled config points at. */
  demo: boolean;
}

export const DEMO_ECHO_HOST = '127.0.0.1';
export const DEMO_ECHO_PORT = 9000;

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

async function runWorker(settings: Settings, options: StartOptions): Promise<number> {
  if (options.demo && cluster.isPrimary) await startEchoUpstream(DEMO_ECHO_HOST, DEMO_ECHO_PORT);
  exposeWorkerMetrics();
  let gateway;
  try {
    gateway = await startGateway({ settings });
  } catch (error) {
    if (error instanceof ConfigLoadError) {
      process.stderr.write(`gatehouse: ${settings.CONFIG} is invalid:\n`);
      for (const issue of error.issues) process.stderr.write(`  ${issue.path || '(file)'}: ${issue.message}\n`);
    } else {
      process.stderr.write(`gatehouse: cannot start: ${error instanceof Error ? error.message : String(error)}\n`);
    }
    return 1;
  }
  const started = gateway;
  process.on('SIGHUP', () => void started.reload());
  const stop = () => void started.close().then(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  return new Promise<number>(() => undefined);
}

function runPrimary(settings: Settings, options: StartOptions): Promise<number> {
  if (options.demo) void startEchoUpstream(DEMO_ECHO_HOST, DEMO_ECHO_PORT);
  let stopping = false;
  serveClusterMetrics();
  for (let i = 0; i < settings.WORKERS; i++) cluster.fork();
  cluster.on('exit', (worker, code) => {
    if (stopping) {
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
      return;
    }
    process.stderr.write(`gatehouse: worker ${worker.process.pid} exited with ${code}; starting another\n`);
    cluster.fork();
  });
  process.on('SIGHUP', () => {
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGHUP');
  });
  const stop = () => {
    stopping = true;
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGTERM');
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  return new Promise<number>(() => undefined);
}
