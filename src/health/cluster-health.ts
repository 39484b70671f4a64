/**
 * Target health shared by every instance on one Redis. A change this instance makes (a circuit its
 * traffic opened or closed, a probe verdict, an admin call) is applied here at once and written with
 * the next sequence number; every instance hears it by pub/sub within milliseconds and re-reads the
 * whole (small) state every second to catch what it missed, applying a record only when it is newer
 * than what it has. Changes made while Redis is unreachable are kept, newest per target, and written
 * when it is back, before the state is read again. Probe leases (one prober per upstream) are claimed
 * and renewed on the same one-second beat.
 */
import type { Logger } from 'pino';
import { connectRedis, type RedisClient } from '../config-store/redis-connection.js';
import type { HealthRegistry } from './health-registry.js';
import { fieldOf, HEALTH_CHANNEL, HealthStore, parseField, parseMessage, type Component, type HealthMessage, type HealthOp, type HealthRecord } from './health-store.js';
import type { TargetHealth } from './target-health.js';

/**
 * How long a start waits for Redis before checking on its own: long enough that an instance joining
 * a cluster does not probe for a moment before it learns another already does.
 */
export const START_WAIT_MS = 3000;
/** How often the state is re-read and leases renewed: the bound on how late a missed change is seen. */
export const SYNC_INTERVAL_MS = 1000;
/** A lease not renewed for this long is free: another instance takes over probing within about this. */
export const LEASE_TTL_MS = 3000;

/** What this instance knows of one component (active verdict or circuit) of one target. */
interface ComponentSync {
  /** Sequence number of the last change applied or acknowledged. */
  seq: number;
  /** Own writes not yet acknowledged. */
  inFlight: number;
  /** The newest own change Redis has not taken (it was unreachable). */
  unsent: HealthOp | null;
  /** A change heard while own writes were in flight, applied if it turns out newer. */
  deferred: { seq: number; value: string; now: number } | null;
}

/** A change this instance made: a record to store (`for_ms`: an open circuit's cool-down) or null to clear. */
export interface OwnChange {
  target: TargetHealth;
  component: Component;
  record: { cause: string; for_ms?: number } | null;
}

/** An own change on its way to Redis. */
interface Pending {
  target: TargetHealth;
  component: Component;
  state: ComponentSync;
  op: HealthOp;
}

/** `starting`: not connected yet, within START_WAIT_MS of the start; `unreachable`: Redis is away. */
export type SharingState = 'starting' | 'shared' | 'unreachable';

export interface ClusterEvents {
  /** Sharing started, or stopped because Redis became unreachable (or never answered at start). */
  stateChanged(state: SharingState): void;
  /** The upstreams whose probe lease this instance holds changed. */
  leasesChanged(held: ReadonlySet<string>): void;
}

export class ClusterHealth {
  private readonly client: RedisClient;
  private readonly subscriber: RedisClient;
  private readonly store: HealthStore;
  private readonly sync = new WeakMap<TargetHealth, Record<Component, ComponentSync>>();
  /** Targets with a change Redis has not taken. */
  private readonly unsent = new Set<TargetHealth>();
  private timer: NodeJS.Timeout | null = null;
  private held: ReadonlySet<string> = new Set();
  private highestSeq = 0;
  private closed = false;
  private state_: SharingState = 'starting';

  constructor(
    url: string,
    /** This instance, as written in leases and records. */
    private readonly instanceId: string,
    private readonly registry: HealthRegistry,
    private readonly events: ClusterEvents,
    private readonly logger: Logger,
    /** The upstreams with active checks, whose leases this instance competes for. */
    private readonly probed: () => string[],
  ) {
    this.client = connectRedis(url);
    this.subscriber = this.client.duplicate();
    this.store = new HealthStore(this.client);
    this.client.on('error', (error: Error) => logger.debug({ err: error.message }, 'health: redis connection error'));
    this.subscriber.on('error', () => undefined);
    this.client.on('ready', () => void this.onReady());
    this.client.on('close', () => this.onLost());
    this.subscriber.on('ready', () => {
      this.subscriber.subscribe(HEALTH_CHANNEL).catch((error: Error) => logger.warn({ err: error.message }, 'health channel subscription failed'));
    });
    this.subscriber.on('message', (_channel: string, text: string) => this.onMessage(text));
    this.timer = setInterval(() => void this.beat(), SYNC_INTERVAL_MS);
    this.timer.unref();
    setTimeout(() => {
      if (this.state_ === 'starting' && !this.closed) this.lost();
    }, START_WAIT_MS).unref();
  }

  get state(): SharingState {
    return this.state_;
  }

  private get connected(): boolean {
    return this.state_ === 'shared';
  }

  get leases(): ReadonlySet<string> {
    return this.held;
  }

  /** Applies nothing locally (the caller has): writes the changes, or keeps them for when Redis is back. */
  publish(changes: readonly OwnChange[]): void {
    const pending = changes.map(({ target, component, record }): Pending => {
      const op = { field: fieldOf(component, target.upstream, target.address), record: record === null ? null : { ...record, by: this.instanceId } };
      const state = this.stateOf(target)[component];
      state.unsent = op;
      this.unsent.add(target);
      return { target, component, state, op };
    });
    if (this.connected) void this.send(pending);
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    if (this.connected && this.held.size > 0) await this.store.releaseLeases([...this.held], this.instanceId).catch(() => undefined);
    this.subscriber.disconnect();
    this.client.disconnect();
  }

  private stateOf(target: TargetHealth): Record<Component, ComponentSync> {
    let state = this.sync.get(target);
    if (!state) {
      const fresh = (): ComponentSync => ({ seq: 0, inFlight: 0, unsent: null, deferred: null });
      state = { a: fresh(), c: fresh() };
      this.sync.set(target, state);
    }
    return state;
  }

  private async send(pending: Pending[]): Promise<void> {
    for (const { state } of pending) state.inFlight++;
    let seq = 0;
    try {
      seq = await this.store.write(pending.map(({ op }) => op));
    } catch (error) {
      this.logger.debug({ err: (error as Error).message }, 'health: change kept until Redis takes it');
    }
    this.noteSeq(seq);
    for (const { target, component, state, op } of pending) {
      state.inFlight--;
      if (seq === 0) continue;
      // A newer own change made meanwhile stays unsent: its own write is on its way.
      if (state.unsent === op) state.unsent = null;
      state.seq = Math.max(state.seq, seq);
      const other = this.stateOf(target)[component === 'a' ? 'c' : 'a'];
      if (state.unsent === null && other.unsent === null) this.unsent.delete(target);
      const deferred = state.deferred;
      if (state.inFlight === 0 && state.unsent === null && deferred !== null) {
        state.deferred = null;
        if (deferred.seq > state.seq) this.apply(target, component, state, deferred.value, deferred.seq, deferred.now);
      }
    }
  }

  private onMessage(text: string): void {
    const message = parseMessage(text);
    if (message === null) return;
    this.noteSeq(message.seq);
    for (const { field, value } of message.ops) this.hear(field, value, message);
  }

  private hear(field: string, value: string, message: HealthMessage): void {
    const parsed = parseField(field);
    const target = parsed && this.registry.find(parsed.upstream, parsed.address);
    if (!parsed || !target) return;
    const state = this.stateOf(target)[parsed.component];
    if (message.seq <= state.seq) return;
    if (state.inFlight > 0 || state.unsent !== null) {
      if (state.deferred === null || state.deferred.seq < message.seq) state.deferred = { seq: message.seq, value, now: message.now };
      return;
    }
    this.apply(target, parsed.component, state, value, message.seq, message.now);
  }

  /** Brings a component to what Redis says at `seq`; `now` is Redis's clock then. */
  private apply(target: TargetHealth, component: Component, state: ComponentSync, value: string, seq: number, now: number): void {
    state.seq = seq;
    const record = value === '' ? null : (JSON.parse(value) as HealthRecord);
    if (component === 'a') target.applyActive(record !== null, record?.cause ?? null);
    else if (record === null) target.applyCircuitClosed();
    else target.applyCircuitOpen(Date.now() + ((record.until ?? now) - now), record.cause);
  }

  /** Redis is reachable (again): hand over what it missed, read the state, claim leases. */
  private async onReady(): Promise<void> {
    if (this.closed) return;
    this.state_ = 'shared';
    this.events.stateChanged('shared');
    await this.beat();
  }

  private onLost(): void {
    if (this.state_ === 'shared' && !this.closed) this.lost();
  }

  private lost(): void {
    this.state_ = 'unreachable';
    this.held = new Set();
    this.logger.warn('health: Redis unreachable; this instance runs its own health checks until it is back');
    this.events.stateChanged('unreachable');
  }

  private async flushUnsent(): Promise<void> {
    const pending: Pending[] = [];
    for (const target of this.unsent) {
      const states = this.stateOf(target);
      for (const component of ['a', 'c'] as const) {
        const state = states[component];
        if (state.unsent !== null && state.inFlight === 0) pending.push({ target, component, state, op: state.unsent });
      }
    }
    if (pending.length > 0) await this.send(pending);
  }

  /** Every second: re-read the state, renew and claim leases. */
  private async beat(): Promise<void> {
    if (!this.connected || this.closed) return;
    try {
      await this.flushUnsent();
      await this.reconcile();
      this.setLeases(await this.store.claimLeases(this.probed(), this.instanceId, LEASE_TTL_MS));
    } catch (error) {
      this.logger.debug({ err: (error as Error).message }, 'health: sync with Redis failed');
    }
  }

  private async reconcile(): Promise<void> {
    const snapshot = await this.store.snapshot();
    if (snapshot.seq < this.highestSeq) {
      // Redis lost the health state (restarted empty): numbers start again, so forget the old ones.
      this.logger.warn('health: Redis holds no shared health state any more; starting from it again');
      for (const [, , state] of this.liveComponents()) state.seq = 0;
      this.highestSeq = 0;
    }
    this.noteSeq(snapshot.seq);
    for (const [target, component, state] of this.liveComponents()) {
      if (state.inFlight > 0 || state.unsent !== null) continue;
      const record = snapshot.records.get(fieldOf(component, target.upstream, target.address));
      if (record !== undefined) {
        if (record.seq > state.seq) this.apply(target, component, state, JSON.stringify(record), record.seq, snapshot.now);
      } else if (state.seq < snapshot.seq && !this.isDefault(target, component)) {
        this.apply(target, component, state, '', snapshot.seq, snapshot.now);
      }
    }
  }

  private isDefault(target: TargetHealth, component: Component): boolean {
    return component === 'a' ? !target.isActiveDown : target.circuit === 'closed';
  }

  private *liveComponents(): Generator<[TargetHealth, Component, ComponentSync]> {
    for (const upstream of this.registry.upstreams().values()) {
      for (const target of upstream.targets) {
        const state = this.stateOf(target);
        yield [target, 'a', state.a];
        yield [target, 'c', state.c];
      }
    }
  }

  private noteSeq(seq: number): void {
    if (seq > this.highestSeq) this.highestSeq = seq;
  }

  private setLeases(held: ReadonlySet<string>): void {
    const same = held.size === this.held.size && [...held].every((name) => this.held.has(name));
    this.held = held;
    if (!same) this.events.leasesChanged(held);
  }
}
