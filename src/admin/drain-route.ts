/**
 * `POST /drain`: what `gatehouse stop` (a Kubernetes preStop hook) calls to drain a running instance,
 * as SIGTERM would. It goes over the admin API rather than a signal or a pid file because that works
 * from another container of the pod, without a shared process namespace and on a read-only root
 * filesystem. It changes the instance's state, so unlike the probes it needs the admin token.
 * With `?wait=true` the answer is two JSON lines: the drain's settings at once, then `drained` once
 * in-flight requests finished and log queues were flushed — asked for before the drain starts, so a
 * drain quicker than a second request is still seen ending.
 */
import type { Socket } from 'node:net';
import { PassThrough } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import type { Settings } from '../settings/schema.js';

export interface DrainControl {
  readonly draining: boolean;
  /** Resolves with the drain's length once in-flight requests finished; the process then waits for `connection` to close before exiting. */
  whenDrained(connection: Socket): Promise<number>;
}

export function registerDrainRoute(app: FastifyInstance, settings: Settings, drain: DrainControl, requestDrain: () => void): void {
  app.post('/drain', async (request, reply) => {
    const drained = (request.query as { wait?: string }).wait === 'true' ? drain.whenDrained(request.raw.socket) : null;
    requestDrain();
    const draining = { draining: true, drain_delay_ms: settings.DRAIN_DELAY_MS, drain_timeout_ms: settings.DRAIN_TIMEOUT_MS };
    if (!drained) return reply.code(202).send(draining);
    const lines = new PassThrough();
    lines.write(`${JSON.stringify(draining)}\n`);
    void drained.then((drainMs) => lines.end(`${JSON.stringify({ drained: true, drain_ms: drainMs })}\n`));
    // A drain closes connections after their answer; this one stays open for its caller to hang up,
    // which tells the drain the caller has its answer and is gone.
    reply.raw.shouldKeepAlive = true;
    return reply.code(202).type('application/x-ndjson').send(lines);
  });
}
