/** Unit: retry waits are random up to a bound that doubles per attempt, capped. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RETRY_BASE_MS, RETRY_CAP_MS, retryDelayMs } from './retry-backoff.js';

describe('retryDelayMs', () => {
  it('is a random share of a bound that doubles per attempt and stops at the cap', () => {
    assert.equal(retryDelayMs(1, () => 1), RETRY_BASE_MS);
    assert.equal(retryDelayMs(3, () => 1), RETRY_BASE_MS * 4);
    assert.equal(retryDelayMs(30, () => 1), RETRY_CAP_MS);
    assert.equal(retryDelayMs(2, () => 0.5), RETRY_BASE_MS);
    assert.equal(retryDelayMs(5, () => 0), 0);
  });

  it('spreads the waits of requests that failed together', () => {
    const waits = new Set(Array.from({ length: 50 }, () => Math.round(retryDelayMs(4) * 10)));
    assert.ok(waits.size > 10, `${waits.size} distinct waits of 50`);
  });
});
