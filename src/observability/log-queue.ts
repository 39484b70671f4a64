/**
 * Kong's plugin queue for log sinks: entries are batched (up to max_batch_size, waiting at most
 * max_coalescing_delay), sent one batch at a time, retried with exponential backoff up to
 * max_retry_time, and dropped — counted, never thrown — when the queue is full or retries run out.
 * Timers never keep the process alive and nothing here ever waits on the request path.
 */
import type { Logger } from 'pino';
import { z } from 'zod';
import { logEntriesDropped } from './metrics.js';

export const DEFAULT_MAX_BATCH_SIZE = 1;
export const DEFAULT_MAX_COALESCING_DELAY = 1;
export const DEFAULT_MAX_ENTRIES = 10_000;
export const DEFAULT_MAX_RETRY_TIME = 60;
export const DEFAULT_INITIAL_RETRY_DELAY = 0.01;
export const DEFAULT_MAX_RETRY_DELAY = 60;

/** Kong's `queue` object; `defaults` lets a plugin use Kong's per-plugin defaults (e.g. opentelemetry's). */
export function queueSchema(defaults: { max_batch_size?: number; max_coalescing_delay?: number } = {}) {
  return z
    .strictObject({
      max_batch_size: z.int().min(1).max(1_000_000).default(defaults.max_batch_size ?? DEFAULT_MAX_BATCH_SIZE).describe('Most entries sent in one batch.'),
      max_coalescing_delay: z
        .number()
        .min(0)
        .max(3600)
        .default(defaults.max_coalescing_delay ?? DEFAULT_MAX_COALESCING_DELAY)
        .describe('Seconds to wait for more entries before sending a batch that is not full.'),
      max_entries: z.int().min(1).max(1_000_000).default(DEFAULT_MAX_ENTRIES).describe('Most entries waiting; more are dropped and counted.'),
      max_bytes: z.int().min(1).nullish().describe('Accepted for Kong compatibility; the queue is bounded by max_entries.'),
      max_retry_time: z.number().min(0).default(DEFAULT_MAX_RETRY_TIME).describe('Seconds a failing batch is retried before it is dropped and counted.'),
      initial_retry_delay: z.number().min(0.001).max(1_000_000).default(DEFAULT_INITIAL_RETRY_DELAY).describe('Seconds before the first retry; doubles on each retry.'),
      max_retry_delay: z.number().min(0.001).max(1_000_000).default(DEFAULT_MAX_RETRY_DELAY).describe('Longest wait between two retries, in seconds.'),
      concurrency_limit: z.literal(1).optional().describe('Accepted for Kong compatibility; batches are always sent one at a time.'),
    })
    .prefault({});
}

export type QueueOptions = z.output<ReturnType<typeof queueSchema>>;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

export class BatchQueue<T> {
  private entries: T[] = [];
  private sending: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private closed = false;
  private full = false;

  constructor(
    /** Metric label and log field: the plugin's name. */
    private readonly plugin: string,
    private readonly options: QueueOptions,
    private readonly send: (batch: T[]) => Promise<void>,
    private readonly logger: Logger,
  ) {}

  add(entry: T): void {
    if (this.closed || this.entries.length >= this.options.max_entries) {
      if (!this.full) this.logger.warn({ plugin: this.plugin, max_entries: this.options.max_entries }, 'log queue full; dropping entries');
      this.full = true;
      logEntriesDropped().labels(this.plugin).inc();
      return;
    }
    this.full = false;
    this.entries.push(entry);
    if (this.sending !== null) return;
    if (this.entries.length >= this.options.max_batch_size) this.start();
    else this.timer ??= setTimeout(() => this.start(), this.options.max_coalescing_delay * 1000).unref();
  }

  /** Stops accepting entries; resolves once what is queued was sent or dropped. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.sending === null && this.entries.length > 0) this.start();
    await this.sending;
  }

  private start(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.sending = this.drain().finally(() => (this.sending = null));
  }

  private async drain(): Promise<void> {
    while (this.entries.length > 0) await this.deliver(this.entries.splice(0, this.options.max_batch_size));
  }

  private async deliver(batch: T[]): Promise<void> {
    const { max_retry_time, initial_retry_delay, max_retry_delay } = this.options;
    const started = Date.now();
    let delay = initial_retry_delay * 1000;
    for (;;) {
      try {
        await this.send(batch);
        return;
      } catch (error) {
        if (Date.now() - started + delay > max_retry_time * 1000) {
          logEntriesDropped().labels(this.plugin).inc(batch.length);
          this.logger.warn({ plugin: this.plugin, entries: batch.length, err: error }, 'log sink failed past max_retry_time; batch dropped');
          return;
        }
        await sleep(delay);
        delay = Math.min(delay * 2, max_retry_delay * 1000);
      }
    }
  }
}
