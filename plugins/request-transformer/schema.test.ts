/** Unit: request-transformer's config as users see it checked — Kong's defaults and entry rules, at their paths. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parsedPluginConfig, pluginConfigIssues } from '../../test/helpers/plugin-config.js';

const NAME = 'request-transformer';

describe('request-transformer config', () => {
  it("fills Kong's empty lists and Gatehouse's body limit", () => {
    const empty = { headers: [], querystring: [], body: [] };
    assert.deepEqual(parsedPluginConfig(NAME, {}), { remove: empty, rename: empty, replace: empty, add: empty, append: empty, max_body_bytes: 1_048_576 });
  });

  it('names each bad entry by its place, with Kong\'s messages', () => {
    const issues = pluginConfigIssues(NAME, {
      http_method: 'get',
      remove: { headers: ['ok', 'bad header'] },
      rename: { headers: ['x-a'], querystring: ['a:b'] },
      add: { headers: ['x-ok:1', 'x-empty:'], body: ['field:$(10 * uri_captures.n)'] },
      append: { querystring: ['q:$(uri_captures[1])'], headers: ['x-crlf:a\r\nb'] },
      replace: { uri: '/a/$(shared.x)' },
    });
    assert.deepEqual(Object.keys(issues).sort(), [
      'plugins[0].config.add.body[0]',
      'plugins[0].config.add.headers[1]',
      'plugins[0].config.append.headers[0]',
      'plugins[0].config.append.querystring[0]',
      'plugins[0].config.http_method',
      'plugins[0].config.remove.headers[1]',
      'plugins[0].config.rename.headers[0]',
      'plugins[0].config.replace.uri',
    ]);
    assert.equal(issues['plugins[0].config.remove.headers[1]'], "'bad header' is not a valid header");
    assert.equal(issues['plugins[0].config.rename.headers[0]'], "key 'x-a' has no value");
    assert.equal(issues['plugins[0].config.add.headers[1]'], "key 'x-empty' has no value");
    assert.match(issues['plugins[0].config.add.body[0]']!, /^value '\$\(10 \* uri_captures\.n\)' is not in supported format, error: unsupported template expression/);
    assert.match(issues['plugins[0].config.append.querystring[0]']!, /captures by position are not available/);
    assert.equal(issues['plugins[0].config.append.headers[0]'], "the value of 'x-crlf' holds a line break or NUL, which a header cannot carry");
  });
});
