import assert from 'node:assert/strict';
import { test } from 'node:test';
import { retainTickShape, retainedTickRecord } from './tick-shape.js';

test('retains a nextTick record: the object carrying the tick callback', async () => {
  retainTickShape();
  await new Promise((resolve) => setImmediate(resolve));
  const record = retainedTickRecord() as { callback?: unknown } | undefined;
  assert.equal(typeof record?.callback, 'function');
  assert.ok(Object.getOwnPropertySymbols(record).some((symbol) => symbol.description === 'async_id_symbol'));
});
