/** Unit: the bundled plugins' execution order and priorities are pinned (as Kong's plugins_order spec). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bundledPlugins, bundledRegistry } from '../plugins/index.js';

describe('bundled plugin order', () => {
  it('runs plugins in this exact order', () => {
    assert.deepEqual(
      bundledRegistry.ordered().map((plugin) => [plugin.name, plugin.priority]),
      [
        ['correlation-id', 100_001],
        ['jwt', 1450],
        ['key-auth', 1250],
        ['basic-auth', 1100],
        ['forward-auth', 1000],
        ['acl', 950],
      ],
    );
  });

  it('gives every plugin its own priority', () => {
    const priorities = bundledPlugins.map((plugin) => plugin.priority);
    assert.equal(new Set(priorities).size, priorities.length);
  });
});
