/**
 * One proxied call over undici's dispatch API: picks a target, streams the request body up and the
 * response body down with backpressure, retries connection failures of body-less idempotent requests
 * on another target after a short jittered backoff, tells the target's health what happened, and maps
 * failures to the contract's 502/504 — or cuts the response off when it had already started.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex, Readable } from 'node:stream';
import type { Dispatcher } from 'undici';
import { Errors, GatewayError } from '../errors.js';
import type { ForwardableRoute } from '../runtime/compiled-config.js';
import { pickUsable, type Balancer, type UpstreamTarget } from './balancer.js';
import type { Exchange } from './exchange.js';
import { connectionListed } from './hop-by-hop.js';
import { guardedBody, hasBody, observeRequestChunk } from './request-body.js';
import type { PreparedRequestBody } from './request-body-buffer.js';
import type { ProxyRequestContext } from './request-context.js';
import { HeldResponse, headWithoutFraming, letGo, transformedResponseBody, wantsWholeBody } from './response-body-buffer.js';
import { PROXIED_BODY, type Responder } from './responder.js';
import { upstreamHeaders } from './upstream-request.js';
import { errorCode, upstreamError } from './upstream-error.js';
import { mayRetry } from './retry-policy.js';
import { scheduleRetry } from './retry-backoff.js';
import { openTunnel } from '../websocket/tunnel.js';

export class UpstreamCall implements Dispatcher.DispatchHandler {
  private controller: Dispatcher.DispatchController | null = null;
  private target: UpstreamTarget | null = null;
  private attempts = 0;
  private readonly ctx: ProxyRequestContext;
  private readonly streamsBody: boolean;
  private readonly method: string;
  /** A response whose body a plugin wants whole, until it is (null: it streams). */
  private held: HeldResponse | null = null;

  constructor(
    private readonly exchange: Exchange,
    private readonly route: ForwardableRoute,
    private readonly responder: Responder,
    /** Path and query sent upstream. */
    private readonly path: string,
    private readonly strippedPrefix: string,
    /** The route's balancer, or the one of the destination a plugin chose (canary). */
    private readonly balancer: Balancer,
    /** The body when a plugin asked for it whole (ctx.bufferRequestBody); null: the client's stream. */
    private readonly prepared: PreparedRequestBody | null = null,
  ) {
    this.ctx = exchange.request;
    this.streamsBody = prepared === null ? hasBody(this.ctx.raw) : prepared.chunks !== null;
    this.method = this.ctx.upstreamMethod ?? this.ctx.method;
  }

  start(): void {
    const { exchange, ctx, route } = this;
    const target = pickUsable(this.balancer, ctx, this.target);
    if (!target) {
      this.responder.sendError(exchange, new GatewayError(Errors.noHealthyUpstream, { cause: `no healthy target for service ${route.serviceLabel}` }));
      return;
    }
    const service = route.service;
    this.target = target;
    exchange.target = target;
    this.attempts++;
    target.active++;
    exchange.upstreamSentAt = performance.now();
    target.pool.dispatch(
      {
        path: this.path,
        method: this.method as Dispatcher.HttpMethod,
        headers: upstreamHeaders(ctx, target, route.route.preserve_host, this.strippedPrefix),
        // undici streams any async iterable body; its dispatch typings only list Readable.
        body: this.streamsBody ? (this.requestBody() as unknown as Readable) : null,
        headersTimeout: service.read_timeout,
        bodyTimeout: service.read_timeout,
        upgrade: exchange.upgrade === null ? null : 'websocket',
      },
      this,
    );
  }

  private requestBody(): AsyncGenerator<Buffer> {
    const { ctx, prepared } = this;
    const onTimeout = (error: Error) => this.controller?.abort(error);
    // A body read whole was counted and observed as it was read, and checked against the size cap.
    if (prepared?.observed) return guardedBody(prepared.chunks!, this.route.service.write_timeout, Infinity, () => undefined, onTimeout);
    return guardedBody(prepared?.chunks ?? ctx.raw, this.route.service.write_timeout, ctx.requestBodyLimit, (chunk) => observeRequestChunk(this.exchange, this.route.chain, chunk), onTimeout);
  }

  /** The client went away: stop the upstream call. */
  abort(): void {
    this.controller?.abort(new Error('client closed the connection'));
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    if (this.exchange.clientClosed) controller.abort(new Error('client closed the connection'));
  }

  onResponseStart(_controller: Dispatcher.DispatchController, statusCode: number, headers: IncomingHttpHeaders): void {
    const { exchange } = this;
    exchange.upstreamHeadersAt = performance.now();
    this.target!.health?.observeStatus(this.ctx, statusCode);
    const chain = this.route.chain;
    if (chain.hasUpstreamHead) {
      chain.runUpstreamHead(this.ctx, { status: statusCode, headers });
      if (wantsWholeBody(this.ctx, statusCode)) {
        this.held = new HeldResponse(statusCode, headers, this.ctx.responseBodyBuffer);
        return;
      }
    }
    this.sendHead(statusCode, headers);
  }

  /** The upstream accepted a WebSocket handshake: the call becomes a tunnel (its target stays in use until it closes). */
  onRequestUpgrade(_controller: Dispatcher.DispatchController, statusCode: number, headers: IncomingHttpHeaders, socket: Duplex): void {
    this.exchange.upstreamHeadersAt = performance.now();
    this.target!.health?.observeStatus(this.ctx, statusCode);
    openTunnel(this.exchange, this.route, this.responder, headers, socket as Socket);
  }

  /** Writes a streamed response's head; when Node refuses its bytes the call is aborted (502). */
  private sendHead(status: number, headers: IncomingHttpHeaders): boolean {
    const refused = this.responder.writeUpstreamHead(this.exchange, status, headers, PROXIED_BODY);
    if (refused !== null) this.controller?.abort(refused);
    return refused === null;
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    const chain = this.route.chain;
    if (chain.hasResponseBody) chain.runResponseBody(this.ctx, chunk);
    const held = this.held;
    if (held !== null) {
      if (!held.add(chunk)) {
        this.held = null;
        letGo(held, this.exchange, (status, headers) => this.sendHead(status, headers));
      }
      return;
    }
    this.exchange.bytesOut += chunk.length;
    if (!this.exchange.res.write(chunk)) {
      controller.pause();
      this.exchange.res.once('drain', () => this.controller?.resume());
    }
  }

  onResponseEnd(): void {
    this.release();
    const { res } = this.exchange;
    const req = this.ctx.raw;
    // The upstream answered before reading the whole body: the rest cannot be skipped safely (an
    // HTTP/2 stream is reset on its own; its connection carries other streams).
    if (!req.complete && req.httpVersionMajor < 2) res.once('finish', () => req.socket.destroy());
    if (this.held === null) {
      res.end();
      return;
    }
    const { status, headers } = this.held;
    const body = transformedResponseBody(this.ctx, this.route.chain, this.held.body());
    this.held = null;
    const refused = this.responder.writeUpstreamHead(this.exchange, status, headWithoutFraming(headers, connectionListed(headers.connection)), body.length);
    if (refused !== null) {
      this.responder.sendError(this.exchange, upstreamError(refused, this.target!.address, this.route.service));
      return;
    }
    this.exchange.bytesOut = body.length;
    res.end(body);
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    this.release();
    const { exchange, ctx } = this;
    const health = this.target!.health;
    if (exchange.clientClosed) {
      health?.observeAbandoned(ctx);
      return;
    }
    const service = this.route.service;
    // A GatewayError here was raised by the proxy itself (e.g. the request body crossed its size cap).
    const failure = error instanceof GatewayError ? error : upstreamError(error, this.target!.address, service);
    if (exchange.res.headersSent) {
      // The status line is gone already: the only honest signal left is a truncated response.
      exchange.lateCause = failure.causeText ?? errorCode(error);
      exchange.res.destroy();
      return;
    }
    const code = errorCode(error);
    if (error instanceof GatewayError) health?.observeAbandoned(ctx);
    else health?.observeFailure(ctx, failure.kind === Errors.upstreamTimeout ? 'timeout' : 'tcp', failure.causeText ?? code);
    if (mayRetry({ code, headArrived: exchange.upstreamHeadersAt !== 0, streamsBody: this.streamsBody, method: this.method, attempts: this.attempts, retries: service.retries })) {
      this.controller = null;
      scheduleRetry(this, this.attempts);
      return;
    }
    this.responder.sendError(exchange, failure);
  }

  /** The next attempt, after the backoff, unless the client left meanwhile. */
  retryAttempt(): void {
    if (!this.exchange.clientClosed) this.start();
  }

  private release(): void {
    if (this.target) this.target.active--;
  }
}
