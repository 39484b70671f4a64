/** Unit: a plugin's module is loaded and initialised when a config first uses it, once, and never when none does. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import pino from 'pino';
import { z } from 'zod';
import type { GatewayConfig } from '../config/types.js';
import { definePlugin, type LazyPlugin } from '../pipeline/contract.js';
import { PluginRegistry } from '../pipeline/registry.js';
import { settingsFrom, type Settings } from '../settings/schema.js';
import { ActivePlugins } from './active-plugins.js';

const schema = z.strictObject({});
const settings = (settingsFrom({}) as { ok: true; settings: Settings }).settings;
const logger = pino({ level: 'silent' });

/** A listed plugin whose loads and inits are counted; `broken` makes its first load fail. */
function countedPlugin(name: string, priority: number, broken = false) {
  const counts = { loads: 0, inits: 0, teardowns: 0 };
  const definition = definePlugin({
    name,
    priority,
    version: '1',
    configSchema: schema,
    init: () => void counts.inits++,
    teardown: () => void counts.teardowns++,
    instantiate: () => ({}),
  });
  const listed: LazyPlugin = {
    name,
    priority,
    configSchema: schema,
    load: async () => {
      counts.loads++;
      if (broken && counts.loads === 1) throw new Error('module not found');
      return definition;
    },
  };
  return { listed, counts };
}

const using = (...names: string[]) => ({ plugins: names.map((name) => ({ name, enabled: true })) }) as unknown as GatewayConfig;

describe('ActivePlugins', () => {
  it('loads and initialises only the plugins a config uses, once however many versions and concurrent prepares use them', async () => {
    const used = countedPlugin('used', 2);
    const unused = countedPlugin('unused', 1);
    const active = new ActivePlugins(new PluginRegistry([used.listed, unused.listed]), logger, settings);
    await Promise.all([active.prepare(using('used')), active.prepare(using('used', 'used'))]);
    await active.prepare(using('used'));
    assert.deepEqual(used.counts, { loads: 1, inits: 1, teardowns: 0 });
    assert.deepEqual(unused.counts, { loads: 0, inits: 0, teardowns: 0 });
    assert.equal(active.get('used')?.name, 'used');
    assert.equal(active.get('unused'), undefined);
    await active.teardown();
    assert.deepEqual([used.counts.teardowns, unused.counts.teardowns], [1, 0]);
  });

  it('names the plugin whose module cannot be loaded, and tries again for the next version', async () => {
    const flaky = countedPlugin('flaky', 1, true);
    const active = new ActivePlugins(new PluginRegistry([flaky.listed]), logger, settings);
    await assert.rejects(active.prepare(using('flaky')), { message: 'plugin flaky cannot be loaded: module not found' });
    await active.prepare(using('flaky'));
    assert.deepEqual(flaky.counts, { loads: 2, inits: 1, teardowns: 0 });
  });

  it('refuses a plugin the registry does not know', async () => {
    const active = new ActivePlugins(new PluginRegistry([]), logger, settings);
    await assert.rejects(active.prepare(using('nope')), { message: 'plugin nope is not installed' });
  });
});
