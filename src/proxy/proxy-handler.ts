/**
 * The request path of the proxy listener: the request head's checks, request ID and trace context,
 * routing, the access phase of the route's plugin chain, then the upstream call (over undici, or
 * node:http2 for a service that speaks HTTP/2 upstream); and, once the exchange is over, the log
 * phase and the access-log line. A WebSocket handshake takes the same path, its upstream call asking
 * for the upgrade; it is logged when its tunnel closes.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { Errors, GatewayError } from '../errors.js';
import type { AccessLog } from '../observability/access-log.js';
import { requestIdFrom } from '../observability/request-id.js';
import { continueTrace } from '../observability/trace-context.js';
import type { ShortCircuit } from '../pipeline/contract.js';
import type { RouteMatch } from '../routing/router.js';
import { upstreamPath } from '../routing/upstream-path.js';
import { isForwardable, type CompiledConfig, type CompiledRoute } from '../runtime/compiled-config.js';
import type { TrustedProxies } from './client-address.js';
import { normalizeAddress } from './client-address.js';
import { Exchange } from './exchange.js';
import { isGrpcRequest } from './grpc.js';
import { H2UpstreamCall } from './h2-upstream-call.js';
import type { ListenerFacts } from './proxy-server.js';
import { answerOtherKind, answerOtherProtocol } from './protocol-mismatch.js';
import { ProxyRequestContext } from './request-context.js';
import { ASTERISK, HeadRejected, rawPathOf, readRequestHead } from './request-head.js';
import { isAcceptablePath } from './request-path.js';
import { prepareRequestBody } from './request-body-buffer.js';
import { sendReplayed } from './replayed-response.js';
import { Responder } from './responder.js';
import { UpstreamCall } from './upstream-call.js';
import { handshakeProblem, WEBSOCKET_VERSION } from '../websocket/handshake.js';
import type { OpenTunnels } from '../websocket/open-tunnels.js';
import type { WebSocketUpgrade } from '../websocket/tunnel.js';
import type { ClientUpgrade } from '../websocket/upgrade-listener.js';

export interface ProxyHandlerOptions {
  /** The config version to serve; read once per request so a swap never splits a request. */
  current: () => CompiledConfig | null;
  trustedProxies: TrustedProxies;
  latencyHeaders: boolean;
  accessLog: AccessLog;
  logger: Logger;
  /** Where WebSocket tunnels are registered for the drain. */
  tunnels: OpenTunnels;
}

/** Where the shared close listener finds its exchange (a closure per request costs, as exchange.ts measured). */
const EXCHANGE = Symbol('exchange');
type ExchangeResponse = ServerResponse & { [EXCHANGE]: Exchange };

export class ProxyHandler {
  private readonly responder: Responder;
  private readonly endTunnel = (exchange: Exchange) => this.finish(exchange);
  /** Every response's 'close' listener (`this`: the response): the exchange is over, or the client went away. */
  private readonly onResponseClose: (this: ServerResponse) => void;

  constructor(private readonly options: ProxyHandlerOptions) {
    this.responder = new Responder(options.latencyHeaders);
    const handler = this;
    this.onResponseClose = function (this: ServerResponse) {
      const exchange = (this as ExchangeResponse)[EXCHANGE];
      if (!this.writableFinished && exchange.lateCause === null) {
        exchange.clientClosed = true;
        exchange.upstreamCall?.abort();
      }
      handler.finish(exchange);
    };
  }

  /** A WebSocket handshake (upgrade-listener.ts), with a response object on its detached socket. */
  handleUpgrade(req: IncomingMessage, res: ServerResponse, client: ClientUpgrade, listener: ListenerFacts): void {
    this.handle(req, res, listener, { ...client, tunnels: this.options.tunnels, onEnd: this.endTunnel });
  }

  handle(req: IncomingMessage, res: ServerResponse, listener: ListenerFacts, upgrade: WebSocketUpgrade | null = null): void {
    const startedAt = performance.now();
    const headers = req.headers;
    const head = readRequestHead(req);
    // A refused head (and `OPTIONS *`) is logged as it came.
    const target = head instanceof HeadRejected || head === ASTERISK ? null : head;
    const rawHost = head instanceof HeadRejected ? head.rawHost : '';
    const peer = normalizeAddress(req.socket.remoteAddress ?? '');
    const { trustedProxies } = this.options;
    const peerTrusted = trustedProxies.isTrusted(peer);
    const ctx = new ProxyRequestContext({
      raw: req,
      id: requestIdFrom(headers['x-request-id']),
      trace: continueTrace(headers.traceparent),
      path: target === null ? rawPathOf(req.url ?? '') : target.path,
      query: target === null ? '' : target.query,
      authority: target === null ? rawHost : target.authority,
      host: target === null ? rawHost : target.host,
      clientIp: peerTrusted ? trustedProxies.clientAddress(peer, headers['x-forwarded-for']) : peer,
      peerTrusted,
      listenerPort: listener.port,
      scheme: listener.scheme,
    });
    const exchange = new Exchange(ctx, res, startedAt);
    if (req.httpVersionMajor === 2 && isGrpcRequest(headers)) exchange.grpc = true;
    if (upgrade !== null) exchange.upgrade = upgrade;
    (res as ExchangeResponse)[EXCHANGE] = exchange;
    res.on('close', this.onResponseClose);

    if (head === ASTERISK) {
      this.responder.sendOptionsAsterisk(exchange);
      return;
    }
    if (head instanceof HeadRejected) {
      exchange.closeConnection = true;
      this.responder.sendError(exchange, new GatewayError(Errors.badRequest, { cause: head.cause }));
      return;
    }
    if (!isAcceptablePath(head.path)) {
      this.responder.sendError(exchange, new GatewayError(Errors.badRequest, { message: 'Bad request: invalid path', cause: 'path with dot segments or bad percent-encoding' }));
      return;
    }
    const problem = upgrade === null ? null : handshakeProblem(req);
    if (problem !== null) {
      this.responder.sendError(exchange, new GatewayError(Errors.badRequest, { message: 'Bad request: invalid WebSocket handshake', headers: { 'sec-websocket-version': WEBSOCKET_VERSION }, cause: problem }));
      return;
    }
    const config = this.options.current();
    if (!config) {
      this.responder.sendError(exchange, new GatewayError(Errors.serviceUnavailable, { message: 'no configuration loaded yet' }));
      return;
    }
    const match = config.router.match(ctx.method, ctx.host, ctx.path, headers);
    if (!match) {
      if (config.globalChain.hasLog) exchange.logChain = config.globalChain;
      this.responder.sendError(exchange, new GatewayError(Errors.noRoute));
      return;
    }
    const route = config.routes.get(match.route)!;
    ctx.matched = route;
    ctx.captures = match.captures;
    if (route.chain.hasLog) exchange.logChain = route.chain;
    if (!(ctx.forwardedScheme === 'https' ? route.acceptsTls : route.acceptsPlain)) {
      answerOtherProtocol(this.responder, exchange, route);
      return;
    }
    if (upgrade === null ? route.onlyWebSocket : !route.acceptsWebSocket) {
      answerOtherKind(this.responder, exchange, route);
      return;
    }

    if (!route.chain.hasAccess) {
      this.forward(exchange, route, match);
      return;
    }
    try {
      const answer = route.chain.runAccess(ctx);
      if (answer instanceof Promise) answer.then((settled) => this.afterAccess(exchange, route, match, settled), (error) => this.accessFailed(exchange, error));
      else this.afterAccess(exchange, route, match, answer);
    } catch (error) {
      this.accessFailed(exchange, error);
    }
  }

  /** The access phase is over: answer for a plugin that short-circuited, otherwise call the upstream. */
  private afterAccess(exchange: Exchange, route: CompiledRoute, match: RouteMatch, answer: void | ShortCircuit): void {
    if (!answer) this.forward(exchange, route, match);
    else if (answer.asUpstream) sendReplayed(exchange, route.chain, this.responder, answer);
    else this.responder.sendShortCircuit(exchange, answer);
  }

  private accessFailed(exchange: Exchange, error: unknown): void {
    if (error instanceof GatewayError) this.responder.sendError(exchange, error);
    else {
      this.options.logger.error({ err: error, request_id: exchange.request.id }, 'plugin access phase failed');
      this.responder.sendError(exchange, new GatewayError(Errors.internal, { cause: String(error) }));
    }
  }

  private forward(exchange: Exchange, route: CompiledRoute, match: RouteMatch): void {
    if (!isForwardable(route)) {
      this.responder.sendError(exchange, new GatewayError(Errors.serviceUnavailable, { message: 'no Service found with those values', cause: `route ${route.routeLabel} has no service` }));
      return;
    }
    const ctx = exchange.request;
    const query = ctx.upstreamQueryString();
    if (ctx.upstreamPathOverride !== null && !isAcceptablePath(ctx.upstreamPathOverride)) {
      this.responder.sendError(exchange, new GatewayError(Errors.badRequest, { message: 'Bad request: invalid path', cause: `rewritten upstream path ${JSON.stringify(ctx.upstreamPathOverride)}` }));
      return;
    }
    const upstream = ctx.upstreamPathOverride ?? upstreamPath(match, ctx.path, route.service.path);
    const path = query === '' ? upstream : `${upstream}?${query}`;
    const strippedPrefix = route.route.strip_path ? match.matchedPath : '';
    const balancer = ctx.destination === null ? route.balancer : ctx.destination.balancer;
    const Call = route.http2Upstream ? H2UpstreamCall : UpstreamCall;
    if (ctx.requestBodyBuffer === 0 && ctx.readBody === null) {
      const call = new Call(exchange, route, this.responder, path, strippedPrefix, balancer);
      exchange.upstreamCall = call;
      call.start();
      return;
    }
    prepareRequestBody(exchange, route.chain).then(
      (prepared) => {
        if (exchange.clientClosed) return;
        const call = new Call(exchange, route, this.responder, path, strippedPrefix, balancer, prepared);
        exchange.upstreamCall = call;
        call.start();
      },
      (error: unknown) => {
        if (error instanceof GatewayError) this.responder.sendError(exchange, error);
        // Otherwise the client's stream failed: it went away mid-body, and nobody is left to answer.
        else exchange.res.destroy();
      },
    );
  }

  private finish(exchange: Exchange): void {
    const now = performance.now();
    const summary = exchange.summary(now);
    const chain = exchange.logChain;
    if (chain !== null) {
      chain.runLog(exchange.request, summary, (plugin, error) => this.options.logger.error({ err: error, plugin, request_id: exchange.request.id }, 'plugin log phase failed'));
    }
    this.options.accessLog.write(exchange, summary, now);
  }
}
