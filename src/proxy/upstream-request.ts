/**
 * Builds the request head sent upstream: the client's end-to-end headers, then the headers the
 * gateway owns (Host, X-Forwarded-*, X-Real-IP, request ID, traceparent) and plugin overrides — set
 * last, so nothing a client sends, or lists in `Connection`, can remove or forge them; only a plugin's
 * override replaces a gateway-owned value.
 */
import type { IncomingMessage } from 'node:http';
import type { UpstreamTarget } from './balancer.js';
import { connectionListed, isHopByHop } from './hop-by-hop.js';
import type { ProxyRequestContext } from './request-context.js';

/** Client headers the gateway always replaces with its own values. */
const GATEWAY_OWNED = new Set([
  'host',
  'x-forwarded-for',
  'x-forwarded-proto',
  'x-forwarded-host',
  'x-forwarded-port',
  'x-forwarded-path',
  'x-forwarded-prefix',
  'x-real-ip',
  'x-request-id',
  'traceparent',
  // Answered by the gateway's own HTTP server; the upstream gets the body straight away.
  'expect',
  // HTTP/2 pseudo-headers: the upstream request has its own method, target and authority.
  ':method',
  ':path',
  ':authority',
  ':scheme',
  ':protocol',
]);

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

export function upstreamHeaders(ctx: ProxyRequestContext, target: UpstreamTarget, preserveHost: boolean, strippedPrefix: string): string[] {
  const req: IncomingMessage = ctx.raw;
  const headers = req.headers;
  const listed = connectionListed(headers.connection);
  const overrides = ctx.upstreamHeaders;
  const requestIdHeader = ctx.requestIdHeader;
  const out: string[] = [];
  for (const name in headers) {
    if (isHopByHop(name, listed) || GATEWAY_OWNED.has(name) || name === requestIdHeader || (overrides !== null && overrides.has(name))) continue;
    const value = headers[name];
    if (value === undefined) continue;
    if (typeof value === 'string') out.push(name, value);
    else for (const item of value) out.push(name, item);
  }

  const trusted = ctx.peerTrusted;
  const incomingFor = headers['x-forwarded-for'];
  const peer = req.socket.remoteAddress ?? '';
  const ownedStart = out.length;
  out.push(
    'host',
    preserveHost && ctx.authority !== '' ? ctx.authority : target.hostHeader,
    'x-forwarded-for',
    incomingFor ? `${Array.isArray(incomingFor) ? incomingFor.join(', ') : incomingFor}, ${peer}` : peer,
    'x-forwarded-proto',
    ctx.forwardedScheme,
    'x-forwarded-host',
    (trusted && first(headers['x-forwarded-host'])) || ctx.host,
    'x-forwarded-port',
    (trusted && first(headers['x-forwarded-port'])) || String(ctx.listenerPort),
    'x-forwarded-path',
    ctx.path,
    'x-real-ip',
    ctx.clientIp,
    requestIdHeader,
    ctx.id,
    'traceparent',
    ctx.trace.traceparent,
  );
  if (strippedPrefix !== '') out.push('x-forwarded-prefix', strippedPrefix);
  if (overrides !== null) {
    // A plugin's override also wins over the gateway's own value (e.g. a tracer's child span in traceparent).
    for (let i = out.length - 2; i >= ownedStart; i -= 2) if (overrides.has(out[i]!)) out.splice(i, 2);
    for (const [name, value] of overrides) {
      if (typeof value === 'string') out.push(name, value);
      else if (value !== null) for (const item of value) out.push(name, item);
    }
  }
  return out;
}
