/**
 * One proxied call over undici's dispatch API: picks a target, streams the request body up and the
 * response body down with backpressure, retries connection failures of body-less idempotent requests
 * on another target, and maps failures to the contract's 502/504 — or cuts the response off when it
 * had already started.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import type { Dispatcher } from 'undici';
import { Errors, GatewayError } from '../errors.js';
import type { ResponseHead } from '../pipeline/contract.js';
import { pickUsable, type UpstreamTarget } from './balancer.js';
import type { Exchange } from './exchange.js';
import { appendEndToEnd, connectionListed } from './hop-by-hop.js';
import { guardedBody, hasBody } from './request-body.js';
import type { ProxyRequestContext } from './request-context.js';
import { sendError } from './respond.js';
import { upstreamHeaders } from './upstream-request.js';
import { errorCode, isConnectFailure, upstreamError } from './upstream-error.js';

const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE', 'PUT', 'DELETE']);
const RETRYABLE_AFTER_CONNECT = new Set(['ECONNRESET', 'UND_ERR_SOCKET', 'EPIPE']);
const UPSTREAM_LATENCY = 'x-gatehouse-upstream-latency';
const PROXY_LATENCY = 'x-gatehouse-proxy-latency';

export class UpstreamCall implements Dispatcher.DispatchHandler {
  private controller: Dispatcher.DispatchController | null = null;
  private target: UpstreamTarget | null = null;
  private attempts = 0;
  private readonly streamsBody: boolean;

  constructor(
    private readonly exchange: Exchange,
    private readonly ctx: ProxyRequestContext,
    private readonly path: string,
    private readonly strippedPrefix: string,
    /** Send X-Gatehouse-Upstream-Latency / X-Gatehouse-Proxy-Latency to the client. */
    private readonly latencyHeaders: boolean,
  ) {
    this.streamsBody = hasBody(exchange.req);
  }

  start(): void {
    const { exchange, ctx } = this;
    const compiled = exchange.compiled!;
    const target = pickUsable(compiled.balancer!, ctx, this.target);
    if (!target) {
      sendError(exchange, new GatewayError(Errors.noHealthyUpstream, { cause: `no healthy target for service ${compiled.serviceLabel}` }));
      return;
    }
    const service = compiled.service!;
    this.target = target;
    exchange.target = target;
    this.attempts++;
    target.active++;
    exchange.upstreamSentAt = performance.now();
    target.pool.dispatch(
      {
        path: this.path,
        method: ctx.method as Dispatcher.HttpMethod,
        headers: upstreamHeaders(ctx, target, compiled.route.preserve_host, this.strippedPrefix, exchange),
        // undici streams any async iterable body; its dispatch typings only list Readable.
        body: this.streamsBody
          ? (guardedBody(exchange.req, service.write_timeout, ctx.requestBodyLimit, (chunk) => this.onRequestChunk(chunk), (error) => this.controller?.abort(error)) as unknown as Readable)
          : null,
        headersTimeout: service.read_timeout,
        bodyTimeout: service.read_timeout,
      },
      this,
    );
  }

  private onRequestChunk(chunk: Buffer): void {
    this.exchange.bytesIn += chunk.length;
    const chain = this.exchange.compiled!.chain;
    if (chain.hasRequestBody) chain.runRequestBody(this.ctx, chunk);
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
    const { exchange, ctx } = this;
    const { res } = exchange;
    exchange.upstreamHeadersAt = performance.now();
    exchange.status = statusCode;
    this.target!.health?.recordSuccess();
    const chain = exchange.compiled!.chain;
    if (chain.hasResponse) {
      const head: ResponseHead = { status: statusCode, headers };
      chain.runResponse(ctx, head);
      exchange.status = head.status;
    }
    const out: string[] = [];
    const requestIdHeader = ctx.requestIdHeader;
    appendEndToEnd(out, headers, connectionListed(headers.connection), requestIdHeader);
    out.push(requestIdHeader, ctx.id);
    if (this.latencyHeaders) {
      out.push(
        UPSTREAM_LATENCY,
        String(Math.round(exchange.upstreamHeadersAt - exchange.upstreamSentAt)),
        PROXY_LATENCY,
        String(Math.round(exchange.upstreamSentAt - exchange.startedAt)),
      );
    }
    if (ctx.responseHeaders !== null) out.push(...ctx.responseHeaders);
    try {
      res.writeHead(exchange.status, out);
    } catch (error) {
      // Node refuses header bytes it would not send; the upstream's response is unusable.
      this.controller?.abort(Object.assign(new Error(String(error)), { code: 'HPE_INVALID_HEADER_TOKEN' }));
    }
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.exchange.bytesOut += chunk.length;
    const chain = this.exchange.compiled!.chain;
    if (chain.hasResponseBody) chain.runResponseBody(this.ctx, chunk);
    if (!this.exchange.res.write(chunk)) {
      controller.pause();
      this.exchange.res.once('drain', () => this.controller?.resume());
    }
  }

  onResponseEnd(): void {
    this.release();
    const { req, res } = this.exchange;
    // The upstream answered before reading the whole body: the rest cannot be skipped safely.
    if (!req.complete) res.once('finish', () => req.socket.destroy());
    res.end();
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    this.release();
    const { exchange, ctx } = this;
    if (exchange.clientClosed) return;
    const service = exchange.compiled!.service!;
    // A GatewayError here was raised by the proxy itself (e.g. the request body crossed its size cap).
    const failure = error instanceof GatewayError ? error : upstreamError(error, this.target!.address, service);
    if (exchange.res.headersSent) {
      // The status line is gone already: the only honest signal left is a truncated response.
      exchange.lateCause = failure.causeText ?? errorCode(error);
      exchange.res.destroy();
      return;
    }
    const code = errorCode(error);
    if (isConnectFailure(code)) this.target!.health?.recordFailure(failure.causeText ?? code, Date.now());
    const retryable = isConnectFailure(code) || (RETRYABLE_AFTER_CONNECT.has(code) && exchange.upstreamHeadersAt === 0);
    if (retryable && !this.streamsBody && IDEMPOTENT.has(ctx.method) && this.attempts <= service.retries) {
      this.controller = null;
      this.start();
      return;
    }
    sendError(exchange, failure);
  }

  private release(): void {
    if (this.target) this.target.active--;
  }
}
