/**
 * Load balancing over an upstream's targets: smooth weighted round-robin (a precomputed sequence),
 * least-connections (fewest in-flight per weight) and consistent-hashing (a hash ring with weighted
 * virtual nodes, keyed by header, consumer, IP, cookie, path, query arg or regex capture).
 */
import type { Pool } from 'undici';
import type { HashOn, UpstreamEntity } from '../config/types.js';
import { cookieValue } from '../http/cookie.js';
import type { RequestContext } from '../pipeline/contract.js';
import type { TargetHealth } from '../health/target-health.js';
import type { H2Origin } from './h2-sessions.js';

export class UpstreamTarget {
  /** In-flight requests, for least-connections. */
  active = 0;

  constructor(
    /** host:port, as logged. */
    readonly address: string,
    /** The Host header value this target gets when the route does not preserve the client's. */
    readonly hostHeader: string,
    readonly weight: number,
    readonly pool: Pool,
    /** Health of an upstream's target (active verdict and circuit); null for a service's plain host (never skipped). */
    readonly health: TargetHealth | null = null,
    /** The target's HTTP/2 session, for a service that speaks HTTP/2 upstream; null otherwise. */
    readonly h2: H2Origin | null = null,
  ) {}
}

export interface Balancer {
  readonly targets: readonly UpstreamTarget[];
  /** The next target, or null when none is usable; `previous` is avoided on a retry when possible. */
  pick(ctx: RequestContext, previous: UpstreamTarget | null): UpstreamTarget | null;
}

/** A service with a plain host: always the same target. */
export class SingleTarget implements Balancer {
  readonly targets: readonly UpstreamTarget[];
  constructor(private readonly target: UpstreamTarget) {
    this.targets = [target];
  }
  pick(): UpstreamTarget {
    return this.target;
  }
}

const MAX_SEQUENCE = 10_000;

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

/** Nginx's smooth weighted round-robin, unrolled once into a sequence so a pick is one array read. */
export class RoundRobin implements Balancer {
  private readonly sequence: UpstreamTarget[];
  private next = 0;

  constructor(readonly targets: readonly UpstreamTarget[]) {
    const divisor = targets.reduce((g, t) => gcd(g, t.weight), 0) || 1;
    let weights = targets.map((t) => t.weight / divisor);
    const total = weights.reduce((a, b) => a + b, 0);
    if (total > MAX_SEQUENCE) weights = weights.map((w) => Math.max(1, Math.round((w * MAX_SEQUENCE) / total)));
    const current = weights.map(() => 0);
    const length = weights.reduce((a, b) => a + b, 0);
    this.sequence = [];
    for (let step = 0; step < length; step++) {
      let best = 0;
      for (let i = 0; i < weights.length; i++) {
        current[i]! += weights[i]!;
        if (current[i]! > current[best]!) best = i;
      }
      current[best]! -= length;
      this.sequence.push(targets[best]!);
    }
  }

  pick(_ctx: RequestContext, previous: UpstreamTarget | null): UpstreamTarget | null {
    if (this.sequence.length === 0) return null;
    let target = this.sequence[this.next++ % this.sequence.length]!;
    if (target === previous && this.targets.length > 1) target = this.sequence[this.next++ % this.sequence.length]!;
    return target;
  }
}

export class LeastConnections implements Balancer {
  private offset = 0;
  constructor(readonly targets: readonly UpstreamTarget[]) {}

  pick(_ctx: RequestContext, previous: UpstreamTarget | null): UpstreamTarget | null {
    const count = this.targets.length;
    let best: UpstreamTarget | null = null;
    let bestLoad = Infinity;
    // Rotating the starting point spreads ties instead of always favouring the first target.
    this.offset = (this.offset + 1) % Math.max(count, 1);
    for (let i = 0; i < count; i++) {
      const target = this.targets[(this.offset + i) % count]!;
      if (target === previous && count > 1) continue;
      const load = target.active / target.weight;
      if (load < bestLoad) {
        best = target;
        bestLoad = load;
      }
    }
    return best;
  }
}

/**
 * FNV-1a, 32-bit, then MurmurHash3's finaliser. FNV alone leaves keys that differ only in their last
 * characters (`user-1`, `user-2`; `10.0.0.5:8080#1`, `#2`) close together on the ring: with two
 * targets, a third of port pairs sent 30 such keys all to one target. The finaliser spreads them.
 */
export function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Virtual nodes per 100 units of weight. */
const POINTS_PER_100_WEIGHT = 160;

interface HashSource {
  on: HashOn;
  name: string | undefined;
}

export class ConsistentHashing implements Balancer {
  private readonly ring: Uint32Array;
  private readonly owners: UpstreamTarget[];
  private readonly fallback: RoundRobin;
  private readonly sources: HashSource[];

  constructor(readonly targets: readonly UpstreamTarget[], upstream: UpstreamEntity) {
    const points: Array<[number, UpstreamTarget]> = [];
    for (const target of targets) {
      const count = Math.max(1, Math.round((target.weight * POINTS_PER_100_WEIGHT) / 100));
      for (let i = 0; i < count; i++) points.push([hash32(`${target.address}#${i}`), target]);
    }
    points.sort((a, b) => a[0] - b[0]);
    this.ring = Uint32Array.from(points, (p) => p[0]);
    this.owners = points.map((p) => p[1]);
    this.fallback = new RoundRobin(targets);
    this.sources = [
      { on: upstream.hash_on, name: hashName(upstream.hash_on, upstream, upstream.hash_on_header) },
      { on: upstream.hash_fallback, name: hashName(upstream.hash_fallback, upstream, upstream.hash_fallback_header) },
    ];
  }

  pick(ctx: RequestContext, previous: UpstreamTarget | null): UpstreamTarget | null {
    if (this.owners.length === 0) return null;
    const key = hashKey(ctx, this.sources[0]!) ?? hashKey(ctx, this.sources[1]!);
    if (key === undefined || previous !== null) return this.fallback.pick(ctx, previous);
    const h = hash32(key);
    let low = 0;
    let high = this.ring.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (this.ring[mid]! < h) low = mid + 1;
      else high = mid;
    }
    return this.owners[low === this.ring.length ? 0 : low]!;
  }
}

function hashName(on: HashOn, upstream: UpstreamEntity, header: string | undefined): string | undefined {
  switch (on) {
    case 'header':
      return header?.toLowerCase();
    case 'cookie':
      return upstream.hash_on_cookie;
    case 'query_arg':
      return upstream.hash_on_query_arg;
    case 'uri_capture':
      return upstream.hash_on_uri_capture;
    default:
      return undefined;
  }
}

function hashKey(ctx: RequestContext, source: HashSource): string | undefined {
  switch (source.on) {
    case 'consumer':
      return ctx.consumer?.id ?? ctx.credential?.id;
    case 'ip':
      return ctx.clientIp;
    case 'header': {
      const value = ctx.headers[source.name!];
      return Array.isArray(value) ? value.join(',') : value;
    }
    case 'cookie':
      return cookieValue(ctx.headers.cookie, source.name!);
    case 'path':
      return ctx.path;
    case 'query_arg':
      return new URLSearchParams(ctx.query).get(source.name!) ?? undefined;
    case 'uri_capture':
      return ctx.captures[source.name!];
    default:
      return undefined;
  }
}

function admits(target: UpstreamTarget, ctx: RequestContext): boolean {
  return target.health === null || target.health.admit(ctx);
}

/**
 * The balancer's pick, or, when health keeps that target out, the balancer's next picks and then the
 * first target in order that is let in; null when none is. While every target is healthy this is one
 * pick and one comparison; the scan only runs while some target is out, and finds any target left.
 */
export function pickUsable(balancer: Balancer, ctx: RequestContext, previous: UpstreamTarget | null): UpstreamTarget | null {
  let target = balancer.pick(ctx, previous);
  if (target === null || admits(target, ctx)) return target;
  const count = balancer.targets.length;
  for (let tries = 1; tries < count; tries++) {
    target = balancer.pick(ctx, target);
    if (target === null) return null;
    if (admits(target, ctx)) return target;
  }
  for (const candidate of balancer.targets) if (candidate !== previous && admits(candidate, ctx)) return candidate;
  return previous !== null && admits(previous, ctx) ? previous : null;
}

export function createBalancer(upstream: UpstreamEntity, targets: UpstreamTarget[]): Balancer {
  const usable = targets.filter((t) => t.weight > 0);
  switch (upstream.algorithm) {
    case 'least-connections':
      return new LeastConnections(usable);
    case 'consistent-hashing':
      return new ConsistentHashing(usable, upstream);
    default:
      return new RoundRobin(usable);
  }
}
