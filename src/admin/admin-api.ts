/**
 * The admin API behind the admin listener (admin-server.ts), built on its first request that is not a
 * probe: the Kong-compatible entity routes over the config store, whole-config routes, upstream
 * health, the OpenAPI document and plugin schemas, node info and the drain. It never listens itself:
 * the listener answers the probe routes and hands it every other request with `routing`.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { withoutSchemaCompilers } from '../http/no-schema-compilers.js';
import type { Settings } from '../settings/schema.js';
import { requireBearerToken } from './admin-auth.js';
import { adminErrorOptions, registerErrorHandler } from './admin-errors.js';
import { addConfigVersionHeader, type AdminContext } from './admin-server.js';
import { registerBodyParsers } from './body-parsers.js';
import { registerConfigRoutes } from './config-routes.js';
import { ConfigWriter } from './config-writer.js';
import { registerDrainRoute } from './drain-route.js';
import { registerEntityRoutes } from './entity-routes.js';
import { registerHealthRoutes } from './health-routes.js';
import { registerNodeInfoRoute } from './node-info-route.js';
import { registerSchemaRoutes } from './openapi.js';
import { registerPluginRoutes } from './plugin-routes.js';

/** Whole configs can be large (10,000 routes). */
const BODY_LIMIT_BYTES = 64 * 1024 * 1024;

/** The admin API apart from the probe routes, ready to route the requests the listener hands over. */
export async function buildAdminApi(settings: Settings, context: AdminContext): Promise<FastifyInstance> {
  const app = Fastify({ logger: false, bodyLimit: BODY_LIMIT_BYTES, ...withoutSchemaCompilers, ...adminErrorOptions(context.logger) });
  if (settings.ADMIN_TOKEN) requireBearerToken(app, settings.ADMIN_TOKEN);
  addConfigVersionHeader(app, context.runtime);
  registerBodyParsers(app);
  registerErrorHandler(app, context.logger);
  registerNodeInfoRoute(app, context.proxyListeners);
  registerDrainRoute(app, settings, context.drain, context.requestDrain);
  const writer = new ConfigWriter(context.store, context.runtime, context.registry);
  registerEntityRoutes(app, context.runtime, writer);
  registerHealthRoutes(app, context.runtime, context.health);
  registerConfigRoutes(app, { ...context, writer });
  registerSchemaRoutes(app, context.registry);
  registerPluginRoutes(app, context.registry, context.logger);
  await app.ready();
  return app;
}
