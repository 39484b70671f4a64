/**
 * The admin listener (127.0.0.1:8001 by default): status, readiness and metrics, the Kong-compatible
 * admin REST API over the config store, upstream health, the OpenAPI document and plugin schemas,
 * and the drain (`POST /drain`, `GET /drain`). The listener itself serves only the probe routes; the
 * rest of the API (admin-api.ts: a hundred-odd routes, their handlers, the router's trees and the
 * modules behind them, which a sidecar probed all day never uses) is loaded and built on the first
 * request for another path, and every request that is not a probe is handed to it whole, before its
 * body is read.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { withoutSchemaCompilers } from '../http/no-schema-compilers.js';
import type { ConfigStore } from '../config-store/config-store.js';
import type { HealthService } from '../health/health-service.js';
import type { PluginRegistry } from '../pipeline/registry.js';
import type { GatewayRuntime } from '../runtime/runtime.js';
import type { Settings } from '../settings/schema.js';
import { adminErrorOptions, registerErrorHandler } from './admin-errors.js';
import type { DrainControl } from './drain-route.js';
import type { ProxyListener } from './node-info-route.js';
import { registerProbeRoutes } from './probe-routes.js';

export interface AdminContext {
  runtime: GatewayRuntime;
  store: ConfigStore;
  registry: PluginRegistry;
  logger: Logger;
  health: HealthService;
  drain: DrainControl;
  /** What `POST /drain` does. */
  requestDrain: () => void;
  /** The proxy listeners as bound now (`GET /`). */
  proxyListeners: () => readonly ProxyListener[];
}

export function buildAdminServer(settings: Settings, context: AdminContext): FastifyInstance {
  const app = Fastify({ logger: false, forceCloseConnections: true, ...withoutSchemaCompilers, ...adminErrorOptions(context.logger) });
  addConfigVersionHeader(app, context.runtime);
  registerErrorHandler(app, context.logger);
  registerProbeRoutes(app, context);
  let api: Promise<FastifyInstance> | null = null;
  app.addHook('onRequest', (request, reply, done) => {
    if (request.routeOptions.config.withoutAdminToken) {
      done();
      return;
    }
    reply.hijack();
    (api ??= import('./admin-api.js').then(({ buildAdminApi }) => buildAdminApi(settings, context))).then(
      (full) => full.routing(request.raw, reply.raw),
      (error: Error) => {
        context.logger.error({ err: error.message }, 'the admin API could not be built');
        reply.raw.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ message: 'An unexpected error occurred' }));
      },
    );
  });
  app.addHook('onClose', async () => {
    if (api !== null) await (await api).close();
  });
  return app;
}

/** Every admin answer says which config version served it. */
export function addConfigVersionHeader(app: FastifyInstance, runtime: GatewayRuntime): void {
  app.addHook('onSend', async (_request, reply) => {
    reply.header('x-config-version', String(runtime.version));
  });
}
