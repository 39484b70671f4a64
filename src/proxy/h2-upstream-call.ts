/**
 * One proxied call to an HTTP/2 upstream (a grpc/grpcs service, or `http_version: "2"`) on the
 * target's node:http2 session: the client's body is piped into the upstream stream and the response —
 * head, body, trailers — back to the client, each side's flow control pausing the other, or held whole
 * for a plugin that asked for it (response-body-buffer.ts; never a gRPC call's). A gRPC call's
 * `grpc-timeout` is its deadline: when it passes, the upstream stream is cancelled and the client gets
 * DEADLINE_EXCEEDED; an upstream that takes no body bytes for the service's `write_timeout` ends it
 * with 504. Failures map to the contract's errors (gRPC statuses for gRPC calls) as in UpstreamCall,
 * and are retried on another target by the same rules (retry-policy.ts); once the response started, a
 * gRPC call ends with the failure's status in its trailers and any other response is cut off. A client
 * that goes away cancels the upstream stream.
 */
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { constants, type ClientHttp2Stream, type OutgoingHttpHeaders } from 'node:http2';
import { once } from 'node:events';
import { Errors, GatewayError } from '../errors.js';
import type { ForwardableRoute } from '../runtime/compiled-config.js';
import { pickUsable, type Balancer, type UpstreamTarget } from './balancer.js';
import type { Abortable, Exchange } from './exchange.js';
import { grpcMessage, grpcTimeoutMs } from './grpc.js';
import { coarseNow, unwatchCall, watchCall, type TimedCall } from './h2-call-clock.js';
import { hasBody, observeRequestChunk, WriteTimeoutError } from './request-body.js';
import type { PreparedRequestBody } from './request-body-buffer.js';
import type { ProxyRequestContext } from './request-context.js';
import { PROXIED_BODY, type Responder } from './responder.js';
import { HeldResponse, headWithoutFraming, letGo, transformedResponseBody, wantsWholeBody } from './response-body-buffer.js';
import { errorCode, upstreamError } from './upstream-error.js';
import { scheduleRetry } from './retry-backoff.js';
import { mayRetry, REFUSED_STREAM_CODE } from './retry-policy.js';
import { upstreamHeaders } from './upstream-request.js';

const { NGHTTP2_CANCEL, NGHTTP2_FLAG_END_STREAM, NGHTTP2_NO_ERROR, NGHTTP2_REFUSED_STREAM } = constants;

/** What a gRPC trailers-only answer carries in its head that belongs in the client's trailers. */
const GRPC_STATUS_FIELDS = ['grpc-status', 'grpc-message', 'grpc-status-details-bin'] as const;

/** Named like undici's read timeout, so the log cause reads the same for both kinds of upstream. */
class ReadTimeoutError extends Error {
  readonly code = 'UND_ERR_BODY_TIMEOUT';
}

/** What a stream's events go to: its call, or nothing once the call moved on to another attempt. */
interface StreamOwner {
  onResponse(headers: IncomingHttpHeaders & { ':status'?: number }, flags: number): void;
  onData(chunk: Buffer): void;
  onTrailers(trailers: IncomingHttpHeaders): void;
  onEnd(): void;
  fail(error: unknown): void;
  closed(): void;
  onDrain(): void;
}

/** The owner of a failed attempt's stream once its call is retried: whatever that stream still says is over. */
const RETIRED: StreamOwner = {
  onResponse: () => undefined,
  onData: () => undefined,
  onTrailers: () => undefined,
  onEnd: () => undefined,
  fail: () => undefined,
  closed: () => undefined,
  onDrain: () => undefined,
};

/** Where the shared stream and request listeners find their call (a closure per listener per call costs). */
const CALL = Symbol('h2 upstream call');
type CallStream = ClientHttp2Stream & { [CALL]: StreamOwner };

function onStreamResponse(this: CallStream, headers: IncomingHttpHeaders & { ':status'?: number }, flags: number): void {
  this[CALL].onResponse(headers, flags);
}
function onStreamData(this: CallStream, chunk: Buffer): void {
  this[CALL].onData(chunk);
}
function onStreamTrailers(this: CallStream, trailers: IncomingHttpHeaders): void {
  this[CALL].onTrailers(trailers);
}
function onStreamEnd(this: CallStream): void {
  this[CALL].onEnd();
}
function onStreamError(this: CallStream, error: Error): void {
  this[CALL].fail(error);
}
function onStreamClose(this: CallStream): void {
  this[CALL].closed();
}
function onStreamDrain(this: CallStream): void {
  this[CALL].onDrain();
}
type CallRequest = IncomingMessage & { [CALL]: H2UpstreamCall };
function onRequestData(this: CallRequest, chunk: Buffer): void {
  this[CALL].onBodyChunk(chunk);
}
function onRequestEnd(this: CallRequest): void {
  this[CALL].onBodyEnd();
}

export class H2UpstreamCall implements Abortable, TimedCall, StreamOwner {
  private readonly ctx: ProxyRequestContext;
  private readonly streamsBody: boolean;
  private stream: ClientHttp2Stream | null = null;
  private target: UpstreamTarget | null = null;
  private attempts = 0;
  /** When the call's grpc-timeout passes (performance.now() time), or Infinity. */
  private deadlineAt = Infinity;
  /** Last time the upstream sent something or took a chunk of the body (the clock's coarse time). */
  private lastActivity = 0;
  /** Since when the upstream stream has not taken the body's last chunk (coarse time), or -1. */
  private writeBlockedSince = -1;
  private trailers: IncomingHttpHeaders | null = null;
  /** The response while a plugin waits for its body whole (response-transformer's JSON edits, proxy-cache). */
  private held: HeldResponse | null = null;
  /** A gRPC trailers-only answer's status fields, sent as the client's trailers. */
  private statusInHead: IncomingHttpHeaders | null = null;
  private settled = false;

  constructor(
    private readonly exchange: Exchange,
    private readonly route: ForwardableRoute,
    private readonly responder: Responder,
    /** Path and query sent upstream. */
    private readonly path: string,
    private readonly strippedPrefix: string,
    private readonly balancer: Balancer,
    /** The body when a plugin asked for it whole; null: the client's stream. */
    private readonly prepared: PreparedRequestBody | null = null,
  ) {
    this.ctx = exchange.request;
    this.streamsBody = prepared === null ? hasBody(this.ctx.raw) : prepared.chunks !== null;
  }

  start(): void {
    const { exchange, ctx, route, streamsBody } = this;
    const target = pickUsable(this.balancer, ctx, this.target);
    if (!target) {
      this.responder.sendError(exchange, new GatewayError(Errors.noHealthyUpstream, { cause: `no healthy target for service ${route.serviceLabel}` }));
      return;
    }
    this.target = target;
    exchange.target = target;
    this.attempts++;
    target.active++;
    exchange.upstreamSentAt = performance.now();
    if (exchange.grpc) {
      const timeout = grpcTimeoutMs(ctx.headers['grpc-timeout']);
      if (timeout !== null) this.deadlineAt = exchange.upstreamSentAt + timeout;
    }
    this.lastActivity = coarseNow();
    watchCall(this);
    let stream: ClientHttp2Stream;
    try {
      stream = target.h2!.request(this.headersFor(target), !streamsBody);
    } catch (error) {
      this.fail(error);
      return;
    }
    this.stream = stream;
    (stream as CallStream)[CALL] = this;
    stream.on('response', onStreamResponse);
    stream.on('data', onStreamData);
    stream.on('trailers', onStreamTrailers);
    stream.on('end', onStreamEnd);
    stream.on('error', onStreamError);
    stream.on('close', onStreamClose);
    if (streamsBody) this.sendBody(stream);
  }

  /**
   * The clock's tick: a passed deadline, an upstream that took no body bytes for write_timeout, or one
   * quiet for longer than read_timeout (not counting time it kept the body waiting) ends the call.
   */
  checkTime(now: number): void {
    const service = this.route.service;
    if (now >= this.deadlineAt) this.deadlineExceeded();
    else if (this.writeBlockedSince >= 0) {
      if (now - this.writeBlockedSince > service.write_timeout) {
        this.stream?.close(NGHTTP2_CANCEL);
        this.fail(new WriteTimeoutError(service.write_timeout));
      }
    } else if (now - this.lastActivity > service.read_timeout) {
      this.stream?.close(NGHTTP2_CANCEL);
      this.fail(new ReadTimeoutError(`nothing from the upstream for ${this.route.service.read_timeout}ms`));
    }
  }

  /** The upstream stream closed: a call not settled by then failed (reset, or its session went away). */
  closed(): void {
    if (!this.settled) this.fail(Object.assign(new Error(`upstream stream closed (code ${this.stream?.rstCode ?? NGHTTP2_NO_ERROR})`), { code: 'ERR_HTTP2_STREAM_CANCEL' }));
  }

  /** The upstream request head: the same headers as an HTTP/1.1 upstream gets, Host as :authority. */
  private headersFor(target: UpstreamTarget): OutgoingHttpHeaders {
    const ctx = this.ctx;
    const flat = upstreamHeaders(ctx, target, this.route.route.preserve_host, this.strippedPrefix);
    const out: OutgoingHttpHeaders = {
      ':method': ctx.upstreamMethod ?? ctx.method,
      ':path': this.path,
      ':scheme': this.route.service.protocol === 'https' || this.route.service.protocol === 'grpcs' ? 'https' : 'http',
    };
    for (let i = 0; i < flat.length; i += 2) {
      const name = flat[i]!;
      const value = flat[i + 1]!;
      if (name === 'host') {
        out[':authority'] = value;
        continue;
      }
      const existing = out[name];
      if (existing === undefined) out[name] = value;
      else if (Array.isArray(existing)) existing.push(value);
      else out[name] = [existing as string, value];
    }
    // The one TE value HTTP/2 allows; gRPC servers may require it.
    if (this.exchange.grpc) out.te = 'trailers';
    return out;
  }

  /** The client's body into the upstream stream, paused while the upstream's window is full. */
  private sendBody(stream: ClientHttp2Stream): void {
    const { ctx, prepared } = this;
    if (prepared !== null) {
      this.sendPrepared(stream, prepared).catch((error: unknown) => {
        stream.close(NGHTTP2_CANCEL);
        this.fail(error);
      });
      return;
    }
    const req = ctx.raw as CallRequest;
    req[CALL] = this;
    req.on('data', onRequestData);
    req.once('end', onRequestEnd);
  }

  /** A chunk of the client's body: on to the upstream stream, the client paused while it is full. */
  onBodyChunk(chunk: Buffer): void {
    const { exchange, ctx } = this;
    const stream = this.stream!;
    this.lastActivity = coarseNow();
    observeRequestChunk(exchange, this.route.chain, chunk);
    if (exchange.bytesIn > ctx.requestBodyLimit) {
      stream.close(NGHTTP2_CANCEL);
      this.fail(new GatewayError(Errors.bodyTooLarge, { cause: `request body exceeded ${ctx.requestBodyLimit} bytes` }));
      return;
    }
    if (!stream.write(chunk)) {
      this.writeBlockedSince = coarseNow();
      ctx.raw.pause();
      stream.once('drain', onStreamDrain);
    }
  }

  /** The client's body ended. */
  onBodyEnd(): void {
    const stream = this.stream!;
    if (!stream.destroyed) stream.end();
  }

  /** The upstream stream took what was buffered: the client's body flows again. */
  onDrain(): void {
    this.writeBlockedSince = -1;
    this.lastActivity = coarseNow();
    this.ctx.raw.resume();
  }

  /** A body a plugin read whole (or its start, then the rest of the client's stream). */
  private async sendPrepared(stream: ClientHttp2Stream, prepared: PreparedRequestBody): Promise<void> {
    for await (const chunk of prepared.chunks!) {
      if (!prepared.observed) observeRequestChunk(this.exchange, this.route.chain, chunk);
      if (!stream.write(chunk)) {
        this.writeBlockedSince = coarseNow();
        await once(stream, 'drain');
        this.writeBlockedSince = -1;
        this.lastActivity = coarseNow();
      }
    }
    stream.end();
  }

  onResponse(headers: IncomingHttpHeaders & { ':status'?: number }, flags: number): void {
    const { exchange, ctx } = this;
    exchange.upstreamHeadersAt = performance.now();
    this.lastActivity = coarseNow();
    const status = headers[':status'] ?? 502;
    delete headers[':status'];
    this.target!.health?.observeStatus(ctx, status);
    if (exchange.grpc && (flags & NGHTTP2_FLAG_END_STREAM) !== 0) {
      // Trailers-only: the status travels in the head; the client gets it as trailers after a plain head.
      const moved: IncomingHttpHeaders = {};
      for (const name of GRPC_STATUS_FIELDS) {
        if (headers[name] !== undefined) moved[name] = headers[name];
        delete headers[name];
      }
      this.statusInHead = moved;
    }
    const chain = this.route.chain;
    if (chain.hasUpstreamHead) {
      chain.runUpstreamHead(ctx, { status, headers });
      // A gRPC call's body is messages framed for its trailers' status: never held.
      if (!exchange.grpc && wantsWholeBody(ctx, status)) {
        this.held = new HeldResponse(status, headers, ctx.responseBodyBuffer);
        return;
      }
    }
    this.sendHead(status, headers);
  }

  /** Writes a streamed response's head; when Node refuses its bytes the call fails (502). */
  private sendHead(status: number, headers: IncomingHttpHeaders): boolean {
    const refused = this.responder.writeUpstreamHead(this.exchange, status, headers, PROXIED_BODY);
    if (refused === null) return true;
    this.stream?.close(NGHTTP2_CANCEL);
    this.fail(refused);
    return false;
  }

  onData(chunk: Buffer): void {
    const { exchange } = this;
    this.lastActivity = coarseNow();
    const chain = this.route.chain;
    if (chain.hasResponseBody) chain.runResponseBody(this.ctx, chunk);
    const held = this.held;
    if (held !== null) {
      if (!held.add(chunk)) {
        this.held = null;
        letGo(held, exchange, (status, headers) => this.sendHead(status, headers));
      }
      return;
    }
    exchange.bytesOut += chunk.length;
    if (!exchange.res.write(chunk)) {
      const stream = this.stream!;
      stream.pause();
      exchange.res.once('drain', () => stream.resume());
    }
  }

  onTrailers(trailers: IncomingHttpHeaders): void {
    this.trailers = trailers;
  }

  onEnd(): void {
    if (this.settled) return;
    this.settle();
    const { exchange } = this;
    const held = this.held;
    let body: Buffer | undefined;
    if (held !== null) {
      this.held = null;
      body = transformedResponseBody(this.ctx, this.route.chain, held.body());
      const refused = this.responder.writeUpstreamHead(exchange, held.status, headWithoutFraming(held.headers, null), body.length);
      if (refused !== null) {
        this.responder.sendError(exchange, upstreamError(refused, this.target!.address, this.route.service));
        return;
      }
      exchange.bytesOut = body.length;
    }
    const trailers = this.trailers ?? this.statusInHead;
    if (trailers !== null) {
      const status = trailers['grpc-status'];
      if (status !== undefined) exchange.grpcStatus = Number(status);
      exchange.res.addTrailers(trailers as Record<string, string>);
    }
    exchange.res.end(body);
  }

  /** The client went away: cancel the upstream stream. */
  abort(): void {
    this.stream?.close(NGHTTP2_CANCEL);
  }

  /** The call's deadline (grpc-timeout) passed. */
  deadlineExceeded(): void {
    this.stream?.close(NGHTTP2_CANCEL);
    this.fail(new GatewayError(Errors.upstreamTimeout, { message: 'Deadline Exceeded', cause: `grpc-timeout ${String(this.ctx.headers['grpc-timeout'])} passed` }));
  }

  fail(error: unknown): void {
    if (this.settled) return;
    const { exchange, ctx } = this;
    const health = this.target?.health;
    if (exchange.clientClosed) {
      this.settle();
      health?.observeAbandoned(ctx);
      return;
    }
    const gatewayMade = error instanceof GatewayError;
    const cause = gatewayMade ? error : sessionCause(error);
    const failure = gatewayMade ? error : upstreamError(cause, this.target?.address ?? '', this.route.service);
    const { res } = exchange;
    if (res.headersSent) {
      this.settle();
      exchange.lateCause = failure.causeText ?? failure.kind.code;
      if (exchange.grpc && !res.writableEnded) {
        // The head went out: the call still ends with a status, in its trailers.
        exchange.error = failure;
        exchange.grpcStatus = failure.grpcStatus;
        res.addTrailers({ 'grpc-status': String(failure.grpcStatus), 'grpc-message': grpcMessage(failure.message) });
        res.end();
      } else res.destroy();
      return;
    }
    if (gatewayMade) health?.observeAbandoned(ctx);
    else {
      health?.observeFailure(ctx, failure.kind === Errors.upstreamTimeout ? 'timeout' : 'tcp', failure.causeText ?? failure.kind.code);
      if (this.retried(cause)) return;
    }
    this.settle();
    this.responder.sendError(exchange, failure);
  }

  /**
   * Starts the next attempt after the backoff when the failure allows one (retry-policy.ts): the
   * target is released, the failed stream's events go nowhere from now on.
   */
  private retried(cause: unknown): boolean {
    const stream = this.stream;
    const code = stream?.rstCode === NGHTTP2_REFUSED_STREAM ? REFUSED_STREAM_CODE : errorCode(cause);
    const { exchange, route } = this;
    if (!mayRetry({ code, headArrived: exchange.upstreamHeadersAt !== 0, streamsBody: this.streamsBody, method: this.ctx.upstreamMethod ?? this.ctx.method, attempts: this.attempts, retries: route.service.retries })) return false;
    if (stream !== null) {
      (stream as CallStream)[CALL] = RETIRED;
      if (!stream.destroyed) stream.close(NGHTTP2_CANCEL);
      this.stream = null;
    }
    unwatchCall(this);
    this.target!.active--;
    scheduleRetry(this, this.attempts);
    return true;
  }

  /** The next attempt, after the backoff, unless the client left meanwhile (the failed attempt already released its target). */
  retryAttempt(): void {
    if (this.exchange.clientClosed) this.settled = true;
    else this.start();
  }

  /** The call's outcome is decided: the target is released and the deadline no longer runs. */
  private settle(): void {
    this.settled = true;
    unwatchCall(this);
    if (this.target) this.target.active--;
  }
}

/** A stream cancelled because its session failed (refused, TLS, connect timeout) names the session's error as its cause. */
function sessionCause(error: unknown): unknown {
  const { code, cause } = error as { code?: string; cause?: unknown };
  return code === 'ERR_HTTP2_STREAM_CANCEL' && cause instanceof Error ? cause : error;
}

