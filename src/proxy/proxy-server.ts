/**
 * The proxy listeners: Fastify instances whose router hands every request, raw, to the proxy handler
 * through its `defaultRoute` (no route is registered: routing is Gatehouse's own table, and bodies
 * are never parsed or buffered). Fastify still owns listening, TLS, parser errors and the graceful
 * close; skipping its per-request Request/Reply objects and hooks is measured throughput. The HTTPS
 * listener's TLS options come from one function, `proxyTlsOptions`, built from the certificates being
 * served: the place where other TLS settings join them (ALPN offers h2, then http/1.1). HTTP/2
 * connections are handed to an Http2Listener (ALPN h2; on the plain listener, prior knowledge when
 * GATEHOUSE_PROXY_H2C is on) that feeds the same handler.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { SecureContextOptions, TlsOptions } from 'node:tls';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { Logger } from 'pino';
import { withoutSchemaCompilers } from '../http/no-schema-compilers.js';
import type { ServedCertificates } from '../tls/served-certificates.js';
import { TLS_POLICY } from '../tls/tls-policy.js';
import { handleClientError } from './client-error.js';
import { Http2Listener } from './http2-listener.js';
import type { ProxyHandler } from './proxy-handler.js';
import { upgradeListener } from '../websocket/upgrade-listener.js';

/** Above typical client keep-alive (browsers, load balancers use 60s), as Kong's 60s. */
const KEEP_ALIVE_TIMEOUT_MS = 65_000;

/** What a request learns from the listener it arrived on. */
export interface ListenerFacts {
  /** The listener's own port (known once it listens). */
  port: number;
  /** What the listener speaks: the scheme the client used to reach the gateway. */
  readonly scheme: 'http' | 'https';
}

export interface ProxyServerOptions {
  handler: ProxyHandler;
  logger: Logger;
  maxHeaderBytes: number;
  /** TLS options (`proxyTlsOptions`): the listener speaks HTTPS. */
  tls?: TlsOptions;
  /** Serve HTTP/2 too: over TLS by ALPN, in plain text by prior knowledge (h2c). */
  http2?: boolean;
}

/** Refuses the handshake of a client whose server name no certificate serves. */
class NoCertificateError extends Error {
  readonly code = 'GW_TLS_NO_CERTIFICATE';
}

/** The no-SNI default's options: the policy with the `*` SNI's (or TLS_CERT's) pair, or none. */
function defaultContextOptions(certificates: ServedCertificates): SecureContextOptions {
  const pem = certificates.forNoName()?.pem;
  if (!pem) return { ...TLS_POLICY };
  return pem.cert_alt !== undefined && pem.key_alt !== undefined ? { ...TLS_POLICY, cert: [pem.cert, pem.cert_alt], key: [pem.key, pem.key_alt] } : { ...TLS_POLICY, cert: pem.cert, key: pem.key };
}

/**
 * The HTTPS listener's TLS options: the policy (versions, ciphers, tickets), the certificate picked per
 * handshake by server name from what is served at that moment, and the default for clients that send
 * no name. Extend the returned object (ALPNProtocols…) rather than building another.
 */
export function proxyTlsOptions(certificates: ServedCertificates): TlsOptions {
  return {
    ...defaultContextOptions(certificates),
    ALPNProtocols: ['h2', 'http/1.1'],
    SNICallback: (servername, done) => {
      const served = certificates.forName(servername);
      if (served) done(null, served.context);
      else done(new NoCertificateError(`no certificate for server name ${servername}`), undefined);
    },
  };
}

/**
 * Makes the HTTPS listener's default context (clients without SNI) follow the served version; Node
 * reads it per handshake, so connections already open keep theirs. Returns the fingerprint now used.
 */
export function refreshDefaultCertificate(app: FastifyInstance, certificates: ServedCertificates, inUse: string | null): string | null {
  const fingerprint = certificates.forNoName()?.fingerprint ?? null;
  if (fingerprint !== inUse) (app.server as unknown as { setSecureContext(options: SecureContextOptions): void }).setSecureContext(defaultContextOptions(certificates));
  return fingerprint;
}

export function buildProxyServer(options: ProxyServerOptions): FastifyInstance {
  const listener: ListenerFacts = { port: 0, scheme: options.tls ? 'https' : 'http' };
  const facts = (): ListenerFacts => {
    if (listener.port === 0) listener.port = (app.server.address() as AddressInfo).port;
    return listener;
  };
  const common: FastifyServerOptions = {
    logger: false,
    ...withoutSchemaCompilers,
    keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS,
    requestTimeout: 0,
    forceCloseConnections: 'idle',
    routerOptions: {
      defaultRoute: (req: IncomingMessage, res: ServerResponse) => options.handler.handle(req, res, facts()),
    },
    clientErrorHandler: (error: Error & { code?: string }, socket: Socket) => handleClientError(error, socket, options.logger),
  };
  // Repeated header lines are joined into one list rather than all but the first dropped, so two Host
  // lines fail the host check; a missing Host is answered by the request-head check with the
  // contract's body rather than by Node's bare 400.
  const parsing = { maxHeaderSize: options.maxHeaderBytes, joinDuplicateHeaders: true, requireHostHeader: false };
  const app: FastifyInstance = options.tls
    ? (Fastify({ ...common, https: { ...options.tls, ...parsing } } as FastifyServerOptions) as FastifyInstance)
    : Fastify({ ...common, http: parsing });
  // Upgrade requests come here rather than to defaultRoute: WebSocket handshakes, and others served as plain HTTP.
  app.server.on('upgrade', upgradeListener(app.server, options.tls !== undefined, (req, res, client) => options.handler.handleUpgrade(req, res, client, facts())));
  if (options.http2) {
    const http2 = new Http2Listener({ maxHeaderBytes: options.maxHeaderBytes, onRequest: (req, res) => options.handler.handle(req, res, facts()), logger: options.logger });
    if (options.tls) http2.acceptAlpn(app.server);
    else http2.acceptPriorKnowledge(app.server);
    // GOAWAY before the listener closes: streams under way finish, then their connections close.
    app.addHook('preClose', (done) => {
      http2.close();
      done();
    });
    // The drain's last resort (and terminate) cut HTTP/2 connections as well as HTTP/1.1 ones.
    const closeAllConnections = app.server.closeAllConnections.bind(app.server);
    app.server.closeAllConnections = () => {
      http2.destroy();
      closeAllConnections();
    };
  }
  return app;
}
