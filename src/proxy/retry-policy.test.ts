/** Unit: which failed attempts mayRetry lets through. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mayRetry, REFUSED_STREAM_CODE, type FailedAttempt } from './retry-policy.js';

const refusedGet: FailedAttempt = { code: 'ECONNREFUSED', headArrived: false, streamsBody: false, method: 'GET', attempts: 1, retries: 2 };

describe('mayRetry', () => {
  it('retries what never reached an upstream application: refused, connect timeout, DNS, a refused HTTP/2 stream', () => {
    for (const code of ['ECONNREFUSED', 'UND_ERR_CONNECT_TIMEOUT', 'ENOTFOUND', REFUSED_STREAM_CODE]) assert.equal(mayRetry({ ...refusedGet, code }), true, code);
  });

  it('retries a reset only before the response head', () => {
    assert.equal(mayRetry({ ...refusedGet, code: 'ECONNRESET' }), true);
    assert.equal(mayRetry({ ...refusedGet, code: 'ECONNRESET', headArrived: true }), false);
  });

  it('never retries a timeout, a request with a body, a non-idempotent method, or past the retries', () => {
    assert.equal(mayRetry({ ...refusedGet, code: 'UND_ERR_HEADERS_TIMEOUT' }), false);
    assert.equal(mayRetry({ ...refusedGet, streamsBody: true }), false);
    assert.equal(mayRetry({ ...refusedGet, method: 'POST' }), false);
    assert.equal(mayRetry({ ...refusedGet, attempts: 3 }), false);
    assert.equal(mayRetry({ ...refusedGet, attempts: 2 }), true);
  });
});
