/**
 * The body of request-termination's `echo` answer: what the gateway saw of the request, in Kong's
 * layout (`message`, the node, `request`, `matched_route`, `matched_service`), for debugging live
 * traffic with `trigger`. The request body is not read: Gatehouse never reads a body it does not need.
 */
import { hostname } from 'node:os';
import type { TLSSocket } from 'node:tls';
import type { RequestContext } from '../../src/plugin-kit/index.js';

/** Query arguments as Kong decodes them: a repeated name gives a list, a name without `=` gives true. */
export function queryObject(query: string): Record<string, string | true | (string | true)[]> {
  const out: Record<string, string | true | (string | true)[]> = {};
  if (query === '') return out;
  for (const pair of query.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const [name, value] = new URLSearchParams(pair).entries().next().value as [string, string];
    const entry: string | true = eq === -1 ? true : value;
    const current = out[name];
    if (current === undefined) out[name] = entry;
    else if (Array.isArray(current)) current.push(entry);
    else out[name] = [current, entry];
  }
  return out;
}

export function echoBody(ctx: RequestContext, message: string | undefined): Record<string, unknown> {
  const socket = ctx.raw.socket as TLSSocket;
  return {
    message,
    gatehouse: { hostname: hostname(), worker_pid: process.pid },
    request: {
      scheme: socket.encrypted ? 'https' : 'http',
      host: ctx.host,
      port: socket.localPort,
      method: ctx.method,
      path: ctx.path,
      query: queryObject(ctx.query),
      headers: ctx.headers,
      uri_captures: { named: ctx.captures },
    },
    matched_route: ctx.route,
    matched_service: ctx.service,
  };
}
