/**
 * The admin listener (127.0.0.1:8001 by default): status and readiness, the Kong-compatible admin
 * REST API over the config store, and the OpenAPI document and plugin schemas.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { parse as parseYaml } from 'yaml';
import type { ConfigStore } from '../config-store/config-store.js';
import type { PluginRegistry } from '../pipeline/registry.js';
import type { GatewayRuntime } from '../runtime/runtime.js';
import type { Settings } from '../settings/schema.js';
import { requireBearerToken } from './admin-auth.js';
import { registerErrorHandler } from './admin-errors.js';
import { registerConfigRoutes } from './config-routes.js';
import { ConfigWriter } from './config-writer.js';
import { registerEntityRoutes } from './entity-routes.js';
import { registerSchemaRoutes } from './openapi.js';
import { registerStatusRoutes } from './status-routes.js';
import { registerMetricsRoute } from './metrics-route.js';

export interface AdminContext {
  runtime: GatewayRuntime;
  store: ConfigStore;
  registry: PluginRegistry;
  logger: Logger;
}

/** Whole configs can be large (10,000 routes). */
const BODY_LIMIT_BYTES = 64 * 1024 * 1024;

export function buildAdminServer(settings: Settings, context: AdminContext): FastifyInstance {
  const app = Fastify({ logger: false, forceCloseConnections: true, bodyLimit: BODY_LIMIT_BYTES });
  if (settings.ADMIN_TOKEN) requireBearerToken(app, settings.ADMIN_TOKEN);
  app.addHook('onSend', async (_request, reply) => {
    reply.header('x-config-version', String(context.runtime.version));
  });
  app.addContentTypeParser(['application/yaml', 'application/x-yaml', 'text/yaml'], { parseAs: 'string' }, (_request, body, done) => {
    try {
      done(null, parseYaml(body as string));
    } catch (error) {
      done(Object.assign(new Error(`invalid YAML: ${(error as Error).message.split('\n')[0]}`), { statusCode: 400 }));
    }
  });
  registerErrorHandler(app, context.logger);
  registerStatusRoutes(app, context);
  const writer = new ConfigWriter(context.store, context.runtime, context.registry);
  registerEntityRoutes(app, context.runtime, writer);
  registerConfigRoutes(app, { ...context, writer });
  registerSchemaRoutes(app, context.registry);
  registerMetricsRoute(app);
  return app;
}
