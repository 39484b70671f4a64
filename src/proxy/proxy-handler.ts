/**
 * The request path of the proxy listener: request ID and trace context, path checks, routing,
 * the access phase of the route's plugin chain, then the upstream call; and, once the exchange is
 * over, the log phase and the access-log line.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Errors, GatewayError } from '../errors.js';
import type { AccessLog } from '../observability/access-log.js';
import { requestIdFrom } from '../observability/request-id.js';
import { continueTrace } from '../observability/trace-context.js';
import type { ShortCircuit } from '../pipeline/contract.js';
import type { Logger } from 'pino';
import type { RouteMatch } from '../routing/router.js';
import { upstreamPath } from '../routing/upstream-path.js';
import type { CompiledConfig } from '../runtime/compiled-config.js';
import type { TrustedProxies } from './client-address.js';
import { normaliseAddress } from './client-address.js';
import { Exchange } from './exchange.js';
import { ProxyRequestContext, UNMATCHED_ROUTE } from './request-context.js';
import { isAcceptablePath, splitTarget, withoutQueryArgs } from './request-path.js';
import { sendError, sendShortCircuit } from './respond.js';
import { UpstreamCall } from './upstream-call.js';

export interface ProxyHandlerOptions {
  /** The config version to serve; read once per request so a swap never splits a request. */
  current: () => CompiledConfig | null;
  trustedProxies: TrustedProxies;
  latencyHeaders: boolean;
  accessLog: AccessLog;
  logger: Logger;
}

function hostOf(header: string | undefined): string {
  if (!header) return '';
  const end = header.charCodeAt(0) === 91 /* "[" */ ? header.indexOf(']') + 1 : header.indexOf(':');
  return (end > 0 ? header.slice(0, end) : header).toLowerCase();
}

export class ProxyHandler {
  constructor(private readonly options: ProxyHandlerOptions) {}

  handle(req: IncomingMessage, res: ServerResponse, listenerPort: number): void {
    const headers = req.headers;
    const exchange = new Exchange(req, res, requestIdFrom(headers['x-request-id']), continueTrace(headers.traceparent), performance.now(), listenerPort);
    res.on('close', () => {
      if (!res.writableFinished && exchange.lateCause === null) {
        exchange.clientClosed = true;
        exchange.call?.abort();
      }
      this.finish(exchange);
    });

    const [path, query] = splitTarget(req.url ?? '/');
    exchange.path = path;
    exchange.host = hostOf(headers.host);
    const peer = normaliseAddress(req.socket.remoteAddress ?? '');
    const peerTrusted = this.options.trustedProxies.isTrusted(peer);
    exchange.peerTrusted = peerTrusted;
    exchange.clientIp = peerTrusted ? this.options.trustedProxies.clientAddress(peer, headers['x-forwarded-for']) : peer;

    if (!isAcceptablePath(path)) {
      sendError(exchange, new GatewayError(Errors.badRequest, { message: 'Bad request: invalid path', cause: 'path with dot segments or bad percent-encoding' }));
      return;
    }
    const compiled = this.options.current();
    if (!compiled) {
      sendError(exchange, new GatewayError(Errors.serviceUnavailable, { message: 'no configuration loaded yet' }));
      return;
    }
    const match = compiled.router.match(req.method!, exchange.host, path, headers);
    if (!match) {
      if (compiled.globalChain.hasLog) {
        exchange.unmatchedChain = compiled.globalChain;
        exchange.ctx = new ProxyRequestContext(exchange.requestId, exchange.trace, req, req.method!, path, query, exchange.host, exchange.clientIp, UNMATCHED_ROUTE, null, {});
      }
      sendError(exchange, new GatewayError(Errors.noRoute));
      return;
    }
    const route = compiled.routes.get(match.route)!;
    exchange.compiled = route;
    const ctx = new ProxyRequestContext(exchange.requestId, exchange.trace, req, req.method!, path, query, exchange.host, exchange.clientIp, route.route, route.service, match.captures);
    exchange.ctx = ctx;

    if (!route.chain.hasAccess) {
      exchange.call = this.forward(exchange, ctx, match);
      return;
    }
    try {
      const answer = route.chain.runAccess(ctx);
      if (answer instanceof Promise) answer.then((settled) => this.afterAccess(exchange, ctx, match, settled), (error) => this.accessFailed(exchange, ctx, error));
      else this.afterAccess(exchange, ctx, match, answer);
    } catch (error) {
      this.accessFailed(exchange, ctx, error);
    }
  }

  /** The access phase is over: answer for a plugin that short-circuited, otherwise call the upstream. */
  private afterAccess(exchange: Exchange, ctx: ProxyRequestContext, match: RouteMatch, answer: void | ShortCircuit): void {
    exchange.requestId = ctx.id;
    if (answer) sendShortCircuit(exchange, answer);
    else exchange.call = this.forward(exchange, ctx, match);
  }

  private accessFailed(exchange: Exchange, ctx: ProxyRequestContext, error: unknown): void {
    exchange.requestId = ctx.id;
    if (error instanceof GatewayError) sendError(exchange, error);
    else {
      this.options.logger.error({ err: error, request_id: ctx.id }, 'plugin access phase failed');
      sendError(exchange, new GatewayError(Errors.internal, { cause: String(error) }));
    }
  }

  private forward(exchange: Exchange, ctx: ProxyRequestContext, match: RouteMatch): UpstreamCall | null {
    const route = exchange.compiled!;
    if (!route.balancer) {
      sendError(exchange, new GatewayError(Errors.serviceUnavailable, { message: 'no Service found with those values', cause: `route ${route.routeLabel} has no service` }));
      return null;
    }
    const query = ctx.removedQueryArgs ? withoutQueryArgs(ctx.query, ctx.removedQueryArgs) : ctx.query;
    const upstream = upstreamPath(match, ctx.path, route.service!.path);
    const strippedPrefix = route.route.strip_path ? match.matchedPath : '';
    const call = new UpstreamCall(exchange, ctx, query === '' ? upstream : `${upstream}?${query}`, strippedPrefix, this.options.latencyHeaders);
    call.start();
    return call;
  }

  private finish(exchange: Exchange): void {
    const now = performance.now();
    const summary = exchange.summary(now);
    const ctx = exchange.ctx;
    const chain = exchange.compiled?.chain ?? exchange.unmatchedChain;
    if (ctx && chain?.hasLog) {
      chain.runLog(ctx, summary, (plugin, error) => this.options.logger.error({ err: error, plugin, request_id: exchange.requestId }, 'plugin log phase failed'));
    }
    this.options.accessLog.write(exchange, summary, now);
  }
}
