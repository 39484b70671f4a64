/**
 * The admin listener (127.0.0.1:8001 by default): status and readiness here; the admin REST API,
 * metrics and OpenAPI document register their routes on the same instance.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import type { Settings } from '../settings/schema.js';
import { requireBearerToken } from './admin-auth.js';
import { registerMetricsRoute } from './metrics-route.js';
import { registerStatusRoutes, type StatusSource } from './status-routes.js';

export function buildAdminServer(settings: Settings, status: StatusSource): FastifyInstance {
  const app = Fastify({ logger: false, forceCloseConnections: true });
  if (settings.ADMIN_TOKEN) requireBearerToken(app, settings.ADMIN_TOKEN);
  app.addHook('onSend', async (_request, reply) => {
    reply.header('x-config-version', String(status.runtime.version));
  });
  registerStatusRoutes(app, status);
  registerMetricsRoute(app);
  return app;
}
