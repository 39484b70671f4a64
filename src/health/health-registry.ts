/**
 * Every upstream target's health, by upstream name and target address, for the life of the process:
 * a config version being compiled gets the same TargetHealth objects the serving one has, so an admin
 * write (a blue/green switch, a canary step) never forgets that a target is down. Once a version is
 * live its healthchecks are applied and the upstreams and targets it dropped are forgotten.
 */
import type { GatewayConfig, UpstreamEntity } from '../config/types.js';
import { HealthPolicy } from './health-policy.js';
import { TargetHealth, type CircuitListener } from './target-health.js';

/** One upstream as the live version has it: its entity, its policy and its targets' health in entity order. */
export interface UpstreamHealth {
  entity: UpstreamEntity;
  policy: HealthPolicy;
  targets: TargetHealth[];
}

export class HealthRegistry {
  private readonly byName = new Map<string, Map<string, TargetHealth>>();
  private live = new Map<string, UpstreamHealth>();

  constructor(private readonly listener: CircuitListener) {}

  /** The health of `address` in `upstream`, created (healthy) the first time a version names it. */
  target(upstream: UpstreamEntity, address: string): TargetHealth {
    let targets = this.byName.get(upstream.name);
    if (!targets) this.byName.set(upstream.name, (targets = new Map()));
    let health = targets.get(address);
    if (!health) {
      health = new TargetHealth(upstream.name, address, this.live.get(upstream.name)?.policy ?? new HealthPolicy(upstream.healthchecks));
      health.listener = this.listener;
      targets.set(address, health);
    }
    return health;
  }

  /** `config` is now served: its healthchecks apply, and what it no longer has is forgotten. */
  adopt(config: GatewayConfig): void {
    const live = new Map<string, UpstreamHealth>();
    for (const entity of config.upstreams) {
      const previous = this.live.get(entity.name)?.policy;
      const fresh = new HealthPolicy(entity.healthchecks);
      const policy = previous?.key === fresh.key ? previous : fresh;
      const targets = entity.targets.map((t) => this.target(entity, t.target));
      for (const target of targets) target.policy = policy;
      live.set(entity.name, { entity, policy, targets });
    }
    for (const [name, targets] of this.byName) {
      const kept = live.get(name);
      if (!kept) this.byName.delete(name);
      else for (const address of targets.keys()) if (!kept.targets.some((t) => t.address === address)) targets.delete(address);
    }
    this.live = live;
  }

  /** The served version's upstreams. */
  upstreams(): ReadonlyMap<string, UpstreamHealth> {
    return this.live;
  }

  /** A target known to the served version, by upstream name and address. */
  find(upstream: string, address: string): TargetHealth | undefined {
    return this.byName.get(upstream)?.get(address);
  }
}
