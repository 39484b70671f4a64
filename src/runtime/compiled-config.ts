/**
 * One config version made ready to serve: the route table, each route's service, balancer and plugin
 * chain, and the plugin instances — all built once per version so a request only does lookups.
 */
import type { Logger } from 'pino';
import type { Pool } from 'undici';
import type { GatewayConfig, RouteEntity, ServiceEntity } from '../config/types.js';
import type { HealthRegistry } from '../health/health-registry.js';
import type { PluginDefinition, PluginHandlers } from '../pipeline/contract.js';
import { ChainCompiler } from '../pipeline/compile-chains.js';
import type { PluginChain } from '../pipeline/chain.js';
import type { PluginRegistry } from '../pipeline/registry.js';
import type { Balancer } from '../proxy/balancer.js';
import type { H2Origin } from '../proxy/h2-sessions.js';
import type { PoolRegistry } from '../proxy/pools.js';
import { compileRouter, type Router } from '../routing/router.js';
import { CertificateTable } from '../tls/certificate-table.js';
import type { Settings } from '../settings/schema.js';
import { UpstreamDestinations, usesHttp2 } from './upstream-destinations.js';

export interface CompiledRoute {
  route: RouteEntity;
  service: ServiceEntity | null;
  /** Null when the route has no service (answered 503). */
  balancer: Balancer | null;
  chain: PluginChain;
  /** The service's upstream speaks HTTP/2 (`http_version: "2"`, grpc, grpcs): calls go over node:http2. */
  http2Upstream: boolean;
  /** Whether the route takes requests that arrived in plain text / over TLS (`protocols`). */
  acceptsPlain: boolean;
  acceptsTls: boolean;
  /** Whether it takes WebSocket handshakes (http/https and ws/wss routes), and nothing else (ws/wss routes). */
  acceptsWebSocket: boolean;
  onlyWebSocket: boolean;
  /** Names for logs and metric labels: the entity name, else its id. */
  routeLabel: string;
  serviceLabel: string;
}

/** A route whose requests can be forwarded: it has a service, and so a balancer. */
export interface ForwardableRoute extends CompiledRoute {
  service: ServiceEntity;
  balancer: Balancer;
}

export function isForwardable(route: CompiledRoute): route is ForwardableRoute {
  return route.balancer !== null && route.service !== null;
}

export interface CompiledConfig {
  version: number;
  config: GatewayConfig;
  router: Router;
  routes: ReadonlyMap<RouteEntity, CompiledRoute>;
  instances: ReadonlyMap<string, PluginHandlers>;
  /** The global plugins' chain, whose log phase also sees requests that matched no route. */
  globalChain: PluginChain;
  /** The balancers over each upstream entity, by upstream name (their in-flight counts, for /status). */
  upstreams: ReadonlyMap<string, readonly Balancer[]>;
  pools: ReadonlySet<Pool>;
  /** Every HTTP/2 upstream session this version's balancers use. */
  h2Origins: ReadonlySet<H2Origin>;
  /** The HTTPS listener's certificates by server name. */
  certificates: CertificateTable;
}

export interface CompileDependencies {
  registry: PluginRegistry;
  /** The definitions of the plugins the config uses, loaded beforehand. */
  plugins: { get(name: string): PluginDefinition | undefined };
  pools: PoolRegistry;
  /** Targets' health, which outlives config versions. */
  health: HealthRegistry;
  logger: Logger;
  settings: Settings;
  previous: CompiledConfig | null;
}

/** Route protocols without TLS; their counterparts (https, grpcs, wss) are the TLS ones. */
const PLAIN_PROTOCOLS: ReadonlySet<string> = new Set(['http', 'grpc', 'ws']);
/** Route protocols whose routes pass WebSocket handshakes: ws/wss, and http/https as Kong OSS does. */
const WEBSOCKET_PROTOCOLS: ReadonlySet<string> = new Set(['http', 'https', 'ws', 'wss']);

/** Throws when a plugin cannot be instantiated: the version is then rejected as a whole. */
export function compileConfig(config: GatewayConfig, version: number, deps: CompileDependencies): CompiledConfig {
  // First: a certificate that cannot be loaded (a key file gone since validation) refuses the version
  // before any plugin instance exists.
  const certificates = CertificateTable.build(config, deps.previous?.certificates ?? null);
  const destinations = new UpstreamDestinations(config, deps.pools, deps.health);
  const instances = new Map<string, PluginHandlers>();
  for (const entity of config.plugins) {
    if (!entity.enabled) continue;
    const definition = deps.plugins.get(entity.name);
    if (!definition) throw new Error(`plugin ${entity.name} is not installed`);
    instances.set(
      entity.id,
      definition.instantiate(entity.config, {
        config,
        entity,
        logger: deps.logger.child({ plugin: entity.name }),
        settings: deps.settings,
        previous: deps.previous?.instances.get(entity.id),
        destinations,
      }),
    );
  }

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
      balancer: service ? destinations.forService(service) : null,
      http2Upstream: service !== null && usesHttp2(service),
      chain: chains.chainFor(route),
      acceptsPlain: route.protocols.some((protocol) => PLAIN_PROTOCOLS.has(protocol)),
      acceptsTls: route.protocols.some((protocol) => !PLAIN_PROTOCOLS.has(protocol)),
      acceptsWebSocket: route.protocols.some((protocol) => WEBSOCKET_PROTOCOLS.has(protocol)),
      onlyWebSocket: route.protocols.every((protocol) => protocol === 'ws' || protocol === 'wss'),
      routeLabel: route.name ?? route.id,
      serviceLabel: service ? service.name ?? service.id : '',
    });
  }

  return { version, config, router: compileRouter(servable), routes, instances, globalChain: chains.globalChain(), upstreams: destinations.byUpstream, pools: destinations.pools, h2Origins: destinations.h2Origins, certificates };
}
