/** Unit: request-transformer templates — the forms Kong documents, rendered; anything else refused at load. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Template, TemplateError, type TemplateValues } from './template.js';

const values: TemplateValues = {
  header: (name) => ({ 'x-user': 'ada', 'x-empty': '', host: 'api.example.com' })[name],
  query: (name) => ({ q1: '20', 'page-size': '50' })[name],
  capture: (name) => ({ user1: 'foo', id: '42' })[name],
};

const render = (text: string) => Template.compile(text).render(values);

describe('request-transformer templates', () => {
  it('renders plain text as it is, without looking at the request', () => {
    assert.equal(Template.compile('some_value').fixed, 'some_value');
    assert.equal(Template.compile("$('$(uri_captures.user1)')").fixed, '$(uri_captures.user1)');
    assert.equal(Template.compile('v=$(headers.host)').fixed, null);
  });

  it('reads headers, query arguments and named captures by .name and [name]', () => {
    assert.equal(render('$(headers.host)'), 'api.example.com');
    assert.equal(render("$(headers['x-user'])"), 'ada');
    assert.equal(render('$(headers["X-User"])'), 'ada');
    assert.equal(render('$(headers.x_user)'), 'ada', "Kong's headers table reads _ as -");
    assert.equal(render('$(query_params.q1)'), '20');
    assert.equal(render("$(query_params['page-size'])"), '50');
    assert.equal(render('/users/$(uri_captures.user1)/items/$(uri_captures["id"])'), '/users/foo/items/42');
  });

  it("falls back along or, and renders a missing value as '' as Kong", () => {
    assert.equal(render("$(uri_captures.missing or 'default1')"), 'default1');
    assert.equal(render("$(headers.missing or query_params.q1 or 'x')"), '20');
    assert.equal(render('[$(headers.missing)]'), '[]');
    assert.equal(render("$(headers['x-empty'] or 'fallback')"), '', 'an empty header is a value, as in Lua');
    assert.equal(render("$('it\\'s')"), "it's");
  });

  it('refuses what it cannot evaluate when the config is loaded', () => {
    for (const text of ['$(10 * uri_captures.user1)', '$(shared.my_version)', "$(require('inspect')(x))", '$(headers.x-user)', '$(ERROR())', '$(headers.)', '$(headers)', '$(headers.a or)', '$(headers.a']) {
      assert.throws(() => Template.compile(text), TemplateError, text);
    }
    assert.throws(() => Template.compile('$(uri_captures[1])'), /captures by position are not available/);
  });
});
