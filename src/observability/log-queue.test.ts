/** Unit: the log queue batches, retries with backoff, and drops (counted) instead of growing or throwing. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import { BatchQueue, queueSchema } from './log-queue.js';
import { metricsRegistry } from './metrics.js';

const logger = pino({ level: 'silent' });
const dropped = async (plugin: string) => {
  const metric = await metricsRegistry.getSingleMetric('gatehouse_log_entries_dropped_total')!.get();
  return metric.values.find((v) => v.labels.plugin === plugin)?.value ?? 0;
};

describe('BatchQueue', () => {
  // The queue's timers never keep a process alive (the gateway's listeners do); here a test timer does.
  let keepAlive: NodeJS.Timeout;
  before(() => (keepAlive = setInterval(() => undefined, 1000)));
  after(() => clearInterval(keepAlive));

  it('fills Kong\'s defaults and rejects bad values with their path', () => {
    assert.deepEqual(queueSchema().parse(undefined), {
      max_batch_size: 1,
      max_coalescing_delay: 1,
      max_entries: 10_000,
      max_retry_time: 60,
      initial_retry_delay: 0.01,
      max_retry_delay: 60,
    });
    const bad = queueSchema().safeParse({ max_batch_size: 0 });
    assert.equal(bad.success, false);
    assert.deepEqual(bad.error!.issues[0]!.path, ['max_batch_size']);
  });

  it('sends full batches at once and the rest after the coalescing delay', async () => {
    const batches: number[][] = [];
    const queue = new BatchQueue<number>('unit-batch', queueSchema().parse({ max_batch_size: 3, max_coalescing_delay: 0.02 }), async (b) => void batches.push(b), logger);
    for (let i = 1; i <= 4; i++) queue.add(i);
    await queue.close();
    assert.deepEqual(batches, [[1, 2, 3], [4]]);
  });

  it('retries a failing batch and delivers it once the sink recovers', async () => {
    let failures = 2;
    const delivered: number[][] = [];
    const queue = new BatchQueue<number>(
      'unit-retry',
      queueSchema().parse({ max_coalescing_delay: 0, initial_retry_delay: 0.005 }),
      async (b) => {
        if (failures-- > 0) throw new Error('sink down');
        delivered.push(b);
      },
      logger,
    );
    queue.add(7);
    await queue.close();
    assert.deepEqual(delivered, [[7]]);
    assert.equal(await dropped('unit-retry'), 0);
  });

  it('drops and counts entries over max_entries and batches past max_retry_time', async () => {
    const queue = new BatchQueue<number>(
      'unit-drop',
      queueSchema().parse({ max_entries: 2, max_coalescing_delay: 0, max_retry_time: 0.05, initial_retry_delay: 0.01 }),
      async () => {
        throw new Error('sink down');
      },
      logger,
    );
    for (let i = 0; i < 6; i++) queue.add(i);
    await queue.close();
    assert.equal(await dropped('unit-drop'), 6);
  });
});
