/**
 * The balancers of one config version, built while it is compiled: one per distinct (protocol, host,
 * port, connect timeout, upstream TLS settings), whether a service's own host needs it or a plugin's
 * destination (a canary's `upstream_host`). A host naming an upstream entity is balanced over its
 * targets with their long-lived health; any other host is a single target.
 */
import { isIP } from 'node:net';
import type { Pool } from 'undici';
import { DEFAULT_PORT_BY_PROTOCOL, GRPC_SERVICE_PROTOCOLS } from '../config/schema.js';
import type { GatewayConfig, ServiceEntity, UpstreamEntity } from '../config/types.js';
import { DEFAULT_TARGET_WEIGHT } from '../config/upstream-schema.js';
import type { HealthRegistry } from '../health/health-registry.js';
import type { TargetHealth } from '../health/target-health.js';
import type { Destination, DestinationResolver } from '../pipeline/contract.js';
import { createBalancer, SingleTarget, UpstreamTarget, type Balancer } from '../proxy/balancer.js';
import type { H2Origin } from '../proxy/h2-sessions.js';
import type { PoolRegistry } from '../proxy/pools.js';
import { upstreamTls } from '../tls/upstream-tls.js';

/** The service's upstream speaks HTTP/2: it asked (`http_version: "2"`), or it is a gRPC service. */
export function usesHttp2(service: ServiceEntity): boolean {
  return service.http_version === '2' || GRPC_SERVICE_PROTOCOLS.has(service.protocol);
}

/** The URL scheme of a service's connections: gRPC rides on http (h2c) or https (h2). */
function schemeOf(service: ServiceEntity): 'http' | 'https' {
  return service.protocol === 'https' || service.protocol === 'grpcs' ? 'https' : 'http';
}

/** The Host header for an origin: the port is left out when it is the protocol's default. */
function hostHeader(host: string, port: number, protocol: string): string {
  return port === DEFAULT_PORT_BY_PROTOCOL[protocol as keyof typeof DEFAULT_PORT_BY_PROTOCOL] ? host : `${host}:${port}`;
}

/** A normalized target, `host:port` or `[v6]:port` (the schema always fills in the port), split. */
function targetHostAndPort(target: string): [host: string, port: number] {
  const at = target.lastIndexOf(':');
  return [target.slice(0, at), Number(target.slice(at + 1))];
}

/** A destination the gateway resolved: what the proxy balances over when a plugin chose it. */
export class BalancedDestination implements Destination {
  constructor(
    readonly label: string,
    readonly balancer: Balancer,
    /** Percent of the weight that must be healthy (the upstream's healthchecks.threshold); 0 for a plain host. */
    private readonly threshold: number,
  ) {}

  hasHealthyTarget(): boolean {
    const targets = this.balancer.targets;
    let total = 0;
    let available = 0;
    for (const target of targets) {
      total += target.weight;
      if (target.health === null || target.health.available) available += target.weight;
    }
    return available > 0 && available * 100 >= this.threshold * total;
  }
}

export class UpstreamDestinations implements DestinationResolver {
  /** Every pool this version's balancers use, so the pools no version uses any more can be closed. */
  readonly pools = new Set<Pool>();
  /** Every HTTP/2 session this version's targets use. */
  readonly h2Origins = new Set<H2Origin>();
  /** Balancers over upstream entities, by upstream name (several when services reach one differently). */
  readonly byUpstream = new Map<string, Balancer[]>();
  private readonly balancers = new Map<string, Balancer>();
  private readonly upstreams: ReadonlyMap<string, UpstreamEntity>;

  constructor(
    private readonly config: GatewayConfig,
    private readonly poolRegistry: PoolRegistry,
    private readonly health: HealthRegistry,
  ) {
    this.upstreams = new Map(config.upstreams.map((u) => [u.name, u]));
  }

  /** The balancer for the service's own host and port. */
  forService(service: ServiceEntity): Balancer {
    return this.balancer(service, service.host, service.port);
  }

  resolve(service: ServiceEntity, where: { host?: string; port?: number }, label: string): BalancedDestination {
    const host = where.host ?? service.host;
    const upstream = this.upstreams.get(host);
    return new BalancedDestination(label, this.balancer(service, host, where.port ?? service.port), upstream ? upstream.healthchecks.threshold : 0);
  }

  private balancer(service: ServiceEntity, host: string, port: number): Balancer {
    const tls = upstreamTls(service, this.config);
    const key = `${service.protocol}|${usesHttp2(service)}|${host}|${port}|${service.connect_timeout}|${tls?.key ?? ''}`;
    let balancer = this.balancers.get(key);
    if (balancer) return balancer;
    /** `host` as in a URL: an IPv6 address in brackets. */
    const makeTarget = (targetHost: string, targetPort: number, weight: number, header: string, health: TargetHealth | null) => {
      const origin = `${schemeOf(service)}://${targetHost}:${targetPort}`;
      const pool = this.poolRegistry.get({ origin, connectTimeout: service.connect_timeout, tls });
      this.pools.add(pool);
      let h2: H2Origin | null = null;
      if (usesHttp2(service)) {
        const name = header.replace(/:\d+$/, '');
        h2 = this.poolRegistry.h2.get({ origin, connectTimeout: service.connect_timeout, tls, servername: isIP(name.replace(/^\[(.*)\]$/, '$1')) ? undefined : name });
        this.h2Origins.add(h2);
      }
      return new UpstreamTarget(`${targetHost}:${targetPort}`, header, weight, pool, health, h2);
    };
    const upstream = this.upstreams.get(host);
    if (upstream) {
      const header = upstream.host_header ?? hostHeader(upstream.name, port, service.protocol);
      const targets = upstream.targets.map((t) => {
        const [targetHost, targetPort] = targetHostAndPort(t.target);
        return makeTarget(targetHost, targetPort, t.weight, header, this.health.target(upstream, t.target));
      });
      balancer = createBalancer(upstream, targets);
      const list = this.byUpstream.get(upstream.name);
      if (list) list.push(balancer);
      else this.byUpstream.set(upstream.name, [balancer]);
    } else {
      const bracketed = host.includes(':') ? `[${host}]` : host;
      balancer = new SingleTarget(makeTarget(bracketed, port, DEFAULT_TARGET_WEIGHT, hostHeader(bracketed, port, service.protocol), null));
    }
    this.balancers.set(key, balancer);
    return balancer;
  }
}
