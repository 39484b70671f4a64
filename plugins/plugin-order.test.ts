/** Unit: the bundled plugins' execution order is pinned, and no two plugins share a priority. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { z } from 'zod';
import { definePlugin } from '../src/pipeline/contract.js';
import { PluginRegistry } from '../src/pipeline/registry.js';
import { bundledRegistry } from './index.js';

describe('plugin order', () => {
  it('runs the bundled plugins in this exact order', () => {
    assert.deepEqual(
      bundledRegistry.ordered().map((p) => `${p.name}:${p.priority}`),
      ['correlation-id:100001'],
    );
  });

  it('refuses two plugins with the same priority', () => {
    const plugin = (name: string) => definePlugin({ name, priority: 7, version: '1', configSchema: z.object({}), instantiate: () => ({}) });
    assert.throws(() => new PluginRegistry([plugin('a'), plugin('b')]), /share priority 7/);
  });
});
