/** Unit: pre-formatted random ids keep their formats and never repeat across block refills. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { newSpanId, newTraceparent, newUuid } from './random-ids.js';

/** More than two blocks' worth, so refills are crossed. */
const COUNT = 1000;

function distinct(make: () => string): string[] {
  const ids = Array.from({ length: COUNT }, make);
  assert.equal(new Set(ids).size, COUNT, 'an id repeated');
  return ids;
}

describe('random ids', () => {
  it('makes UUID v4 request IDs', () => {
    for (const id of distinct(newUuid)) assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('makes sampled traceparents of new traces, whose trace and span ids sit at fixed places', () => {
    const traceIds = new Set<string>();
    for (const traceparent of distinct(newTraceparent)) {
      assert.match(traceparent, /^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
      traceIds.add(traceparent.slice(3, 35));
    }
    assert.equal(traceIds.size, COUNT);
  });

  it('makes 16-digit span ids', () => {
    for (const id of distinct(newSpanId)) assert.match(id, /^[0-9a-f]{16}$/);
  });
});
