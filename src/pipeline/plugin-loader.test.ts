/** Unit: the registry GATEHOUSE_PLUGINS names — the shared bundled one, users' modules in priority order, refusals. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bundledRegistry, loadPluginRegistry, loadPluginRegistryFrom, PluginLoadError } from './plugin-loader.js';

const EXAMPLE = 'examples/plugins/api-version/index.js';

describe('loadPluginRegistry', () => {
  it('gives `bundled` alone the registry built once at load, not a new one per start', async () => {
    assert.equal(await loadPluginRegistry(['bundled']), bundledRegistry);
    assert.equal(await loadPluginRegistryFrom({}), bundledRegistry);
  });

  it("runs a user's plugin among the bundled ones by its priority", async () => {
    const names = (await loadPluginRegistry(['bundled', EXAMPLE])).ordered().map((plugin) => plugin.name);
    assert.deepEqual(names.slice(names.indexOf('rate-limiting'), names.indexOf('rate-limiting') + 3), ['rate-limiting', 'api-version', 'request-transformer']);
  });

  it('loads only the listed modules when bundled is left out', async () => {
    assert.deepEqual((await loadPluginRegistry([EXAMPLE])).names(), ['api-version']);
  });

  it("refuses a plugin whose configSchema is not zod 4's", async () => {
    await assert.rejects(loadPluginRegistry(['bundled', 'test/fixtures/plugins/plain-schema.js']), {
      message: "GATEHOUSE_PLUGINS: test/fixtures/plugins/plain-schema.js is not a plugin: plain-schema: configSchema must be a zod 4 schema (the kit's z)",
    });
  });

  it('reports a bad setting value as the setting would at start', async () => {
    await assert.rejects(loadPluginRegistryFrom({ GATEHOUSE_PLUGINS: ' , ' }), (error: Error) => error instanceof PluginLoadError && error.message === 'GATEHOUSE_PLUGINS: must name bundled and/or plugin module paths');
  });
});
