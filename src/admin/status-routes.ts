/**
 * Liveness and readiness on the admin and status listeners: `/status` reports the config version,
 * store state, how health is checked here (shared through Redis or local) and each upstream target's
 * health and circuit; `/status/ready` answers 200 once a valid config is being served, 503 before and
 * from the first moment of a drain (so load balancers stop sending while the listeners still accept).
 * `/status` stays 200 while draining: a failing liveness probe would get the pod killed mid-drain.
 */
import type { FastifyInstance } from 'fastify';
import type { ConfigStore } from '../config-store/config-store.js';
import { upstreamStatus } from '../health/health-report.js';
import type { HealthService } from '../health/health-service.js';
import type { GatewayRuntime } from '../runtime/runtime.js';
import { WITHOUT_ADMIN_TOKEN } from './admin-auth.js';

export interface StatusSource {
  runtime: GatewayRuntime;
  store: ConfigStore;
  health: HealthService;
  drain: { readonly draining: boolean };
}

export function registerStatusRoutes(app: FastifyInstance, source: StatusSource): void {
  const startedAt = Date.now();
  app.get('/status', WITHOUT_ADMIN_TOKEN, async () => {
    const compiled = source.runtime.current;
    return {
      status: 'ok',
      draining: source.drain.draining,
      pid: process.pid,
      uptime_s: Math.round((Date.now() - startedAt) / 1000),
      config_version: source.runtime.version,
      config_loaded_at: source.runtime.loadedAt?.toISOString() ?? null,
      config_store: source.store.kind,
      redis: source.store.redisState(),
      routes: compiled?.config.routes.length ?? 0,
      services: compiled?.config.services.length ?? 0,
      health_checks: source.health.status(),
      upstreams: [...source.health.registry.upstreams().values()].map((upstream) => upstreamStatus(upstream, compiled?.upstreams.get(upstream.entity.name), Date.now())),
    };
  });
  app.get('/status/ready', WITHOUT_ADMIN_TOKEN, async (_request, reply) => {
    const draining = source.drain.draining;
    const ready = source.runtime.current !== null && !draining;
    return reply.code(ready ? 200 : 503).send({ ready, draining, config_version: source.runtime.version });
  });
}
