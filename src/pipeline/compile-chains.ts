/**
 * Builds each route's plugin chain with Kong's precedence: consumer+route+service > consumer+route >
 * consumer+service > route+service > consumer > route > service > global. Plugins are indexed by
 * scope first, so compiling 10,000 routes stays linear.
 */
import type { GatewayConfig, PluginEntity, RouteEntity } from '../config/types.js';
import type { PluginHandlers } from './contract.js';
import { PluginChain, type ChainSlot } from './chain.js';
import type { PluginRegistry } from './registry.js';

/** Lower is more specific. */
function specificity(plugin: PluginEntity): number {
  const c = plugin.consumer !== null;
  const r = plugin.route !== null;
  const s = plugin.service !== null;
  if (c && r && s) return 1;
  if (c && r) return 2;
  if (c && s) return 3;
  if (r && s) return 4;
  if (c) return 5;
  if (r) return 6;
  if (s) return 7;
  return 8;
}

interface Candidate {
  entity: PluginEntity;
  handlers: PluginHandlers;
  rank: number;
}

export class ChainCompiler {
  private readonly global: Candidate[] = [];
  private readonly byService = new Map<string, Candidate[]>();
  private readonly byRoute = new Map<string, Candidate[]>();
  private readonly cache = new Map<string, PluginChain>();

  constructor(
    config: GatewayConfig,
    instances: ReadonlyMap<string, PluginHandlers>,
    private readonly registry: PluginRegistry,
  ) {
    for (const entity of config.plugins) {
      const handlers = instances.get(entity.id);
      if (!entity.enabled || !handlers) continue;
      const candidate = { entity, handlers, rank: specificity(entity) };
      if (entity.route) push(this.byRoute, entity.route.id, candidate);
      else if (entity.service) push(this.byService, entity.service.id, candidate);
      else this.global.push(candidate);
    }
  }

  /** The chain for a route; routes with the same applicable plugins share one chain object. */
  chainFor(route: RouteEntity): PluginChain {
    const serviceId = route.service?.id ?? null;
    const applicable = [
      ...this.global,
      ...(serviceId ? this.byService.get(serviceId) ?? [] : []),
      ...(this.byRoute.get(route.id) ?? []).filter((c) => c.entity.service === null || c.entity.service.id === serviceId),
    ];
    return this.chainOf(applicable);
  }

  /** The global plugins alone: what runs for a request that matched no route (as in Kong). */
  globalChain(): PluginChain {
    return this.chainOf(this.global);
  }

  private chainOf(applicable: Candidate[]): PluginChain {
    if (applicable.length === 0) return PluginChain.EMPTY;
    const key = applicable.map((c) => c.entity.id).join(',');
    let chain = this.cache.get(key);
    if (!chain) {
      chain = new PluginChain(this.slots(applicable));
      this.cache.set(key, chain);
    }
    return chain;
  }

  private slots(applicable: Candidate[]): ChainSlot[] {
    const byName = new Map<string, Candidate[]>();
    for (const candidate of applicable) push(byName, candidate.entity.name, candidate);
    const slots: ChainSlot[] = [];
    for (const [name, candidates] of byName) {
      let base: Candidate | null = null;
      const perConsumer = new Map<string, Candidate>();
      for (const candidate of candidates) {
        const consumerId = candidate.entity.consumer?.id;
        if (consumerId === undefined) {
          if (!base || candidate.rank < base.rank) base = candidate;
        } else {
          const current = perConsumer.get(consumerId);
          if (!current || candidate.rank < current.rank) perConsumer.set(consumerId, candidate);
        }
      }
      const byConsumer = new Map<string, PluginHandlers>();
      for (const [consumerId, candidate] of perConsumer) {
        // A consumer-only plugin (rank 5) still loses to a route+service one (rank 4), as in Kong.
        if (!base || candidate.rank < base.rank) byConsumer.set(consumerId, candidate.handlers);
      }
      slots.push({ name, base: base?.handlers ?? null, byConsumer: byConsumer.size > 0 ? byConsumer : null });
    }
    const priority = (name: string) => this.registry.get(name)?.priority ?? 0;
    return slots.sort((a, b) => priority(b.name) - priority(a.name));
  }
}

function push<T>(map: Map<string, T[]>, key: string, value: T): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
