/**
 * Which of the `steps` buckets go to the canary, now: a fixed `percentage` of them, or, in a timed
 * rollout, one more bucket each `duration / steps` seconds from `start` until all of them. Users are
 * hashed into buckets and the canary's buckets are always the lowest ones, so while the share holds a
 * user stays on one side, and as it grows users only ever move from the old side to the new.
 */
import type { CanaryConfig } from './schema.js';

export class Rollout {
  /** Buckets below this go to the canary (a fixed percentage may make it fractional). */
  private threshold = 0;
  /** Epoch ms when a timed rollout next moves a bucket; Infinity once it no longer moves. */
  private nextChangeAt = 0;

  constructor(private readonly config: CanaryConfig) {
    if (config.percentage !== undefined && config.percentage !== null) {
      this.threshold = (config.steps * config.percentage) / 100;
      this.nextChangeAt = Infinity;
    }
  }

  /**
   * The canary's share of the buckets now, as a bucket threshold from 0 to `steps`. A fixed share
   * reads no clock; a timed rollout reads `clock` (epoch ms, read in order, as the request path's is)
   * and recomputes only when its next step is due.
   */
  canaryBuckets(clock: () => number = Date.now): number {
    if (this.nextChangeAt === Infinity) return this.threshold;
    const now = clock();
    if (now >= this.nextChangeAt) {
      this.threshold = this.thresholdAt(now);
      const { steps, duration } = this.config;
      const startMs = (this.config.start ?? 0) * 1000;
      this.nextChangeAt = now < startMs ? startMs : this.threshold >= steps ? Infinity : startMs + ((this.threshold + 1) * duration * 1000) / steps;
    }
    return this.threshold;
  }

  /** A timed rollout's threshold at any time `now` (epoch ms): one more bucket each duration/steps from the start. */
  thresholdAt(now: number): number {
    const { steps, duration } = this.config;
    const startMs = (this.config.start ?? 0) * 1000;
    if (now < startMs) return 0;
    const stepMs = (duration * 1000) / steps;
    return stepMs === 0 ? steps : Math.min(steps, Math.floor((now - startMs) / stepMs));
  }
}
