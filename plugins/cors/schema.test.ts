/** Unit: cors's config as users see it checked — Kong's defaults, bad values at their paths. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parsedPluginConfig, pluginConfigIssues } from '../../test/helpers/plugin-config.js';

describe('cors config', () => {
  it("fills Kong's defaults", () => {
    assert.deepEqual(parsedPluginConfig('cors', {}), {
      methods: ['GET', 'HEAD', 'PUT', 'PATCH', 'POST', 'DELETE', 'OPTIONS', 'TRACE', 'CONNECT'],
      credentials: false,
      preflight_continue: false,
      private_network: false,
      allow_origin_absent: true,
    });
  });

  it('rejects a regex origin that does not compile, an unknown method and a negative max_age, each at its path', () => {
    const issues = pluginConfigIssues('cors', { origins: ['https://ok.example', '(unclosed\\.example'], methods: ['GET', 'FETCH'], max_age: -1 });
    assert.match(issues['plugins[0].config.origins[1]']!, /^'\(unclosed\\\.example' is not a valid regex/);
    assert.ok(issues['plugins[0].config.methods[1]']);
    assert.ok(issues['plugins[0].config.max_age']);
    assert.equal(Object.keys(issues).length, 3);
  });
});
