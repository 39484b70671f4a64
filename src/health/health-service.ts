/**
 * Target health for a running gateway: the registry of every target's health, the active probers,
 * and — when Redis is the store — the state shared with the other instances. With Redis reachable,
 * an upstream is probed by the one instance holding its lease and every change reaches every instance;
 * without Redis, or while it is unreachable, each instance probes every upstream itself and its
 * traffic's verdicts stay its own. Admin calls set a target healthy or unhealthy here.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import { ClusterHealth, type OwnChange, type SharingState } from './cluster-health.js';
import { HealthRegistry } from './health-registry.js';
import type { CircuitListener, TargetHealth } from './target-health.js';
import { probeUserAgent } from './probe.js';
import { UpstreamProber } from './upstream-prober.js';

export interface HealthServiceOptions {
  /** GATEHOUSE_REDIS_URL: health is shared through it. */
  redisUrl: string | undefined;
  logger: Logger;
}

/** What /status says about how health is checked here. */
export interface HealthCheckStatus {
  /** `shared`: one prober per upstream and one state for every instance on Redis; `local`: this instance alone. */
  mode: 'shared' | 'local';
  reason: string | null;
  /** The upstreams this instance probes. */
  probing: string[];
  node_id: string;
}

const ADMIN_CAUSE = 'set unhealthy through the admin API';

const REASONS: Record<SharingState, string | null> = {
  shared: null,
  starting: 'connecting to Redis: no probes from this instance until it answers (at most 3 s)',
  unreachable: 'Redis is unreachable: this instance runs its own checks until it is back',
};

export class HealthService implements CircuitListener {
  /** This instance, in Kong's `node_id`, probe leases and shared records. */
  readonly nodeId = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  readonly registry: HealthRegistry;
  private readonly cluster: ClusterHealth | null;
  private readonly probers = new Map<string, UpstreamProber>();
  private readonly logger: Logger;
  private closed = false;

  constructor(options: HealthServiceOptions) {
    this.logger = options.logger.child({ component: 'health' });
    this.registry = new HealthRegistry(this);
    this.cluster = options.redisUrl
      ? new ClusterHealth(
          options.redisUrl,
          this.nodeId,
          this.registry,
          { stateChanged: () => this.refreshProbers(), leasesChanged: () => this.refreshProbers() },
          this.logger,
          () => this.probedUpstreams(),
        )
      : null;
  }

  /** A new config version is live (the registry already adopted it), or leases changed: probers follow. */
  refreshProbers(): void {
    if (this.closed) return;
    const wanted = new Set(this.probedHere());
    for (const [name, prober] of this.probers) {
      if (wanted.has(name)) continue;
      prober.stop();
      this.probers.delete(name);
    }
    const upstreams = this.registry.upstreams();
    for (const name of wanted) {
      const upstream = upstreams.get(name)!;
      const running = this.probers.get(name);
      if (running) running.update(upstream);
      else {
        const prober = new UpstreamProber(upstream, (target, healthy, cause) => this.verdict(target, healthy, cause), probeUserAgent(this.nodeId));
        this.probers.set(name, prober);
        prober.start();
      }
    }
  }

  status(): HealthCheckStatus {
    const state = this.cluster?.state;
    return {
      mode: state === 'shared' ? 'shared' : 'local',
      reason: state === undefined ? 'no Redis: each instance runs its own checks' : REASONS[state],
      probing: [...this.probers.keys()].sort(),
      node_id: this.nodeId,
    };
  }

  /** Kong's `PUT /upstreams/{u}/targets/{t}/healthy`: counts reset, traffic resumes everywhere. */
  markHealthy(target: TargetHealth): void {
    this.logger.info({ upstream: target.upstream, target: target.address }, 'target set healthy through the admin API');
    this.verdict(target, true, 'set healthy through the admin API');
  }

  /** Kong's `PUT /upstreams/{u}/targets/{t}/unhealthy`: no traffic until set healthy or probes recover it. */
  markUnhealthy(target: TargetHealth): void {
    this.logger.warn({ upstream: target.upstream, target: target.address }, 'target set unhealthy through the admin API');
    this.verdict(target, false, ADMIN_CAUSE);
  }

  circuitOpened(target: TargetHealth, cause: string, openForMs: number): void {
    this.logger.warn({ upstream: target.upstream, target: target.address, cause, open_for_ms: openForMs }, 'target circuit opened');
    this.share([{ target, component: 'c', record: { cause, for_ms: openForMs } }]);
  }

  circuitClosed(target: TargetHealth): void {
    this.logger.info({ upstream: target.upstream, target: target.address }, 'target circuit closed');
    this.share([{ target, component: 'c', record: null }]);
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const prober of this.probers.values()) prober.stop();
    this.probers.clear();
    await this.cluster?.close();
  }

  /** An active verdict: applied here, then on every instance. Healthy also closes the circuit, as in Kong. */
  private verdict(target: TargetHealth, healthy: boolean, cause: string): void {
    if (healthy) {
      if (!target.healthy) this.logger.info({ upstream: target.upstream, target: target.address, cause }, 'target healthy');
      target.applyActive(false, null);
      target.applyCircuitClosed();
      this.share([
        { target, component: 'a', record: null },
        { target, component: 'c', record: null },
      ]);
      return;
    }
    if (cause !== ADMIN_CAUSE) this.logger.warn({ upstream: target.upstream, target: target.address, cause }, 'target unhealthy');
    target.applyActive(true, cause);
    this.share([{ target, component: 'a', record: { cause } }]);
  }

  private share(changes: OwnChange[]): void {
    this.cluster?.publish(changes);
  }

  /** What this instance probes: with Redis, the upstreams whose lease it holds (none while still connecting); else all. */
  private probedHere(): string[] {
    const state = this.cluster?.state;
    if (state === 'starting') return [];
    if (state === 'shared') return this.probedUpstreams().filter((name) => this.cluster!.leases.has(name));
    return this.probedUpstreams();
  }

  /** Upstreams of the served version with active checks. */
  private probedUpstreams(): string[] {
    return [...this.registry.upstreams().values()].filter((u) => u.policy.active !== null).map((u) => u.entity.name);
  }
}
