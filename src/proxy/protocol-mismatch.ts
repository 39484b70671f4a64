/**
 * The answer to a request whose scheme its route's `protocols` do not take, as Kong gives it: a plain
 * request to a route that takes only TLS gets the route's `https_redirect_status_code` — 426 with
 * `Upgrade: TLS/1.2, HTTP/1.1`, or a redirect to the same target on `https://` — and a request over
 * TLS to a route that takes only plain protocols is not routed there (404, as Kong 3's router).
 * The scheme is the forwarded one, so a trusted proxy that terminated TLS is believed. A WebSocket
 * handshake on a route that takes none (grpc, grpcs) is not routed there either (404), and a plain
 * request on a ws/wss route is told to upgrade (426 with `Upgrade: websocket`).
 */
import { Errors, GatewayError } from '../errors.js';
import type { CompiledRoute } from '../runtime/compiled-config.js';
import type { Exchange } from './exchange.js';
import type { Responder } from './responder.js';

/** A host, optionally with a port, safe to put in a Location header. */
const FORWARDED_HOST = /^[a-z0-9.-]+(:\d{1,5})?$|^\[[0-9a-f:.]+\](:\d{1,5})?$/i;

export function answerOtherProtocol(responder: Responder, exchange: Exchange, route: CompiledRoute): void {
  const ctx = exchange.request;
  if (ctx.forwardedScheme === 'https' || !route.acceptsTls) {
    responder.sendError(exchange, new GatewayError(Errors.noRoute, { cause: `route ${route.routeLabel} does not take ${ctx.forwardedScheme}` }));
    return;
  }
  const status = route.route.https_redirect_status_code;
  const forwardedHost = ctx.peerTrusted ? ctx.headers['x-forwarded-host'] : undefined;
  const host = typeof forwardedHost === 'string' && FORWARDED_HOST.test(forwardedHost) ? forwardedHost : ctx.host;
  // Without a host (HTTP/1.0) there is nowhere to redirect to: the client is told to upgrade.
  if (status === Errors.httpsRequired.status || host === '') {
    // HTTP/2 has no Upgrade (RFC 9113 §8.6): there the 426 says it alone.
    if (ctx.raw.httpVersionMajor < 2) {
      ctx.setResponseHeader('connection', 'Upgrade');
      ctx.setResponseHeader('upgrade', 'TLS/1.2, HTTP/1.1');
    }
    responder.sendError(exchange, new GatewayError(Errors.httpsRequired));
    return;
  }
  // Kong: the forwarded host and the original target, without a port (the HTTPS port is 443 to clients).
  responder.sendShortCircuit(exchange, { status, headers: { location: `https://${host}${ctx.path}${ctx.query === '' ? '' : `?${ctx.query}`}` } });
}

export function answerOtherKind(responder: Responder, exchange: Exchange, route: CompiledRoute): void {
  if (exchange.upgrade !== null) {
    responder.sendError(exchange, new GatewayError(Errors.noRoute, { cause: `route ${route.routeLabel} does not take WebSocket` }));
    return;
  }
  exchange.request.setResponseHeader('connection', 'Upgrade');
  exchange.request.setResponseHeader('upgrade', 'websocket');
  responder.sendError(exchange, new GatewayError(Errors.websocketRequired, { cause: `route ${route.routeLabel} takes only WebSocket` }));
}
