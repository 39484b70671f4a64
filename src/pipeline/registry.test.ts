/** Unit: a registry refuses two plugins with one name or one priority, naming both. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { z } from 'zod';
import { definePlugin } from './contract.js';
import { PluginRegistry } from './registry.js';

const plugin = (name: string, priority: number) => definePlugin({ name, priority, version: '1', configSchema: z.object({}), instantiate: () => ({}) });

describe('PluginRegistry', () => {
  it('refuses two plugins with the same priority', () => {
    assert.throws(() => new PluginRegistry([plugin('a', 7), plugin('b', 7)]), /share priority 7/);
  });

  it('refuses two plugins with the same name, labelled as the caller says', () => {
    const first = plugin('a', 1);
    assert.throws(
      () => new PluginRegistry([first, plugin('a', 2)], (definition) => `${definition.name} (${definition === first ? 'bundled' : './a.js'})`),
      { message: 'plugins a (bundled) and a (./a.js) are both named a' },
    );
  });

  it('orders plugins highest priority first', () => {
    assert.deepEqual(new PluginRegistry([plugin('low', 1), plugin('high', 9), plugin('mid', 5)]).ordered().map((p) => p.name), ['high', 'mid', 'low']);
  });
});
