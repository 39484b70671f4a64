/**
 * Kong's health endpoints of the admin API: `GET /upstreams/{u}/health` (each target's health in
 * Kong's shape, or the whole upstream's with `?balancer_health=1`) and
 * `PUT /upstreams/{u}/targets/{t}/healthy|unhealthy`. Setting health is not a config change: it makes
 * no version and works in file mode too; with Redis it reaches every instance.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { GatewayConfig, TargetEntity, UpstreamEntity } from '../config/types.js';
import { targetField } from '../config/upstream-schema.js';
import type { UpstreamHealth } from '../health/health-registry.js';
import { targetState, upstreamIsHealthy, type TargetState } from '../health/health-report.js';
import type { HealthService } from '../health/health-service.js';
import { splitAddress } from '../health/probe.js';
import type { GatewayRuntime } from '../runtime/runtime.js';
import { AdminError, notFound } from './admin-errors.js';
import { find, topLevelScope, UPSTREAMS } from './collections.js';

type Params = { parent: string; key?: string };

/** Kong spells health states in capitals in this API. */
const KONG_HEALTH: Record<TargetState, string> = { healthy: 'HEALTHY', unhealthy: 'UNHEALTHY', healthchecks_off: 'HEALTHCHECKS_OFF' };

function served(runtime: GatewayRuntime): GatewayConfig {
  const current = runtime.current;
  if (!current) throw new AdminError(503, 'no config version loaded yet');
  return current.config;
}

function upstreamOf(config: GatewayConfig, key: string): UpstreamEntity {
  const upstream = find(topLevelScope(UPSTREAMS, config), key) as unknown as UpstreamEntity | undefined;
  if (!upstream) throw notFound();
  return upstream;
}

/** A target by id or address, read as the config reads it (no port means Kong's default 8000). */
function targetOf(upstream: UpstreamEntity, key: string): TargetEntity {
  const address = targetField.safeParse(key);
  const target = upstream.targets.find((t) => t.id === key || (address.success && t.target === address.data));
  if (!target) throw notFound();
  return target;
}

function targetEntry(upstream: UpstreamHealth, entity: TargetEntity, index: number) {
  const target = upstream.targets[index]!;
  const health = KONG_HEALTH[targetState(upstream, target)];
  const { host, port } = splitAddress(entity.target);
  return {
    id: entity.id,
    upstream: { id: upstream.entity.id },
    target: entity.target,
    weight: entity.weight,
    tags: entity.tags ?? null,
    health,
    // Gatehouse: the circuit the passive checks drive, and why the target is out when it is.
    circuit: target.circuit,
    data: { addresses: [{ ip: host, port, health, weight: entity.weight }] },
  };
}

export function registerHealthRoutes(app: FastifyInstance, runtime: GatewayRuntime, health: HealthService): void {
  const liveUpstream = (key: string): UpstreamHealth => {
    const entity = upstreamOf(served(runtime), key);
    const upstream = health.registry.upstreams().get(entity.name);
    if (!upstream) throw notFound();
    return upstream;
  };

  app.get('/upstreams/:parent/health', async (request) => {
    const upstream = liveUpstream((request.params as Params).parent);
    const query = request.query as Record<string, string | undefined>;
    if (query.balancer_health !== undefined && query.balancer_health !== '0' && query.balancer_health !== 'false') {
      const total = upstream.entity.targets.reduce((sum, t) => sum + t.weight, 0);
      const available = upstream.entity.targets.reduce((sum, t, i) => sum + (upstream.targets[i]!.healthy ? t.weight : 0), 0);
      const state = upstream.policy.checksOff ? 'HEALTHCHECKS_OFF' : upstreamIsHealthy(upstream) ? 'HEALTHY' : 'UNHEALTHY';
      return {
        data: { id: upstream.entity.id, health: state, details: { healthy: state !== 'UNHEALTHY', threshold: upstream.policy.threshold, weight: { total, available, unavailable: total - available } } },
        node_id: health.nodeId,
      };
    }
    const data = upstream.entity.targets.map((entity, i) => targetEntry(upstream, entity, i));
    return { data, total: data.length, node_id: health.nodeId, next: null };
  });

  const mark = (healthy: boolean) => async (request: FastifyRequest, reply: FastifyReply) => {
    const params = request.params as Params;
    const upstream = liveUpstream(params.parent);
    const entity = targetOf(upstream.entity, params.key!);
    const target = health.registry.find(upstream.entity.name, entity.target);
    if (!target) throw notFound();
    if (healthy) health.markHealthy(target);
    else health.markUnhealthy(target);
    return reply.code(204).send();
  };
  app.put('/upstreams/:parent/targets/:key/healthy', mark(true));
  app.put('/upstreams/:parent/targets/:key/unhealthy', mark(false));
}
