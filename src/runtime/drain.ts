/**
 * A stop that loses no request (SIGTERM, `gatehouse stop`). Kubernetes signals a pod while its load
 * balancers still send it new connections, and Kong's users lose requests to that (docker-kong #194,
 * #259). So: `/status/ready` answers 503 at once; the listeners keep accepting for the drain delay,
 * every answer saying `Connection: close` so keep-alive clients reconnect elsewhere; then the proxy
 * listeners stop accepting and in-flight requests get up to the drain timeout; then the config store,
 * plugins and log queues are closed and flushed, and the admin and status listeners close last. A
 * caller waiting for the drain (`gatehouse stop`, a preStop hook) is answered then, and the process
 * exits only once that caller has hung up and its runtime has had time to see it exit: a hook still
 * running, or not yet reaped, when its container's main process ends is reported killed (exit 137,
 * Kubernetes' FailedPreStopHook, Kong #9644). Each step is logged.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { OpenTunnels } from '../websocket/open-tunnels.js';

/** However little of the timeout the requests left, log queues still get this long to flush. */
const MIN_RELEASE_MS = 1_000;
/**
 * How long the listeners stay open for the callers told the drain is done to hang up. `gatehouse stop`
 * hangs up by exiting, within milliseconds; a caller that keeps its connection open costs this much.
 */
const HANG_UP_MS = 2_000;
/**
 * After those callers hung up, how long the process waits before exiting. A container runtime that
 * has not yet collected the exit status of the hook's process when the main process ends reports the
 * hook killed: with `podman exec gatehouse stop` that happened in 2 of 10 stops with no wait at all.
 * Kubernetes sends SIGTERM as soon as the hook has returned, and that (any later stop) ends the wait.
 */
const AFTER_HANG_UP_MS = 1_000;

export interface DrainOptions {
  /** Proxy listeners: accepting through the delay, then closed with their in-flight requests awaited. */
  proxies: readonly FastifyInstance[];
  /** Admin and status listeners: answering (readiness 503) until everything else is done. */
  probes: readonly FastifyInstance[];
  /** WebSocket tunnels: they outlive their HTTP exchange, so the drain closes them itself at its timeout. */
  tunnels: OpenTunnels;
  delayMs: number;
  timeoutMs: number;
  logger: Logger;
  /** Closes the config store, plugin instances (flushing their log queues) and upstream pools. */
  release(): Promise<void>;
  /** Writes out the access log and log lines still buffered. */
  flush(): void;
  /**
   * Resolves once every process serving these listeners has finished its requests: a worker asks
   * the primary, which answers when every worker has. Absent: this process is the only one.
   */
  everyProcessDrained?(): Promise<void>;
}

/** Installed on every listener once the drain starts, so it costs nothing before. */
function closeAfterAnswer(_request: IncomingMessage, response: ServerResponse): void {
  response.shouldKeepAlive = false;
}

function openConnections(apps: readonly FastifyInstance[]): Promise<number> {
  const counts = apps.map((app) => new Promise<number>((resolve) => app.server.getConnections((error, count) => resolve(error ? 0 : count))));
  return Promise.all(counts).then((list) => list.reduce((a, b) => a + b, 0));
}

export class Drain {
  private startedAt: number | null = null;
  private endDelay: (() => void) | null = null;
  /** Ends the wait after the callers hung up; set while it runs. */
  private endAfterHangUp: (() => void) | null = null;
  private done: Promise<void> | null = null;
  /** Resolved with the drain's length once requests finished and everything was released. */
  private finished: (drainMs: number) => void = () => undefined;
  private readonly drained = new Promise<number>((resolve) => (this.finished = resolve));
  /** Connections of callers waiting for `drained`: the listeners close once they have hung up. */
  private readonly waiting = new Set<Socket>();

  constructor(private readonly options: DrainOptions) {}

  /** True from the drain's first moment: readiness answers 503. */
  get draining(): boolean {
    return this.startedAt !== null;
  }

  /**
   * The whole drain, the delay included; `reason` is logged. Calling it again joins the drain under
   * way, and ends its last wait for a hook's runtime (Kubernetes' SIGTERM after the preStop hook).
   */
  drain(reason: string, delayMs = this.options.delayMs): Promise<void> {
    this.endAfterHangUp?.();
    return (this.done ??= this.run(reason, delayMs));
  }

  /**
   * Resolves with the drain's length in ms once it is done (requests finished, plugins and log queues
   * closed), whenever it starts. The listeners then stay open until `connection` has closed (for at
   * most HANG_UP_MS), so its caller is answered and gone before this process exits.
   */
  whenDrained(connection: Socket): Promise<number> {
    this.waiting.add(connection);
    connection.once('close', () => this.waiting.delete(connection));
    return this.drained;
  }

  /** A drain without the delay (tests, a start that failed); cuts a delay under way short. */
  close(): Promise<void> {
    this.endDelay?.();
    return this.drain('close', 0);
  }

  /** For an exit that cannot wait (a second signal): cuts every connection and flushes the logs. */
  terminate(reason: string): void {
    const { proxies, probes, logger } = this.options;
    logger.warn({ reason }, 'exiting at once: open connections are cut');
    for (const app of [...proxies, ...probes]) app.server.closeAllConnections();
    this.options.tunnels.closeAll('exiting at once');
    this.options.flush();
  }

  private async run(reason: string, delayMs: number): Promise<void> {
    const { proxies, probes, timeoutMs, logger } = this.options;
    this.startedAt = Date.now();
    for (const app of [...proxies, ...probes]) app.server.prependListener('request', closeAfterAnswer);
    logger.info({ reason, drain_delay_ms: delayMs, drain_timeout_ms: timeoutMs }, 'draining: /status/ready answers 503; the listeners keep accepting for the drain delay');
    if (delayMs > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, delayMs);
        this.endDelay = () => (clearTimeout(timer), resolve());
      });
    }
    this.endDelay = null;
    const deadline = Date.now() + timeoutMs;
    await this.closeProxies(deadline);
    await this.release(deadline);
    await this.options.everyProcessDrained?.();
    this.finished(Date.now() - this.startedAt);
    await this.hangUps();
    await Promise.all(probes.map((app) => app.close()));
    this.options.flush();
    logger.info({ drain_ms: Date.now() - this.startedAt }, 'gatehouse stopped');
    logger.flush();
  }

  /** Waits for the callers answered that the drain is done to close their connections. */
  private async hangUps(): Promise<void> {
    if (this.waiting.size === 0) return;
    const { logger } = this.options;
    logger.info({ callers: this.waiting.size }, 'drained: the callers waiting for it are answered; exiting once they hang up');
    let timer: NodeJS.Timeout | undefined;
    const hungUp = Promise.all([...this.waiting].map((connection) => new Promise((resolve) => connection.once('close', resolve))));
    const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), HANG_UP_MS)));
    if ((await Promise.race([hungUp, late])) === 'late') logger.warn({ callers: this.waiting.size, hang_up_ms: HANG_UP_MS }, 'drained: callers answered still hold their connections; exiting anyway');
    clearTimeout(timer);
    await new Promise<void>((resolve) => {
      const wait = setTimeout(resolve, AFTER_HANG_UP_MS);
      this.endAfterHangUp = () => (clearTimeout(wait), resolve());
    });
    this.endAfterHangUp = null;
  }

  private async closeProxies(deadline: number): Promise<void> {
    const { proxies, logger } = this.options;
    // A connection whose last answer went out before the drain said keep-alive; Node re-reads this
    // when a response ends, so such connections close a moment after their answer, not after 65 s.
    for (const app of proxies) app.server.keepAliveTimeout = 1;
    const closed = Promise.all(proxies.map((app) => app.close()));
    logger.info({ open_connections: await openConnections(proxies), open_websockets: this.options.tunnels.size }, 'draining: proxy listeners closed; waiting for in-flight requests');
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      void openConnections(proxies).then((open) => {
        logger.warn({ drain_timeout_ms: this.options.timeoutMs, open_connections: open, open_websockets: this.options.tunnels.size }, 'drain timeout reached; closing remaining connections');
        for (const app of proxies) app.server.closeAllConnections();
        this.options.tunnels.closeAll('drain timeout');
      });
    }, Math.max(0, deadline - Date.now()));
    await closed;
    clearTimeout(timer);
    if (!timedOut) logger.info('draining: in-flight requests finished');
  }

  /** Store, plugins, log queues: bounded by what is left of the timeout (at least MIN_RELEASE_MS). */
  private async release(deadline: number): Promise<void> {
    const { logger } = this.options;
    let timer: NodeJS.Timeout | undefined;
    const outOfTime = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), Math.max(MIN_RELEASE_MS, deadline - Date.now()))));
    const release = this.options.release().then(
      () => true,
      (error: unknown) => (logger.error({ err: error }, 'draining: closing the store or a plugin failed'), true),
    );
    const released = await Promise.race([release, outOfTime]);
    clearTimeout(timer);
    if (released) logger.info('draining: config store, plugins and log queues closed');
    else logger.warn('drain timeout reached while closing plugins and log queues; unsent log entries are dropped');
  }
}
