/**
 * Every response head the client receives is written here, for proxied and gateway-made answers
 * alike: the route's response phase, the end-to-end headers, the request-ID header, the latency
 * headers once an upstream answered, and the plugins' response headers — so a header added for one
 * kind of answer cannot be missed by the other. The gateway's own answers (contract errors, plugin
 * short-circuits, `OPTIONS *`) are written whole here too.
 */
import { STATUS_CODES } from 'node:http';
import { errorBody, grpcStatusOfHttp, type GatewayError } from '../errors.js';
import type { ResponseHead, ShortCircuit } from '../pipeline/contract.js';
import type { Exchange } from './exchange.js';
import { GRPC_CONTENT_TYPE, grpcMessage } from './grpc.js';
import { appendEndToEnd, connectionListed } from './hop-by-hop.js';
import { hasBody } from './request-body.js';

const JSON_TYPE = 'application/json; charset=utf-8';
const UPSTREAM_LATENCY = 'x-gatehouse-upstream-latency';
const PROXY_LATENCY = 'x-gatehouse-proxy-latency';
/** What `OPTIONS *` answers: the methods the gateway forwards (any route may narrow them). */
const ALLOWED_METHODS = 'GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS';

/** `bodyLength` of writeHead for an upstream's body, which streams after the head. */
export const PROXIED_BODY = -1;

export class Responder {
  constructor(
    /** Send X-Gatehouse-Upstream-Latency / X-Gatehouse-Proxy-Latency once an upstream answered. */
    private readonly latencyHeaders: boolean,
  ) {}

  /**
   * Runs the response phase and writes the head. `bodyLength` is the byte length of a body the gateway
   * made, or PROXIED_BODY. Throws when Node refuses a header's bytes (only an upstream's can be bad).
   */
  writeHead(exchange: Exchange, status: number, headers: ResponseHead['headers'], bodyLength: number): void {
    const ctx = exchange.request;
    const chain = ctx.matched?.chain;
    if (chain?.hasResponse) {
      const head: ResponseHead = { status, headers };
      chain.runResponse(ctx, head);
      status = head.status;
      headers = head.headers;
    }
    const proxied = bodyLength === PROXIED_BODY;
    const requestIdHeader = ctx.requestIdHeader;
    const out: string[] = [];
    appendEndToEnd(out, headers, proxied ? connectionListed(headers.connection) : null, requestIdHeader);
    out.push(requestIdHeader, ctx.id);
    if (this.latencyHeaders && exchange.upstreamHeadersAt > 0) {
      out.push(
        UPSTREAM_LATENCY,
        String(Math.round(exchange.upstreamHeadersAt - exchange.upstreamSentAt)),
        PROXY_LATENCY,
        String(Math.round(exchange.upstreamSentAt - exchange.startedAt)),
      );
    }
    if (ctx.responseHeaders !== null) out.push(...ctx.responseHeaders);
    // A WebSocket handshake's answer keeps the two hop-by-hop headers that make it one (RFC 6455 §4.2.2).
    if (status === 101) out.push('connection', 'Upgrade', 'upgrade', 'websocket');
    if (!proxied) {
      out.push('content-length', String(bodyLength));
      // A request body still arriving cannot be skipped safely, nor can a head whose framing is in doubt.
      // (A request without a body is not `complete` until its handler returns: it keeps its connection.)
      // An HTTP/2 stream is closed on its own; its connection carries other streams and no such header.
      if (ctx.raw.httpVersionMajor < 2 && (exchange.closeConnection || (!ctx.raw.complete && hasBody(ctx.raw)))) out.push('connection', 'close');
    }
    exchange.status = status;
    exchange.res.writeHead(status, out);
  }

  /** writeHead for an upstream's head: the error to fail the call with when Node refuses its bytes (a 502), else null. */
  writeUpstreamHead(exchange: Exchange, status: number, headers: ResponseHead['headers'], bodyLength: number): Error | null {
    try {
      this.writeHead(exchange, status, headers, bodyLength);
      return null;
    } catch (error) {
      return Object.assign(new Error(String(error)), { code: 'HPE_INVALID_HEADER_TOKEN' });
    }
  }

  sendError(exchange: Exchange, error: GatewayError): void {
    exchange.error = error;
    if (exchange.grpc) {
      this.sendGrpcStatus(exchange, error.grpcStatus, error.message, error.headers);
      return;
    }
    this.sendComplete(exchange, error.status, { 'content-type': JSON_TYPE, ...error.headers }, errorBody(error, exchange.request.id));
  }

  sendShortCircuit(exchange: Exchange, answer: ShortCircuit): void {
    if (exchange.grpc && answer.status >= 300) {
      this.sendGrpcStatus(exchange, grpcStatusOfHttp(answer.status), STATUS_CODES[answer.status] ?? String(answer.status), answer.headers);
      return;
    }
    const headers: ResponseHead['headers'] = { ...answer.headers };
    let body: string | Buffer = '';
    if (typeof answer.body === 'string' || Buffer.isBuffer(answer.body)) body = answer.body;
    else if (answer.body !== undefined) {
      body = JSON.stringify(answer.body);
      headers['content-type'] ??= JSON_TYPE;
    }
    this.sendComplete(exchange, answer.status, headers, body);
  }

  /** `OPTIONS *` asks what the server can do; the gateway answers for itself (RFC 9110 §9.3.7). */
  sendOptionsAsterisk(exchange: Exchange): void {
    this.sendComplete(exchange, 200, { allow: ALLOWED_METHODS }, '');
  }

  /**
   * A gRPC call the gateway ends itself: HTTP 200, `application/grpc`, no message, and the status in
   * the trailers (grpc-status, grpc-message), which every gRPC client reads as the call's outcome.
   */
  sendGrpcStatus(exchange: Exchange, grpcStatus: number, message: string, headers: ResponseHead['headers'] = {}): void {
    const { res } = exchange;
    if (res.headersSent || res.destroyed) {
      res.destroy();
      return;
    }
    exchange.grpcStatus = grpcStatus;
    this.writeHead(exchange, 200, { ...headers, 'content-type': GRPC_CONTENT_TYPE }, 0);
    res.addTrailers({ 'grpc-status': String(grpcStatus), 'grpc-message': grpcMessage(message) });
    res.end();
  }

  /** Writes a whole answer, unless the response already started (then the connection is cut). */
  sendComplete(exchange: Exchange, status: number, headers: ResponseHead['headers'], body: string | Buffer): void {
    const { res } = exchange;
    if (res.headersSent || res.destroyed) {
      res.destroy();
      return;
    }
    const length = Buffer.byteLength(body);
    this.writeHead(exchange, status, headers, length);
    exchange.bytesOut = length;
    res.end(exchange.request.method === 'HEAD' ? undefined : body);
  }
}
