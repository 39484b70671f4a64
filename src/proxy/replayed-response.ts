/**
 * A stored upstream response a plugin answers with (`asUpstream`, a proxy-cache hit), sent as though
 * the upstream had just sent it: the route's `upstreamHead` and `responseBody` observers and its body
 * transforms see it as they see a proxied response, so a hit and a miss reach the client alike.
 */
import type { PluginChain } from '../pipeline/chain.js';
import type { ResponseHead, ShortCircuit } from '../pipeline/contract.js';
import type { Exchange } from './exchange.js';
import type { Responder } from './responder.js';
import { transformedResponseBody, wantsWholeBody } from './response-body-buffer.js';

const EMPTY = Buffer.alloc(0);

export function sendReplayed(exchange: Exchange, chain: PluginChain, responder: Responder, answer: ShortCircuit): void {
  const ctx = exchange.request;
  const { status } = answer;
  const headers: ResponseHead['headers'] = {};
  // The responder sets the length of the body it sends (copied, not deleted: a delete slows the object).
  for (const name in answer.headers) if (name !== 'content-length') headers[name] = answer.headers[name];
  let body = Buffer.isBuffer(answer.body) ? answer.body : typeof answer.body === 'string' ? Buffer.from(answer.body) : EMPTY;
  if (chain.hasUpstreamHead) chain.runUpstreamHead(ctx, { status, headers });
  if (chain.hasResponseBody && ctx.method !== 'HEAD') chain.runResponseBody(ctx, body);
  if (wantsWholeBody(ctx, status)) body = transformedResponseBody(ctx, chain, body);
  responder.sendComplete(exchange, status, headers, body);
}
