/**
 * Endpoints plugins add to the admin API (`adminRoutes`, as Kong's plugins add theirs in `api.lua`,
 * e.g. proxy-cache's purge): registered once at start, behind the admin token like every other path,
 * answering `{message}` errors in the API's one shape.
 */
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { PluginAdminRoute } from '../pipeline/contract.js';
import type { PluginRegistry } from '../pipeline/registry.js';

/** Every plugin's admin routes, with the plugin's name. */
export function pluginAdminRoutes(registry: PluginRegistry): { plugin: string; route: PluginAdminRoute }[] {
  return registry.ordered().flatMap((plugin) => (plugin.adminRoutes ?? []).map((route) => ({ plugin: plugin.name, route })));
}

export function registerPluginRoutes(app: FastifyInstance, registry: PluginRegistry, logger: Logger): void {
  for (const { plugin, route } of pluginAdminRoutes(registry)) {
    const routeLogger = logger.child({ plugin });
    app.route({
      method: route.method,
      url: route.path,
      handler: async (request, reply) => {
        const answer = await route.handle({ params: request.params as Record<string, string>, logger: routeLogger });
        reply.code(answer.status);
        return answer.body === undefined ? reply.send() : answer.body;
      },
    });
  }
}
