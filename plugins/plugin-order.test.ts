/** Unit: the bundled plugins are listed in Kong's priority order, as they run, no two share a priority, and each listing matches its module. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bundledPlugins } from './index.js';

describe('plugin order', () => {
  it('lists bundled plugins by Kong priority, highest (first to run) first', () => {
    assert.deepEqual(
      bundledPlugins.map((p) => [p.name, p.priority]),
      [
        ['correlation-id', 100_001],
        ['cors', 2000],
        ['jwt', 1450],
        ['key-auth', 1250],
        ['basic-auth', 1100],
        ['websocket-size-limit', 1003],
        ['forward-auth', 1000],
        ['ip-restriction', 990],
        ['request-size-limiting', 951],
        ['acl', 950],
        ['rate-limiting', 910],
        ['request-transformer', 801],
        ['response-transformer', 800],
        ['hsts', 799],
        ['aws-lambda', 750],
        ['proxy-cache', 100],
        ['canary', 20],
        ['opentelemetry', 14],
        ['prometheus', 13],
        ['http-log', 12],
        ['file-log', 9],
        ['request-termination', 2],
      ],
    );
    assert.equal(new Set(bundledPlugins.map((p) => p.priority)).size, bundledPlugins.length);
  });

  it("lists each plugin as its module declares it (name, priority, the schema's very object)", async () => {
    for (const listed of bundledPlugins) {
      const definition = await listed.load();
      assert.deepEqual([definition.name, definition.priority], [listed.name, listed.priority]);
      assert.equal(definition.configSchema, listed.configSchema, `${listed.name}'s schema`);
    }
  });
});
