/** Unit: response-transformer's config as users see it checked — Kong's defaults and entry rules, at their paths. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parsedPluginConfig, pluginConfigIssues } from '../../test/helpers/plugin-config.js';

const NAME = 'response-transformer';

describe('response-transformer config', () => {
  it("fills Kong's empty lists and Gatehouse's body limit", () => {
    const typed = { headers: [], json: [], json_types: [] };
    assert.deepEqual(parsedPluginConfig(NAME, {}), {
      remove: { headers: [], json: [] },
      rename: { headers: [], json: [] },
      replace: typed,
      add: typed,
      append: typed,
      max_body_bytes: 1_048_576,
    });
  });

  it('names each bad entry by its place', () => {
    const issues = pluginConfigIssues(NAME, {
      remove: { headers: ['x ok'] },
      rename: { headers: ['x-a:bad name'] },
      add: { json: ['no-colon'], json_types: ['string', 'date'] },
      append: { headers: ['x-b'] },
      max_body_bytes: -1,
    });
    assert.deepEqual(issues, {
      'plugins[0].config.remove.headers[0]': "'x ok' is not a valid header",
      'plugins[0].config.rename.headers[0]': "'bad name' is not a valid header",
      'plugins[0].config.add.json[0]': '\'no-colon\' must be "name:value"',
      'plugins[0].config.add.json_types[1]': issues['plugins[0].config.add.json_types[1]']!,
      'plugins[0].config.append.headers[0]': '\'x-b\' must be "name:value"',
      'plugins[0].config.max_body_bytes': issues['plugins[0].config.max_body_bytes']!,
    });
    assert.match(issues['plugins[0].config.add.json_types[1]']!, /boolean|number|string/);
  });
});
