/** Unit: request-termination's config as users see it checked — Kong's defaults and rules, at their paths. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parsedPluginConfig, pluginConfigIssues } from '../../test/helpers/plugin-config.js';

describe('request-termination config', () => {
  it("fills Kong's defaults", () => {
    assert.deepEqual(parsedPluginConfig('request-termination', {}), { status_code: 503, echo: false });
  });

  it("applies Kong's rules with their messages", () => {
    assert.deepEqual(pluginConfigIssues('request-termination', { message: 'x', body: 'y' }), {
      'plugins[0].config.message': 'message cannot be used with content_type or body',
    });
    assert.deepEqual(pluginConfigIssues('request-termination', { content_type: 'text/plain' }), {
      'plugins[0].config.content_type': 'content_type requires a body',
    });
    assert.deepEqual(pluginConfigIssues('request-termination', { echo: true, body: 'y' }), {
      'plugins[0].config.echo': 'echo cannot be used with content_type and body',
    });
    assert.ok(pluginConfigIssues('request-termination', { status_code: 600 })['plugins[0].config.status_code']);
    assert.equal(pluginConfigIssues('request-termination', { trigger: 'not a header' })['plugins[0].config.trigger'], 'must be a header name');
  });
});
