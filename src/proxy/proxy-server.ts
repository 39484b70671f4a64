/**
 * The proxy listener: a Fastify instance with one catch-all route whose handler takes the raw
 * request and response (bodies are never parsed or buffered), and framework-level errors mapped to
 * the contract's error bodies.
 */
import type { AddressInfo, Socket } from 'node:net';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest, type FastifyServerOptions } from 'fastify';
import type { Logger } from 'pino';
import { Errors, errorBody, GatewayError } from '../errors.js';
import { requestIdFrom } from '../observability/request-id.js';
import { handleClientError } from './client-error.js';
import type { ProxyHandler } from './proxy-handler.js';

/** Above typical client keep-alive (browsers, load balancers use 60s), as Kong's 60s. */
const KEEP_ALIVE_TIMEOUT_MS = 65_000;
/** Long paths must reach routing; path length is not a routing concern. */
const MAX_PATH_PARAM_LENGTH = 65_535;
const NO_QUERY = Object.freeze({});

export interface ProxyServerOptions {
  handler: ProxyHandler;
  logger: Logger;
  maxHeaderBytes: number;
  /** PEM certificate and key: the listener speaks HTTPS. */
  tls?: { cert: Buffer; key: Buffer };
}

export function buildProxyServer(options: ProxyServerOptions): FastifyInstance {
  const common: FastifyServerOptions = {
    logger: false,
    keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS,
    requestTimeout: 0,
    forceCloseConnections: 'idle',
    return503OnClosing: true,
    routerOptions: {
      maxParamLength: MAX_PATH_PARAM_LENGTH,
      // The raw query string is forwarded byte-for-byte; Fastify's parsed copy would be unused work.
      querystringParser: () => NO_QUERY,
    },
    clientErrorHandler: (error: Error & { code?: string }, socket: Socket) => handleClientError(error, socket, options.logger),
    frameworkErrors: (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
      const requestId = requestIdFrom(request.headers['x-request-id']);
      const gatewayError = new GatewayError(Errors.badRequest, { cause: error.code });
      options.logger.info({ request_id: requestId, status: 400, error: 'bad_request', cause: error.code }, 'access');
      void reply.code(400).header('x-request-id', requestId).type('application/json; charset=utf-8').send(errorBody(gatewayError, requestId));
    },
  };
  const app: FastifyInstance = options.tls
    ? (Fastify({ ...common, https: { ...options.tls, maxHeaderSize: options.maxHeaderBytes } } as FastifyServerOptions) as FastifyInstance)
    : Fastify({ ...common, http: { maxHeaderSize: options.maxHeaderBytes } });
  app.removeAllContentTypeParsers();
  // Leave the body stream untouched: the proxy streams it upstream itself.
  app.addContentTypeParser('*', (_request, _payload, done) => done(null));
  let listenerPort = 0;
  app.all('*', (request, reply) => {
    reply.hijack();
    if (listenerPort === 0) listenerPort = (app.server.address() as AddressInfo).port;
    options.handler.handle(request.raw, reply.raw, listenerPort);
  });
  return app;
}
