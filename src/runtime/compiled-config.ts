/**
 * One config version made ready to serve: the route table, each route's service, balancer and plugin
 * chain, and the plugin instances — all built once per version so a request only does lookups.
 */
import type { Logger } from 'pino';
import type { Pool } from 'undici';
import type { GatewayConfig, RouteEntity, ServiceEntity, UpstreamEntity } from '../config/types.js';
import type { PluginHandlers } from '../pipeline/contract.js';
import { ChainCompiler } from '../pipeline/compile-chains.js';
import type { PluginChain } from '../pipeline/chain.js';
import type { PluginRegistry } from '../pipeline/registry.js';
import { createBalancer, SingleTarget, UpstreamTarget, type Balancer } from '../proxy/balancer.js';
import type { PoolRegistry } from '../proxy/pools.js';
import { TargetHealth } from '../proxy/target-health.js';
import { compileRouter, type Router } from '../routing/router.js';
import type { Settings } from '../settings/schema.js';

export interface CompiledRoute {
  route: RouteEntity;
  service: ServiceEntity | null;
  /** Null when the route has no service (answered 503). */
  balancer: Balancer | null;
  chain: PluginChain;
  /** Names for logs and metric labels: the entity name, else its id. */
  routeLabel: string;
  serviceLabel: string;
}

export interface CompiledConfig {
  version: number;
  config: GatewayConfig;
  router: Router;
  routes: ReadonlyMap<RouteEntity, CompiledRoute>;
  instances: ReadonlyMap<string, PluginHandlers>;
  /** The global plugins' chain, whose log phase also sees requests that matched no route. */
  globalChain: PluginChain;
  /** Every upstream's balancer, by upstream name, for status and health reporting. */
  upstreams: ReadonlyMap<string, Balancer>;
  pools: ReadonlySet<Pool>;
}

export interface CompileDependencies {
  registry: PluginRegistry;
  pools: PoolRegistry;
  logger: Logger;
  settings: Settings;
  previous: CompiledConfig | null;
}

const DEFAULT_PORTS: Record<string, number> = { http: 80, https: 443 };

function hostHeader(host: string, port: number, protocol: string): string {
  return port === DEFAULT_PORTS[protocol] ? host : `${host}:${port}`;
}

function splitTarget(target: string): [string, number] {
  const at = target.lastIndexOf(':');
  if (at > 0 && !target.endsWith(']')) return [target.slice(0, at), Number(target.slice(at + 1))];
  return [target, 8000];
}

/** Throws when a plugin cannot be instantiated: the version is then rejected as a whole. */
export function compileConfig(config: GatewayConfig, version: number, deps: CompileDependencies): CompiledConfig {
  const instances = new Map<string, PluginHandlers>();
  for (const entity of config.plugins) {
    if (!entity.enabled) continue;
    const definition = deps.registry.get(entity.name);
    if (!definition) throw new Error(`plugin ${entity.name} is not installed`);
    instances.set(
      entity.id,
      definition.instantiate(entity.config, {
        config,
        entity,
        logger: deps.logger.child({ plugin: entity.name }),
        settings: deps.settings,
        previous: deps.previous?.instances.get(entity.id),
      }),
    );
  }

  const pools = new Set<Pool>();
  const upstreamByName = new Map<string, UpstreamEntity>(config.upstreams.map((u) => [u.name, u]));
  const balancers = new Map<string, Balancer>();
  const balancerFor = (service: ServiceEntity): Balancer => {
    const key = `${service.protocol}|${service.host}|${service.port}|${service.connect_timeout}|${service.tls_verify ?? true}`;
    let balancer = balancers.get(key);
    if (balancer) return balancer;
    const tlsVerify = service.tls_verify ?? true;
    const upstream = upstreamByName.get(service.host);
    const makeTarget = (host: string, port: number, weight: number, header: string, health: TargetHealth | null) => {
      const pool = deps.pools.get({ origin: `${service.protocol}://${host.includes(':') ? `[${host}]` : host}:${port}`, connectTimeout: service.connect_timeout, tlsVerify });
      pools.add(pool);
      return new UpstreamTarget(`${host}:${port}`, header, weight, pool, health);
    };
    if (upstream) {
      const header = upstream.host_header ?? hostHeader(upstream.name, service.port, service.protocol);
      const targets = upstream.targets.map((t) => {
        const [host, port] = splitTarget(t.target);
        return makeTarget(host, port, t.weight, header, new TargetHealth());
      });
      balancer = createBalancer(upstream, targets);
    } else {
      balancer = new SingleTarget(makeTarget(service.host, service.port, 100, hostHeader(service.host, service.port, service.protocol), null));
    }
    balancers.set(key, balancer);
    return balancer;
  };

  const servicesById = new Map(config.services.map((s) => [s.id, s]));
  const chains = new ChainCompiler(config, instances, deps.registry);
  const routes = new Map<RouteEntity, CompiledRoute>();
  const servable: RouteEntity[] = [];
  for (const route of config.routes) {
    const service = route.service ? servicesById.get(route.service.id) ?? null : null;
    // Routes of a disabled service are not matched at all, as in Kong.
    if (service && !service.enabled) continue;
    servable.push(route);
    routes.set(route, {
      route,
      service,
      balancer: service ? balancerFor(service) : null,
      chain: chains.chainFor(route),
      routeLabel: route.name ?? route.id,
      serviceLabel: service ? service.name ?? service.id : '',
    });
  }

  const upstreams = new Map<string, Balancer>();
  for (const service of config.services) {
    if (upstreamByName.has(service.host)) upstreams.set(service.host, balancerFor(service));
  }

  return { version, config, router: compileRouter(servable), routes, instances, globalChain: chains.globalChain(), upstreams, pools };
}
