/**
 * One reading of target health for everything that shows it — `/status`, the admin API's
 * `GET /upstreams/{u}/health` and the health and circuit metrics — so the three always agree.
 */
import type { Balancer } from '../proxy/balancer.js';
import type { UpstreamHealth } from './health-registry.js';
import type { HealthReport, TargetHealth } from './target-health.js';

/** Kong's target health, lower-case as in its metric: `healthchecks_off` when nothing checks the target. */
export type TargetState = 'healthy' | 'unhealthy' | 'healthchecks_off';
export const TARGET_STATES: readonly TargetState[] = ['healthy', 'unhealthy', 'healthchecks_off'];

export function targetState(upstream: UpstreamHealth, target: TargetHealth): TargetState {
  if (!target.healthy) return 'unhealthy';
  return upstream.policy.checksOff ? 'healthchecks_off' : 'healthy';
}

export interface TargetStatus extends Omit<HealthReport, 'state'> {
  target: string;
  weight: number;
  active_requests: number;
  state: TargetState;
}

export interface UpstreamStatus {
  name: string;
  /** `degraded`: some targets are unhealthy; `unhealthy`: the healthy weight is below the threshold or zero. */
  health: 'healthy' | 'degraded' | 'unhealthy';
  healthy_targets: number;
  targets: TargetStatus[];
}

/** Whether the upstream as a whole counts as healthy: some healthy weight, at least `threshold` percent of it. */
export function upstreamIsHealthy(upstream: UpstreamHealth): boolean {
  let total = 0;
  let healthy = 0;
  upstream.entity.targets.forEach((entity, i) => {
    total += entity.weight;
    if (upstream.targets[i]!.healthy) healthy += entity.weight;
  });
  return healthy > 0 && healthy * 100 >= upstream.policy.threshold * total;
}

/** In-flight requests per target address, summed over the balancers reaching the upstream. */
function inFlight(balancers: readonly Balancer[] | undefined): Map<string, number> {
  const counts = new Map<string, number>();
  for (const balancer of balancers ?? []) for (const t of balancer.targets) counts.set(t.address, (counts.get(t.address) ?? 0) + t.active);
  return counts;
}

export function upstreamStatus(upstream: UpstreamHealth, balancers: readonly Balancer[] | undefined, now: number): UpstreamStatus {
  const active = inFlight(balancers);
  const targets = upstream.targets.map((target, i) => ({
    target: target.address,
    weight: upstream.entity.targets[i]!.weight,
    active_requests: active.get(target.address) ?? 0,
    ...target.report(now),
    state: targetState(upstream, target),
  }));
  const healthy = targets.filter((t) => t.state !== 'unhealthy').length;
  return {
    name: upstream.entity.name,
    health: !upstreamIsHealthy(upstream) ? 'unhealthy' : healthy === targets.length ? 'healthy' : 'degraded',
    healthy_targets: healthy,
    targets,
  };
}
