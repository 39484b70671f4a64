/**
 * `gatehouse start`: validates the GATEHOUSE_* settings, starts the gateway (one process, or a
 * primary with GATEHOUSE_WORKERS workers), and wires signals: SIGHUP reloads the config file;
 * SIGTERM drains (readiness 503, the drain delay, in-flight requests finished) and exits 0; SIGINT
 * does the same without the delay (a terminal has no load balancer to wait for); a second SIGTERM
 * or SIGINT exits at once with 128 + the signal's number, as a shell reports a process it killed.
 */
import cluster, { type Worker } from 'node:cluster';
import type { Server } from 'node:http';
import { constants } from 'node:os';
import type { Logger } from 'pino';
import { ConfigLoadError, startGateway, type Gateway } from '../app.js';
import { loadConfigFile } from '../config/load-file.js';
import type { ConfigIssue } from '../config/types.js';
import { startEchoUpstream } from '../demo/echo-upstream.js';
import { exposeWorkerMetrics, serveClusterMetrics } from '../observability/cluster-metrics.js';
import { FdWriter } from '../observability/fd-writer.js';
import { createLogger } from '../observability/logger.js';
import { loadPluginRegistry } from '../pipeline/plugin-loader.js';
import type { PluginRegistry } from '../pipeline/registry.js';
import { setHeapGrowth } from '../runtime/heap-growth.js';
import { parseSettings, type Settings } from '../settings/schema.js';

export interface StartOptions {
  /** Also run the demo echo upstream the bundled config points at. */
  demo: boolean;
}

export const DEMO_ECHO_HOST = '127.0.0.1';
export const DEMO_ECHO_PORT = 9000;

/** Worker → primary: its listeners are up. */
const READY_MESSAGE = 'gatehouse:ready';
/** Worker → primary: the admin API was asked to drain (`gatehouse stop`); every worker must. */
const DRAIN_REQUEST = 'gatehouse:drain-request';
/** Primary → worker: drain (`delayMs` undefined: the configured delay). */
const DRAIN = 'gatehouse:drain';
/** Worker → primary: its in-flight requests finished (its drain's last step is still to come). */
const DRAINED = 'gatehouse:drained';
/** Primary → worker: every worker's requests finished; callers waiting for the drain can be answered. */
const ALL_DRAINED = 'gatehouse:all-drained';
/** Primary → worker: a second signal; exit at once. */
const EXIT_NOW = 'gatehouse:exit-now';
/** How long a primary told to exit at once waits for its workers before it kills them. */
const EXIT_NOW_GRACE_MS = 1_000;

interface ControlMessage {
  type?: string;
  reason?: string;
  delayMs?: number;
}

const STOP_SIGNALS = ['SIGTERM', 'SIGINT'] as const;
type StopSignal = (typeof STOP_SIGNALS)[number];

/** SIGINT comes from a terminal, where no load balancer needs the delay. */
const delayFor = (signal: StopSignal): number | undefined => (signal === 'SIGINT' ? 0 : undefined);
const killedBy = (signal: StopSignal): number => 128 + constants.signals[signal];

/** The first SIGTERM or SIGINT drains; any later one exits at once. */
function onStopSignals(drain: (signal: StopSignal) => void, exitNow: (signal: StopSignal) => void): void {
  let received = false;
  for (const signal of STOP_SIGNALS) {
    process.on(signal, () => {
      if (received) return exitNow(signal);
      received = true;
      drain(signal);
    });
  }
}

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
  let registry: PluginRegistry;
  try {
    registry = await loadPluginRegistry(settings.PLUGINS);
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    cluster.worker?.disconnect();
    return 1;
  }
  if (settings.WORKERS > 1 && cluster.isPrimary) return runPrimary(settings, registry, options);
  return runWorker(settings, registry, options);
}

function reportInvalidConfig(file: string, issues: ConfigIssue[]): void {
  process.stderr.write(`gatehouse: ${file} is invalid:\n`);
  for (const issue of issues) process.stderr.write(`  ${issue.path || '(file)'}: ${issue.message}\n`);
}

/** The demo echo upstream, or null with the reason on stderr when it cannot listen. */
async function startDemoUpstream(): Promise<Server | null> {
  try {
    return await startEchoUpstream(DEMO_ECHO_HOST, DEMO_ECHO_PORT);
  } catch (error) {
    process.stderr.write(`gatehouse: cannot start: cannot listen for the demo upstream on ${DEMO_ECHO_HOST}:${DEMO_ECHO_PORT}: ${(error as Error).message}\n`);
    return null;
  }
}

/** One gateway process: the only one, or a worker of a primary. */
async function runWorker(settings: Settings, registry: PluginRegistry, options: StartOptions): Promise<number> {
  setHeapGrowth();
  exposeWorkerMetrics();
  let gateway: Gateway | undefined;
  // A stop asked for while the gateway is still starting is carried out once it has started.
  const deferred: Array<() => void> = [];
  const whenStarted = (action: () => void) => (gateway ? action() : void deferred.push(action));
  const drain = (reason: string, delayMs?: number) =>
    whenStarted(() => void gateway!.drain(reason, delayMs).then(() => process.exit(0)));
  const exitNow = (reason: string, code: number) =>
    whenStarted(() => {
      gateway!.terminate(reason);
      process.exit(code);
    });
  // Installed first: SIGHUP's default action would kill a process still starting (a reload sent
  // to all workers while one restarts), and so would a stop signal's. The file is read fresh at start anyway.
  process.on('SIGHUP', () => void gateway?.reload());
  onStopSignals(
    (signal) => drain(signal, delayFor(signal)),
    (signal) => exitNow(`second ${signal}`, killedBy(signal)),
  );
  process.on('message', (message: ControlMessage) => {
    if (message?.type === DRAIN) drain(message.reason ?? 'primary', message.delayMs);
    else if (message?.type === EXIT_NOW) exitNow(message.reason ?? 'primary', 1);
  });
  // Before the gateway, so a taken port fails the start before anything else is open.
  let demo: Server | null = null;
  if (options.demo && cluster.isPrimary) {
    demo = await startDemoUpstream();
    if (!demo) return 1;
  }
  // `gatehouse stop`: a worker passes it to the primary, which drains every worker, and answers the
  // caller waiting for the drain once the primary says every worker is done.
  const requestDrain = cluster.worker ? () => void process.send!({ type: DRAIN_REQUEST }) : () => drain('admin API (gatehouse stop)');
  const everyProcessDrained = cluster.worker ? () => reportDrained(process) : undefined;
  try {
    gateway = await startGateway({ settings, registry, requestDrain, everyProcessDrained });
  } catch (error) {
    if (error instanceof ConfigLoadError) reportInvalidConfig(settings.CONFIG, error.issues);
    else process.stderr.write(`gatehouse: cannot start: ${error instanceof Error ? error.message : String(error)}\n`);
    demo?.close();
    // A worker's channel to the primary would keep it alive; without it, it exits with the code.
    cluster.worker?.disconnect();
    return 1;
  }
  cluster.worker?.send(READY_MESSAGE);
  for (const action of deferred) action();
  return new Promise<number>(() => undefined);
}

/** A worker tells the primary its requests finished and resolves once the primary says every worker's have. */
function reportDrained(channel: NodeJS.Process): Promise<void> {
  return new Promise((resolve) => {
    const onMessage = (message: ControlMessage) => {
      if (message?.type !== ALL_DRAINED) return;
      channel.off('message', onMessage);
      resolve();
    };
    channel.on('message', onMessage);
    channel.send!({ type: DRAINED });
  });
}

/**
 * Sends a control message, or, to a worker whose channel is gone, the signal meaning the same (none:
 * the message only matters to a worker still listening). A channel can close between the check and
 * the write, as a worker exits: that failure goes to the send's callback, never to an 'error' event
 * that would end the primary.
 */
function tell(worker: Worker, message: ControlMessage, signal: NodeJS.Signals | null): void {
  const instead = () => void (signal && worker.process.kill(signal));
  if (worker.isConnected()) worker.send(message, (error: Error | null) => error && instead());
  else instead();
}

async function runPrimary(settings: Settings, registry: PluginRegistry, options: StartOptions): Promise<number> {
  // Checked once here so a bad file is one report, not one per worker (in Redis mode the file
  // is only a seed for an empty store, and each worker reports its own problems).
  if (!settings.REDIS_URL) {
    const loaded = await loadConfigFile(settings.CONFIG, registry);
    if (!loaded.ok) {
      reportInvalidConfig(settings.CONFIG, loaded.issues);
      return 1;
    }
  }
  if (options.demo && !(await startDemoUpstream())) return 1;
  const logger: Logger = createLogger({ level: settings.LOG_LEVEL, destination: new FdWriter(1) }).child({ role: 'primary' });
  const live = new Set<Worker>();
  const ready = new Set<Worker>();
  /** Workers whose requests finished during the stop. */
  const drained = new Set<Worker>();
  let stopping = false;
  let exitCode = 0;
  serveClusterMetrics();

  const fork = () => {
    const worker = cluster.fork();
    live.add(worker);
    worker.on('message', (message: unknown) => {
      if (message === READY_MESSAGE) {
        ready.add(worker);
        logger.info({ worker_pid: worker.process.pid }, 'worker ready');
      } else if ((message as ControlMessage)?.type === DRAIN_REQUEST) stop(0, 'admin API (gatehouse stop)');
      else if ((message as ControlMessage)?.type === DRAINED) {
        // A worker signalled on its own drains alone; in a stop, every worker waits for the others.
        if (!stopping) return tell(worker, { type: ALL_DRAINED }, 'SIGTERM');
        drained.add(worker);
        answerWhenAllDrained();
      }
    });
  };
  const answerWhenAllDrained = () => {
    if ([...live].some((worker) => !drained.has(worker))) return;
    for (const worker of live) tell(worker, { type: ALL_DRAINED }, null);
  };
  const stop = (code: number, reason: string, delayMs?: number) => {
    if (stopping) return;
    stopping = true;
    exitCode = code;
    logger.info({ reason, workers: live.size }, 'draining every worker');
    for (const worker of live) tell(worker, { type: DRAIN, reason, delayMs }, 'SIGTERM');
  };
  const exitNow = (signal: StopSignal) => {
    stopping = true;
    exitCode = killedBy(signal);
    logger.warn({ reason: `second ${signal}` }, 'exiting at once: every worker is told to exit');
    for (const worker of live) tell(worker, { type: EXIT_NOW, reason: `second ${signal}` }, 'SIGKILL');
    setTimeout(() => {
      for (const worker of live) worker.process.kill('SIGKILL');
      process.exit(exitCode);
    }, EXIT_NOW_GRACE_MS).unref();
  };

  for (let i = 0; i < settings.WORKERS; i++) fork();
  cluster.on('exit', (worker, code, signal) => {
    live.delete(worker);
    const served = ready.delete(worker);
    if (stopping) {
      drained.delete(worker);
      if (live.size > 0) answerWhenAllDrained();
      if (live.size === 0) {
        logger.info({ exit_code: exitCode }, 'every worker stopped');
        logger.flush();
        process.exit(exitCode);
      }
      return;
    }
    if (!served) {
      // It never served: restarting would fail the same way, over and over. Workers still starting
      // would fail the same way too, each printing the same report: they are ended, not drained.
      process.stderr.write(`gatehouse: worker ${worker.process.pid} failed to start (${signal ?? `code ${code}`}); stopping\n`);
      for (const other of live) if (!ready.has(other)) other.process.kill('SIGKILL');
      stop(1, 'a worker failed to start', 0);
      if (live.size === 0) process.exit(exitCode);
      return;
    }
    logger.error({ worker_pid: worker.process.pid, exit_code: code, signal }, 'worker exited; starting another');
    fork();
  });
  process.on('SIGHUP', () => {
    for (const worker of live) worker.process.kill('SIGHUP');
  });
  onStopSignals((signal) => stop(0, signal, delayFor(signal)), exitNow);
  return new Promise<number>(() => undefined);
}
