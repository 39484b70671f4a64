/**
 * The health of one upstream target, kept across config versions: the active verdict (probes, an
 * admin call, or another instance's) and the circuit breaker driven by proxied traffic. Passive
 * failures in a row (or a failure ratio) open the circuit; after the cool-down exactly one request is
 * let through (half-open) and its result closes or re-opens it. Balancing asks `admit` on every pick,
 * which reads one precomputed number while the target is healthy; everything else happens when an
 * answer or a failure is observed, or off the request path.
 */
import { FailureWindow } from './failure-window.js';
import { HTTP_FAILURE, SUCCESS, type HealthPolicy } from './health-policy.js';

export type CircuitState = 'closed' | 'open' | 'half_open';
/** How a proxied request failed before an answer: no usable connection or answer, or a timeout. */
export type FailureKind = 'tcp' | 'timeout';

/** Window of the `recent_failures` count reported on /status. */
export const RECENT_WINDOW_MS = 60_000;
/** Bound on the failure times kept, so a flapping target costs constant memory. */
const MAX_RECENT_FAILURES = 1_000;

/** Told when this instance's own traffic opens or closes a circuit (the cluster sync and the log listen). */
export interface CircuitListener {
  circuitOpened(target: TargetHealth, cause: string, openForMs: number): void;
  circuitClosed(target: TargetHealth): void;
}

const NOBODY: CircuitListener = { circuitOpened: () => undefined, circuitClosed: () => undefined };

export interface HealthReport {
  state: 'healthy' | 'unhealthy';
  circuit: CircuitState;
  /** Why the target takes no traffic, when it does not. */
  unhealthy_reason: string | null;
  consecutive_failures: number;
  recent_failures: number;
  last_failure: { cause: string; at: string } | null;
  /** When an open circuit lets its trial request through. */
  unhealthy_until: string | null;
}

export class TargetHealth {
  listener: CircuitListener = NOBODY;
  /**
   * 0 while the target takes traffic; Infinity while it is down (active verdict) or its half-open trial
   * is in flight; otherwise the epoch ms when an open circuit lets its trial through.
   */
  private blockedUntil = 0;
  private activeDown = false;
  private activeCause: string | null = null;
  private circuitState: CircuitState = 'closed';
  private openUntil = 0;
  private circuitCause: string | null = null;
  /** The request (its context object) the half-open circuit let through; only its result counts. */
  private trialOwner: object | null = null;
  /** Passive failures in a row, by kind, and of any kind (for /status). */
  private tcpFailures = 0;
  private timeouts = 0;
  private httpFailures = 0;
  private streak = 0;
  private window: FailureWindow | null;
  /** Epoch ms of failures inside the recent window, oldest first. */
  private failures: number[] = [];
  private lastFailure: { cause: string; at: number } | null = null;

  constructor(
    readonly upstream: string,
    readonly address: string,
    private policy_: HealthPolicy,
  ) {
    this.window = policy_.failureRatio ? new FailureWindow(policy_.failureRatio) : null;
  }

  get policy(): HealthPolicy {
    return this.policy_;
  }

  /** A new config version changed the upstream's healthchecks: counts start again under the new rules. */
  set policy(policy: HealthPolicy) {
    if (policy === this.policy_) return;
    this.policy_ = policy;
    this.window = policy.failureRatio ? new FailureWindow(policy.failureRatio) : null;
    this.resetCounts();
  }

  /**
   * Whether a request may go to this target now. At the end of an open circuit's cool-down the first
   * caller becomes its one trial request (`owner` identifies it) and everyone else is refused until the
   * trial's result is known.
   */
  admit(owner: object): boolean {
    const blocked = this.blockedUntil;
    if (blocked === 0) return true;
    if (blocked === Infinity || Date.now() < blocked) return false;
    this.circuitState = 'half_open';
    this.trialOwner = owner;
    this.blockedUntil = Infinity;
    return true;
  }

  /** HEALTHY in Kong's terms: no active verdict against it and a closed circuit. */
  get healthy(): boolean {
    return !this.activeDown && this.circuitState === 'closed';
  }

  /** Could take a request now or at its next trial: what a fallback decision asks, without claiming anything. */
  get available(): boolean {
    return this.blockedUntil === 0 || (this.blockedUntil !== Infinity && Date.now() >= this.blockedUntil);
  }

  get circuit(): CircuitState {
    return this.circuitState;
  }

  get isActiveDown(): boolean {
    return this.activeDown;
  }

  /** A proxied answer's status, as the passive checks count it. */
  observeStatus(owner: object, status: number): void {
    const verdict = this.policy_.passiveStatuses[status];
    if (this.circuitState !== 'closed') {
      if (owner === this.trialOwner) this.settleTrial(verdict !== HTTP_FAILURE, `HTTP ${status}`);
      return;
    }
    if (verdict === SUCCESS) {
      if (this.streak !== 0) this.resetStreaks();
      this.window?.record(Date.now(), false);
    } else if (verdict === HTTP_FAILURE) {
      this.failed('http', `HTTP ${status} from ${this.address}`);
    } else {
      this.window?.record(Date.now(), false);
    }
  }

  /** A proxied request that got no answer: its connection failed, or it timed out. */
  observeFailure(owner: object, kind: FailureKind, cause: string): void {
    if (this.circuitState === 'closed') this.failed(kind, cause);
    else {
      this.remember(cause, Date.now());
      if (owner === this.trialOwner) this.settleTrial(false, cause);
    }
  }

  /** A request that ended without a verdict (its client left): if it was the trial, the next request is. */
  observeAbandoned(owner: object): void {
    if (this.circuitState !== 'half_open' || owner !== this.trialOwner) return;
    this.circuitState = 'open';
    this.trialOwner = null;
    this.openUntil = Date.now();
    this.blockedUntil = this.openUntil;
  }

  /** Sets the active verdict (probes, an admin call, another instance). */
  applyActive(down: boolean, cause: string | null): void {
    this.activeDown = down;
    this.activeCause = down ? cause : null;
    this.recompute();
  }

  /** Opens the circuit until `until` (epoch ms) because another instance's traffic tripped it. */
  applyCircuitOpen(until: number, cause: string): void {
    this.circuitState = 'open';
    this.openUntil = until;
    this.circuitCause = cause;
    this.trialOwner = null;
    this.resetCounts();
    this.recompute();
  }

  applyCircuitClosed(): void {
    if (this.circuitState === 'closed') return;
    this.circuitState = 'closed';
    this.circuitCause = null;
    this.trialOwner = null;
    this.resetCounts();
    this.recompute();
  }

  report(now: number): HealthReport {
    this.prune(now);
    const reason = this.activeDown ? this.activeCause : this.circuitState === 'closed' ? null : `circuit ${this.circuitState.replace('_', '-')}: ${this.circuitCause}`;
    return {
      state: this.healthy ? 'healthy' : 'unhealthy',
      circuit: this.circuitState,
      unhealthy_reason: reason,
      consecutive_failures: this.streak,
      recent_failures: this.failures.length,
      last_failure: this.lastFailure ? { cause: this.lastFailure.cause, at: new Date(this.lastFailure.at).toISOString() } : null,
      unhealthy_until: this.circuitState === 'open' ? new Date(this.openUntil).toISOString() : null,
    };
  }

  private failed(kind: FailureKind | 'http', cause: string): void {
    const now = Date.now();
    this.remember(cause, now);
    this.streak++;
    const rules = this.policy_.passive;
    let reason: string | null = null;
    if (kind === 'tcp') {
      if (++this.tcpFailures >= rules.tcpFailures && rules.tcpFailures > 0) reason = `${this.tcpFailures} TCP failures in a row`;
    } else if (kind === 'timeout') {
      if (++this.timeouts >= rules.timeouts && rules.timeouts > 0) reason = `${this.timeouts} timeouts in a row`;
    } else if (++this.httpFailures >= rules.httpFailures && rules.httpFailures > 0) reason = `${this.httpFailures} HTTP failures in a row`;
    if (this.window?.record(now, true) && reason === null) {
      const ratio = this.policy_.failureRatio!;
      reason = `failure ratio reached ${ratio.ratio} over ${ratio.windowSeconds}s`;
    }
    if (reason !== null) this.open(now, `${reason} (last: ${cause})`);
  }

  private settleTrial(succeeded: boolean, cause: string): void {
    if (!succeeded) {
      this.open(Date.now(), `trial request failed: ${cause}`);
      return;
    }
    this.applyCircuitClosed();
    this.listener.circuitClosed(this);
  }

  private open(now: number, cause: string): void {
    this.applyCircuitOpen(now + this.policy_.cooldownMs, cause);
    this.listener.circuitOpened(this, cause, this.policy_.cooldownMs);
  }

  private recompute(): void {
    if (this.activeDown || this.circuitState === 'half_open') this.blockedUntil = Infinity;
    else this.blockedUntil = this.circuitState === 'open' ? this.openUntil : 0;
  }

  private resetStreaks(): void {
    this.tcpFailures = 0;
    this.timeouts = 0;
    this.httpFailures = 0;
    this.streak = 0;
  }

  private resetCounts(): void {
    this.resetStreaks();
    this.window?.reset();
  }

  private remember(cause: string, now: number): void {
    this.lastFailure = { cause, at: now };
    this.failures.push(now);
    if (this.failures.length > MAX_RECENT_FAILURES) this.failures.shift();
    this.prune(now);
  }

  private prune(now: number): void {
    let drop = 0;
    while (drop < this.failures.length && this.failures[drop]! < now - RECENT_WINDOW_MS) drop++;
    if (drop > 0) this.failures = this.failures.slice(drop);
  }
}
