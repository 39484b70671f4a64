/** Unit: the bundled plugins run in Kong's priority order, and no two share a priority. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { z } from 'zod';
import { definePlugin } from '../src/pipeline/contract.js';
import { PluginRegistry } from '../src/pipeline/registry.js';
import { bundledPlugins, bundledRegistry } from './index.js';

describe('plugin order', () => {
  it('orders bundled plugins by Kong priority', () => {
    assert.deepEqual(
      bundledRegistry.ordered().map((p) => [p.name, p.priority]),
      [
        ['correlation-id', 100_001],
        ['jwt', 1450],
        ['key-auth', 1250],
        ['basic-auth', 1100],
        ['forward-auth', 1000],
        ['request-size-limiting', 951],
        ['acl', 950],
        ['rate-limiting', 910],
        ['opentelemetry', 14],
        ['prometheus', 13],
        ['http-log', 12],
        ['file-log', 9],
      ],
    );
    assert.equal(new Set(bundledPlugins.map((p) => p.priority)).size, bundledPlugins.length);
  });

  it('refuses two plugins with the same priority', () => {
    const plugin = (name: string) => definePlugin({ name, priority: 7, version: '1', configSchema: z.object({}), instantiate: () => ({}) });
    assert.throws(() => new PluginRegistry([plugin('a'), plugin('b')]), /share priority 7/);
  });
});
