/**
 * Requests for the same counters that arrived together, decided by one atomic script call: Redis
 * admits as many as every window has room for, and they are handed out in arrival order, so each
 * request gets exactly the verdict and usage it would have had if they had been sent one by one.
 */
import type { RedisConnection } from '../../../src/plugin-kit/index.js';
import type { WindowSlot, WindowUsage } from '../windows.js';
import { HIT_SCRIPT, usagePairs } from './redis-scripts.js';
import type { HitResult } from './store.js';

/** What the script answered for a whole batch: how many were admitted and each window's usage after them. */
interface BatchOutcome {
  admitted: number;
  usage: WindowUsage[];
}

export class HitBatch {
  /** The slots of the latest request to join: the batch is counted in the buckets current when it is sent. */
  private slots: readonly WindowSlot[] = [];
  private size = 0;
  private settle!: (outcome: BatchOutcome) => void;
  private fail!: (error: unknown) => void;
  private readonly outcome = new Promise<BatchOutcome>((resolve, reject) => {
    this.settle = resolve;
    this.fail = reject;
  });

  /** Adds one request; resolves to its own verdict once the batch was decided (rejects if Redis failed). */
  join(slots: readonly WindowSlot[]): Promise<HitResult> {
    this.slots = slots;
    const position = this.size++;
    return this.outcome.then((outcome) => resultAt(outcome, position));
  }

  /** Runs the script for everyone who joined; settles with the batch's outcome and rejects with its failure. */
  async send(connection: RedisConnection): Promise<void> {
    const slots = this.slots;
    const keys: string[] = [];
    const args: number[] = [this.size];
    for (const slot of slots) {
      keys.push(slot.key);
      args.push(slot.bucket, slot.oldest, slot.limit, slot.ttlMs);
    }
    try {
      const reply = (await connection.run(HIT_SCRIPT, keys, args)) as number[];
      this.settle({ admitted: reply[0]!, usage: usagePairs(reply, 1, slots) });
    } catch (error) {
      this.fail(error);
      throw error;
    }
  }

  /** Fails every request that joined, without asking Redis. */
  abandon(error: unknown): void {
    this.fail(error);
  }
}

/** The verdict of the batch's request at `position`: the first `admitted` pass, each seeing the counts up to itself. */
function resultAt({ admitted, usage }: BatchOutcome, position: number): HitResult {
  if (position >= admitted) return { allowed: false, usage };
  const after = position + 1 - admitted;
  return { allowed: true, usage: usage.map((window) => ({ count: window.count + after, oldestBucket: window.oldestBucket })) };
}
