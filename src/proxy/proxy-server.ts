/**
 * The proxy listener: a Fastify instance whose router hands every request, raw, to the proxy
 * handler through its `defaultRoute` (no route is registered: routing is Gatehouse's own table, and
 * bodies are never parsed or buffered). Fastify still owns listening, TLS, parser errors and the
 * graceful close; skipping its per-request Request/Reply objects and hooks is measured throughput.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { Logger } from 'pino';
import { handleClientError } from './client-error.js';
import type { ProxyHandler } from './proxy-handler.js';

/** Above typical client keep-alive (browsers, load balancers use 60s), as Kong's 60s. */
const KEEP_ALIVE_TIMEOUT_MS = 65_000;

export interface ProxyServerOptions {
  handler: ProxyHandler;
  logger: Logger;
  maxHeaderBytes: number;
  /** PEM certificate and key: the listener speaks HTTPS. */
  tls?: { cert: Buffer; key: Buffer };
}

export function buildProxyServer(options: ProxyServerOptions): FastifyInstance {
  let listenerPort = 0;
  const common: FastifyServerOptions = {
    logger: false,
    keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS,
    requestTimeout: 0,
    forceCloseConnections: 'idle',
    routerOptions: {
      defaultRoute: (req: IncomingMessage, res: ServerResponse) => {
        if (listenerPort === 0) listenerPort = (app.server.address() as AddressInfo).port;
        options.handler.handle(req, res, listenerPort);
      },
    },
    clientErrorHandler: (error: Error & { code?: string }, socket: Socket) => handleClientError(error, socket, options.logger),
  };
  const app: FastifyInstance = options.tls
    ? (Fastify({ ...common, https: { ...options.tls, maxHeaderSize: options.maxHeaderBytes } } as FastifyServerOptions) as FastifyInstance)
    : Fastify({ ...common, http: { maxHeaderSize: options.maxHeaderBytes } });
  return app;
}
