/**
 * The active checks of one upstream, as Kong runs them: healthy targets are probed every
 * `healthy.interval`, unhealthy ones every `unhealthy.interval`, at most `concurrency` probes at a
 * time, all on timers off the request path. Failures of a kind in a row past their threshold make a
 * healthy target unhealthy; `healthy.successes` in a row make an unhealthy one healthy again (a circuit
 * the passive checks opened included). The verdict goes to the health service, which applies it here
 * and on every instance sharing Redis.
 */
import type { ActiveProbing } from './health-policy.js';
import type { UpstreamHealth } from './health-registry.js';
import { probe, type ProbeOutcome } from './probe.js';
import type { TargetHealth } from './target-health.js';

/** What the prober concluded about a target, and why. */
export type Verdict = (target: TargetHealth, healthy: boolean, cause: string) => void;

interface Streaks {
  successes: number;
  tcp_failure: number;
  timeout: number;
  http_failure: number;
}

const FAILURE_WORDS = { tcp_failure: 'probe TCP failures', timeout: 'probe timeouts', http_failure: 'probe HTTP failures' } as const;

export class UpstreamProber {
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly running = { healthy: false, unhealthy: false };
  private readonly streaks = new Map<TargetHealth, Streaks>();

  constructor(
    private upstream: UpstreamHealth,
    private readonly verdict: Verdict,
    private readonly userAgent: string,
  ) {}

  get name(): string {
    return this.upstream.entity.name;
  }

  /** Starts probing on the upstream's intervals. */
  start(): void {
    const probing = this.probing;
    if (probing.healthyIntervalMs > 0) this.every(probing.healthyIntervalMs, true);
    if (probing.unhealthyIntervalMs > 0) this.every(probing.unhealthyIntervalMs, false);
  }

  stop(): void {
    for (const timer of this.timers.splice(0)) clearInterval(timer);
    this.streaks.clear();
  }

  /** A new config version: the remaining targets' streaks are kept; changed healthchecks restart the timers. */
  update(upstream: UpstreamHealth): void {
    const before = this.upstream.policy;
    this.upstream = upstream;
    for (const target of this.streaks.keys()) if (!upstream.targets.includes(target)) this.streaks.delete(target);
    if (upstream.policy === before) return;
    this.stop();
    this.start();
  }

  private get probing(): ActiveProbing {
    return this.upstream.policy.active!;
  }

  private every(intervalMs: number, healthyOnes: boolean): void {
    const timer = setInterval(() => void this.round(healthyOnes), intervalMs);
    timer.unref();
    this.timers.push(timer);
  }

  /** Probes the targets now in that state; a round still running when the next is due skips it. */
  private async round(healthyOnes: boolean): Promise<void> {
    const group = healthyOnes ? 'healthy' : 'unhealthy';
    if (this.running[group]) return;
    this.running[group] = true;
    try {
      const targets = this.upstream.targets.filter((t) => t.healthy === healthyOnes);
      const probing = this.probing;
      const hostHeader = this.upstream.entity.host_header;
      let next = 0;
      const worker = async () => {
        while (next < targets.length) {
          const target = targets[next++]!;
          this.count(target, await probe(target.address, probing, hostHeader ?? target.address, this.userAgent));
        }
      };
      await Promise.all(Array.from({ length: Math.min(probing.concurrency, targets.length) }, worker));
    } finally {
      this.running[group] = false;
    }
  }

  private count(target: TargetHealth, outcome: ProbeOutcome): void {
    // The target may have left the upstream while its probe was out.
    if (!this.upstream.targets.includes(target) || outcome.kind === 'neither') return;
    let streaks = this.streaks.get(target);
    if (!streaks) this.streaks.set(target, (streaks = { successes: 0, tcp_failure: 0, timeout: 0, http_failure: 0 }));
    const probing = this.probing;
    if (outcome.kind === 'success') {
      streaks.successes++;
      streaks.tcp_failure = streaks.timeout = streaks.http_failure = 0;
      if (!target.healthy && probing.successes > 0 && streaks.successes >= probing.successes) {
        this.streaks.delete(target);
        this.verdict(target, true, `${streaks.successes} successful probes in a row`);
      }
      return;
    }
    streaks.successes = 0;
    const count = ++streaks[outcome.kind];
    const threshold = { tcp_failure: probing.unhealthy.tcpFailures, timeout: probing.unhealthy.timeouts, http_failure: probing.unhealthy.httpFailures }[outcome.kind];
    if (!target.isActiveDown && threshold > 0 && count >= threshold) {
      this.streaks.delete(target);
      this.verdict(target, false, `${count} ${FAILURE_WORDS[outcome.kind]} in a row (last: ${outcome.cause})`);
    }
  }
}
