/** Unit: the exact redis policy's batched admission (script and coalescing store) against a real, private redis-server. */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { startTestRedis, type TestRedis } from '../../../support/redis.js';
import { RedisConnection } from '../../../src/plugin-kit/index.js';
import { configSchema } from '../schema.js';
import { bucketPlans, windowSpecs, type WindowSlot } from '../windows.js';
import { HIT_SCRIPT } from './redis-scripts.js';
import { RedisStore } from './redis.js';

const T0 = Date.UTC(2030, 0, 1, 12, 0, 30);

function slotsFor(key: string, limits: Record<string, number>, now = T0): WindowSlot[] {
  return windowSpecs(configSchema.parse(limits)).map((window) => bucketPlans['sliding-window'].slot(`${key}:${window.name}`, window, now));
}

/** Runs HIT_SCRIPT for n requests; returns {admitted, counts}. */
async function runBatch(connection: RedisConnection, slots: WindowSlot[], n: number): Promise<{ admitted: number; counts: number[] }> {
  const args = [n, ...slots.flatMap((slot) => [slot.bucket, slot.oldest, slot.limit, slot.ttlMs])];
  const reply = (await connection.run(HIT_SCRIPT, slots.map((slot) => slot.key), args)) as number[];
  return { admitted: reply[0]!, counts: slots.map((_, i) => reply[1 + 2 * i]!) };
}

async function evalCalls(admin: Redis): Promise<number> {
  const stats = (await admin.info('commandstats')).split('\n');
  return ['evalsha', 'eval'].reduce((sum, command) => {
    const line = stats.find((l) => l.startsWith(`cmdstat_${command}:`));
    return sum + Number(/calls=(\d+)/.exec(line ?? '')?.[1] ?? 0);
  }, 0);
}

describe('redis policy, exact mode', () => {
  let redis: TestRedis;
  let connection: RedisConnection;
  let admin: Redis;

  before(async () => {
    redis = await startTestRedis();
    connection = new RedisConnection(new Redis(redis.url, { enableOfflineQueue: false, maxRetriesPerRequest: 0 }), 1000);
    admin = new Redis(redis.url);
  });
  after(async () => {
    connection.close();
    admin.disconnect();
    await redis.close();
  });

  it('admits the largest k of a batch that every window has room for, and counts k in each', async () => {
    const slots = slotsFor('script-k', { minute: 4, hour: 6 });
    // One earlier request in the hour window only (e.g. from a previous minute).
    await admin.hincrby(slots[1]!.key, String(slots[1]!.bucket), 1);
    assert.deepEqual(await runBatch(connection, slots, 8), { admitted: 4, counts: [4, 5] });
    assert.deepEqual(await runBatch(connection, slots, 3), { admitted: 0, counts: [4, 5] });
    const later = slotsFor('script-k', { minute: 4, hour: 6 }, T0 + 60_000 + 6_000);
    // The minute window has slid past the first batch; the hour window has room for one more.
    assert.deepEqual(await runBatch(connection, later, 3), { admitted: 1, counts: [1, 6] });
  });

  it('admits no request when a fractional limit leaves no whole room', async () => {
    assert.deepEqual(await runBatch(connection, slotsFor('script-fraction', { minute: 2.5 }), 5), { admitted: 2, counts: [2] });
    assert.deepEqual(await runBatch(connection, slotsFor('script-fraction', { minute: 2.5 }), 1), { admitted: 0, counts: [2] });
  });

  it('decides requests of one turn with one script call, in arrival order, each seeing its own usage', async () => {
    const store = new RedisStore(connection);
    await store.hit(slotsFor('store-order', { minute: 1000 }));
    await admin.config('RESETSTAT');
    const slots = slotsFor('store-order', { minute: 5 });
    const results = await Promise.all(Array.from({ length: 9 }, () => store.hit(slots)));
    assert.equal(await evalCalls(admin), 1);
    assert.deepEqual(
      results.map((result) => result.allowed),
      [true, true, true, true, false, false, false, false, false],
    );
    // The warm-up request counted once: the admitted ones see 2…5, the refused ones the full 5.
    assert.deepEqual(
      results.map((result) => result.usage[0]!.count),
      [2, 3, 4, 5, 5, 5, 5, 5, 5],
    );
  });

  it('sends requests that arrive while a call runs as the next batch, and keeps separate keys apart', async () => {
    const store = new RedisStore(connection);
    const first = store.hit(slotsFor('store-next-a', { minute: 3 }));
    await new Promise((resolve) => setImmediate(resolve));
    // The first call is in flight now: these three wait for it and go together.
    const waiting = [store.hit(slotsFor('store-next-a', { minute: 3 })), store.hit(slotsFor('store-next-a', { minute: 3 })), store.hit(slotsFor('store-next-a', { minute: 3 }))];
    const other = store.hit(slotsFor('store-next-b', { minute: 3 }));
    assert.equal((await first).allowed, true);
    assert.deepEqual((await Promise.all(waiting)).map((result) => result.allowed), [true, true, false]);
    assert.equal((await other).allowed, true);
    assert.equal((await other).usage[0]!.count, 1);
  });

  it('fails the requests waiting behind a call that timed out with it, without sending them', async () => {
    const slow = new RedisConnection(new Redis(redis.url, { enableOfflineQueue: false, maxRetriesPerRequest: 0, commandTimeout: 100 }), 100);
    try {
      await once(slow.client, 'ready');
      const store = new RedisStore(slow);
      // Redis holds every command for longer than the command timeout: the first call times out.
      await admin.call('CLIENT', 'PAUSE', '500', 'ALL');
      const failure = (request: Promise<unknown>) => request.then(() => null, (error: unknown) => error);
      const first = failure(store.hit(slotsFor('store-timeout', { minute: 3 })));
      await new Promise((resolve) => setImmediate(resolve));
      const waiting = failure(store.hit(slotsFor('store-timeout', { minute: 3 })));
      const [firstError, waitingError] = await Promise.all([first, waiting]);
      assert.match(String(firstError), /timed out/);
      assert.equal(waitingError, firstError);
    } finally {
      slow.close();
    }
  });
});
