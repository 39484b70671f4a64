/**
 * Answers the gateway makes itself — contract errors and plugin short-circuits — written with the
 * request ID header, passed through the route's response phase when a route matched.
 */
import { errorBody, GatewayError } from '../errors.js';
import type { ResponseHead, ShortCircuit } from '../pipeline/contract.js';
import { REQUEST_ID_HEADER } from '../observability/request-id.js';
import type { Exchange } from './exchange.js';
import { appendEndToEnd } from './hop-by-hop.js';

const JSON_TYPE = 'application/json; charset=utf-8';

/** Writes a complete response unless the response already started (then the connection is cut). */
function writeComplete(exchange: Exchange, head: ResponseHead, body: string | Buffer): void {
  const { res, ctx } = exchange;
  if (res.headersSent || res.destroyed) {
    res.destroy();
    return;
  }
  if (ctx && exchange.compiled?.chain.hasResponse) exchange.compiled.chain.runResponse(ctx, head);
  const headers: string[] = [];
  const requestIdHeader = ctx?.requestIdHeader ?? REQUEST_ID_HEADER;
  appendEndToEnd(headers, head.headers, null, requestIdHeader);
  headers.push(requestIdHeader, exchange.requestId);
  if (ctx?.responseHeaders) headers.push(...ctx.responseHeaders);
  headers.push('content-length', String(Buffer.byteLength(body)));
  // A request body still arriving cannot be skipped safely: close the connection after answering.
  if (!exchange.req.complete) headers.push('connection', 'close');
  exchange.status = head.status;
  exchange.bytesOut = Buffer.byteLength(body);
  res.writeHead(head.status, headers);
  res.end(exchange.req.method === 'HEAD' ? undefined : body);
}

export function sendError(exchange: Exchange, error: GatewayError): void {
  exchange.error = error;
  writeComplete(exchange, { status: error.status, headers: { 'content-type': JSON_TYPE, ...error.headers } }, errorBody(error, exchange.requestId));
}

export function sendShortCircuit(exchange: Exchange, answer: ShortCircuit): void {
  const headers: ResponseHead['headers'] = { ...answer.headers };
  let body: string | Buffer = '';
  if (typeof answer.body === 'string' || Buffer.isBuffer(answer.body)) body = answer.body;
  else if (answer.body !== undefined) {
    body = JSON.stringify(answer.body);
    headers['content-type'] ??= JSON_TYPE;
  }
  writeComplete(exchange, { status: answer.status, headers }, body);
}
