/**
 * Everything known about one request/response exchange while it is in flight: timings, bytes,
 * the target used and the outcome; the access log, metrics and the log phase read it at the end.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { GatewayError } from '../errors.js';
import type { PluginChain } from '../pipeline/chain.js';
import type { RequestSummary } from '../pipeline/contract.js';
import type { CompiledRoute } from '../runtime/compiled-config.js';
import type { TraceContext } from '../observability/trace-context.js';
import type { UpstreamTarget } from './balancer.js';
import type { ProxyRequestContext } from './request-context.js';
import type { UpstreamCall } from './upstream-call.js';
import type { ForwardedFacts } from './upstream-request.js';

/** Logged status when the client went away before the response finished (nginx's convention). */
export const CLIENT_CLOSED_STATUS = 499;

export class Exchange implements ForwardedFacts {
  ctx: ProxyRequestContext | null = null;
  compiled: CompiledRoute | null = null;
  /** The upstream call in flight, aborted when the client goes away. */
  call: UpstreamCall | null = null;
  /** The global plugins whose log phase sees this request when it matched no route. */
  unmatchedChain: PluginChain | null = null;
  path = '';
  host = '';
  clientIp = '';
  /** The client's peer is a trusted proxy, so its X-Forwarded-Proto/Host/Port are believed. */
  peerTrusted = false;
  upstreamSentAt = 0;
  upstreamHeadersAt = 0;
  status = 0;
  bytesIn = 0;
  bytesOut = 0;
  target: UpstreamTarget | null = null;
  error: GatewayError | null = null;
  /** Cause of a failure that happened after the response started (cut-off), for the log. */
  lateCause: string | null = null;
  /** The client closed the connection before the response finished. */
  clientClosed = false;

  constructor(
    readonly req: IncomingMessage,
    readonly res: ServerResponse,
    public requestId: string,
    readonly trace: TraceContext,
    readonly startedAt: number,
    /** The port of the listener the request arrived on. */
    readonly listenerPort: number,
  ) {}

  summary(now: number): RequestSummary {
    const upstream = this.upstreamHeadersAt > 0 ? this.upstreamHeadersAt - this.upstreamSentAt : null;
    const proxyEnd = this.upstreamSentAt > 0 ? this.upstreamSentAt : now;
    return {
      status: this.clientClosed ? CLIENT_CLOSED_STATUS : this.status,
      bytesIn: this.bytesIn,
      bytesOut: this.bytesOut,
      latency: {
        request: Math.round(now - this.startedAt),
        upstream: upstream === null ? null : Math.round(upstream),
        proxy: Math.round(proxyEnd - this.startedAt),
      },
      upstream: this.target?.address ?? null,
      time: {
        start: performance.timeOrigin + this.startedAt,
        upstreamStart: this.upstreamSentAt > 0 ? performance.timeOrigin + this.upstreamSentAt : null,
        end: performance.timeOrigin + now,
      },
      error: this.error?.kind.error ?? null,
      cause: this.error?.causeText ?? this.lateCause,
    };
  }
}
