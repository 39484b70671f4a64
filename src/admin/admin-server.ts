/**
 * The admin listener (127.0.0.1:8001 by default): status, readiness and metrics, the Kong-compatible
 * admin REST API over the config store, upstream health, the OpenAPI document and plugin schemas,
 * and the drain (`POST /drain`, `GET /drain`).
 */
import Fastify, { type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { withoutSchemaCompilers } from '../http/no-schema-compilers.js';
import type { ConfigStore } from '../config-store/config-store.js';
import type { HealthService } from '../health/health-service.js';
import type { PluginRegistry } from '../pipeline/registry.js';
import type { GatewayRuntime } from '../runtime/runtime.js';
import type { Settings } from '../settings/schema.js';
import { requireBearerToken } from './admin-auth.js';
import { adminErrorOptions, registerErrorHandler } from './admin-errors.js';
import { registerBodyParsers } from './body-parsers.js';
import { registerConfigRoutes } from './config-routes.js';
import { ConfigWriter } from './config-writer.js';
import { registerDrainRoute, type DrainControl } from './drain-route.js';
import { registerEntityRoutes } from './entity-routes.js';
import { registerNodeInfoRoute, type ProxyListener } from './node-info-route.js';
import { registerHealthRoutes } from './health-routes.js';
import { registerSchemaRoutes } from './openapi.js';
import { registerPluginRoutes } from './plugin-routes.js';
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

/** Whole configs can be large (10,000 routes). */
const BODY_LIMIT_BYTES = 64 * 1024 * 1024;

export function buildAdminServer(settings: Settings, context: AdminContext): FastifyInstance {
  const app = Fastify({ logger: false, forceCloseConnections: true, bodyLimit: BODY_LIMIT_BYTES, ...withoutSchemaCompilers, ...adminErrorOptions(context.logger) });
  if (settings.ADMIN_TOKEN) requireBearerToken(app, settings.ADMIN_TOKEN);
  app.addHook('onSend', async (_request, reply) => {
    reply.header('x-config-version', String(context.runtime.version));
  });
  registerBodyParsers(app);
  registerErrorHandler(app, context.logger);
  registerProbeRoutes(app, context);
  registerNodeInfoRoute(app, context.proxyListeners);
  registerDrainRoute(app, settings, context.drain, context.requestDrain);
  const writer = new ConfigWriter(context.store, context.runtime, context.registry);
  registerEntityRoutes(app, context.runtime, writer);
  registerHealthRoutes(app, context.runtime, context.health);
  registerConfigRoutes(app, { ...context, writer });
  registerSchemaRoutes(app, context.registry);
  registerPluginRoutes(app, context.registry, context.logger);
  return app;
}
