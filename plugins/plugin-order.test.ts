/** Unit: the bundled plugins run in Kong's priority order, and no two share a priority. */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { bundledPlugins, bundledRegistry } from './index.js';

it('orders bundled plugins by Kong priority', () => {
  assert.deepEqual(
    bundledRegistry.ordered().map((p) => [p.name, p.priority]),
    [
      ['correlation-id', 100_001],
      ['request-size-limiting', 951],
      ['rate-limiting', 910],
    ],
  );
  assert.equal(new Set(bundledPlugins.map((p) => p.priority)).size, bundledPlugins.length);
});
