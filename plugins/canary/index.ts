/**
 * canary: Kong Enterprise's canary release. Part of a service's traffic goes to another host, port or
 * path — a fixed percentage, a timed rollout from 0 to 100%, or the consumers of some ACL groups —
 * with each user kept on one side by hashing their consumer, IP or a header into a bucket. The
 * destination of each service the instance applies to is resolved once per config version (balanced
 * and health-checked when `upstream_host` names an upstream), so a request costs a map lookup, a hash
 * and a comparison. Requests sent to the canary are logged and counted under `<service>:canary`.
 */
import { consumerIndex, definePlugin, hash32, type Destination, type GatewayConfig, type PluginEntity, type RequestContext, type ServiceEntity } from '../../src/plugin-kit/index.js';
import { Rollout } from './rollout.js';
import { configSchema, type CanaryConfig } from './schema.js';

/** The services an instance can see requests of: its own scope's, or every service for a global or consumer-only one. */
function servicesInScope(entity: PluginEntity, config: GatewayConfig): ServiceEntity[] {
  const serviceId = entity.service?.id ?? (entity.route ? config.routes.find((r) => r.id === entity.route!.id)?.service?.id : undefined);
  if (serviceId !== undefined) return config.services.filter((s) => s.id === serviceId);
  return entity.route ? [] : config.services;
}

/** The key a user is hashed by: the configured one, falling back to the consumer, then the client IP (Kong's order). */
function hashKey(ctx: RequestContext, config: CanaryConfig): string {
  if (config.hash === 'header') {
    const value = ctx.headers[config.hash_header!.toLowerCase()];
    if (value !== undefined) return Array.isArray(value) ? value.join(',') : value;
  }
  if (config.hash !== 'ip') {
    const id = ctx.consumer?.id ?? ctx.credential?.id;
    if (id !== undefined) return id;
  }
  return ctx.clientIp;
}

export default definePlugin({
  name: 'canary',
  priority: 20,
  version: '1.0.0',
  configSchema,
  instantiate(config, { config: gateway, entity, destinations }) {
    const byService = new Map<string, Destination>();
    for (const service of servicesInScope(entity, gateway)) {
      byService.set(service.id, destinations.resolve(service, { host: config.upstream_host, port: config.upstream_port }, `${service.name ?? service.id}:canary`));
    }
    const rollout = new Rollout(config);
    const { steps } = config;
    const path = config.upstream_uri;
    const overrideHeader = config.canary_by_header_name?.toLowerCase();
    const byGroups = config.hash === 'allow' || config.hash === 'deny';
    const listed = new Set(config.groups);
    const groupsOf = consumerIndex(gateway).groups;
    let roundRobin = 0;

    /** Whether this request belongs to the canary, by groups or by its bucket in the rollout. */
    const chosen = (ctx: RequestContext): boolean => {
      if (byGroups) {
        if (ctx.consumer === null) return false;
        const member = (groupsOf.get(ctx.consumer.id) ?? []).some((group) => listed.has(group));
        return config.hash === 'allow' ? member : !member;
      }
      const threshold = rollout.canaryBuckets();
      if (threshold <= 0) return false;
      if (threshold >= steps) return true;
      const bucket = config.hash === 'none' ? (roundRobin = (roundRobin + 1) % steps) : hash32(hashKey(ctx, config)) % steps;
      return bucket < threshold;
    };

    return {
      access(ctx) {
        const destination = ctx.service ? byService.get(ctx.service.id) : undefined;
        if (destination === undefined) return;
        const forced = overrideHeader === undefined ? undefined : ctx.headers[overrideHeader];
        if (forced === 'never') return;
        if (forced !== 'always' && !chosen(ctx)) return;
        // Kong's upstream_fallback: a canary without a healthy target leaves the request where it was.
        if (config.upstream_fallback && !destination.hasHealthyTarget()) return;
        ctx.setUpstream(destination, path);
      },
    };
  },
});
