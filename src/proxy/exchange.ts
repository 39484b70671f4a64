/**
 * How one exchange goes while it is in flight: the response being written, timings, bytes, the
 * target used and the outcome. What the request is lives in its `request` context; the access log,
 * metrics and the log phase read both at the end.
 */
import type { ServerResponse } from 'node:http';
import type { GatewayError } from '../errors.js';
import type { PluginChain } from '../pipeline/chain.js';
import type { RequestSummary, WebSocketOutcome } from '../pipeline/contract.js';
import type { WebSocketUpgrade } from '../websocket/tunnel.js';
import type { UpstreamTarget } from './balancer.js';
import type { ProxyRequestContext } from './request-context.js';

/** Logged status when the client went away before the response finished (nginx's convention). */
export const CLIENT_CLOSED_STATUS = 499;

/**
 * All the exchange knows of its upstream call: that it can be stopped. It holds the call object, not
 * a closure: with a `() => call.abort()` made per request, passthrough measured 194k–266k instructions
 * per request under callgrind (most of the rise in the scavenger) against 179k–181k without.
 */
export interface Abortable {
  abort(): void;
}

export class Exchange {
  /**
   * The chain whose log phase sees this exchange: the matched route's, or the global plugins' when no
   * route matched (as in Kong); null when there is none to run.
   */
  logChain: PluginChain | null = null;
  /** The upstream call in flight, stopped when the client goes away. */
  upstreamCall: Abortable | null = null;
  /** The framing of the request cannot be trusted: the connection closes after the answer. */
  closeConnection = false;
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
  /** The request is a gRPC call: the gateway's own answers are gRPC statuses. */
  grpc = false;
  /** The call's grpc-status, once known (upstream trailers or the gateway's answer). */
  grpcStatus: number | null = null;
  /** A WebSocket handshake: the client's socket, to join to the upstream's after a 101. */
  upgrade: WebSocketUpgrade | null = null;
  /** How the WebSocket tunnel ended, once it did. */
  websocket: WebSocketOutcome | null = null;

  constructor(
    readonly request: ProxyRequestContext,
    readonly res: ServerResponse,
    readonly startedAt: number,
  ) {
    request.exchange = this;
  }

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
      grpcStatus: this.grpcStatus,
      websocket: this.websocket,
    };
  }
}
