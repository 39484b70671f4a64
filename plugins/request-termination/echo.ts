/**
 * The body of request-termination's `echo` answer: what the gateway saw of the request, in Kong's
 * layout (`message`, the node, `request`, `matched_route`, `matched_service`), for debugging live
 * traffic with `trigger`. The request body is not read: Gatehouse never reads a body it does not need.
 */
import { hostname } from 'node:os';
import type { TLSSocket } from 'node:tls';
import { queryTable, type RequestContext } from '../../src/plugin-kit/index.js';

/** Query arguments as Kong's table gives them: one value as itself, a repeated name as a list, a name without `=` as true. */
export function queryObject(query: string): Record<string, string | true | (string | true)[]> {
  const out: Record<string, string | true | (string | true)[]> = {};
  for (const [name, values] of queryTable(query)) out[name] = values.length === 1 ? values[0]! : values;
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
