/**
 * Liveness and readiness on the admin listener: `/status` reports the config version and store
 * state, `/status/ready` answers 200 once a valid config is being served and 503 before.
 */
import type { FastifyInstance } from 'fastify';
import type { ConfigStore } from '../config-store/config-store.js';
import type { Balancer } from '../proxy/balancer.js';
import type { GatewayRuntime } from '../runtime/runtime.js';

export interface StatusSource {
  runtime: GatewayRuntime;
  store: ConfigStore;
}

/** Per upstream: its overall health and each target's passive health (recent failures, last cause). */
function upstreamHealth(upstreams: ReadonlyMap<string, Balancer>, now: number) {
  return [...upstreams].map(([name, balancer]) => {
    const targets = balancer.targets.map((t) => ({ target: t.address, weight: t.weight, active_requests: t.active, ...t.health!.report(now) }));
    const healthy = targets.filter((t) => t.state === 'healthy').length;
    return { name, health: healthy === targets.length ? 'healthy' : healthy === 0 ? 'unhealthy' : 'degraded', healthy_targets: healthy, targets };
  });
}

export function registerStatusRoutes(app: FastifyInstance, source: StatusSource): void {
  const startedAt = Date.now();
  app.get('/status', async () => {
    const compiled = source.runtime.current;
    return {
      status: 'ok',
      pid: process.pid,
      uptime_s: Math.round((Date.now() - startedAt) / 1000),
      config_version: source.runtime.version,
      config_loaded_at: source.runtime.loadedAt?.toISOString() ?? null,
      config_store: source.store.kind,
      redis: source.store.redisState(),
      routes: compiled?.config.routes.length ?? 0,
      services: compiled?.config.services.length ?? 0,
      upstreams: upstreamHealth(compiled?.upstreams ?? new Map<string, Balancer>(), Date.now()),
    };
  });
  app.get('/status/ready', async (_request, reply) => {
    const ready = source.runtime.current !== null;
    return reply.code(ready ? 200 : 503).send({ ready, config_version: source.runtime.version });
  });
}
