import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { routePathOf, uriTemplateOf } from './path-template.js';

describe('routePathOf', () => {
  it('keeps the path shape: exact paths, one-segment parameters, greedy {proxy+}', () => {
    assert.deepEqual(routePathOf('', '/pets'), { path: '~/pets$', groups: new Map() });
    assert.deepEqual(routePathOf('/v1', '/pets/{petId}'), { path: '~/v1/pets/(?<petId>[^/]+)$', groups: new Map([['petId', 'petId']]) });
    assert.deepEqual(routePathOf('/prod/', '/{proxy+}'), { path: '~/prod/(?<proxy>.+)$', groups: new Map([['proxy', 'proxy']]) });
    assert.equal(routePathOf('', '/').path, '~/$');
  });

  it('escapes regex characters and renames parameters that are not group names', () => {
    const { path, groups } = routePathOf('', '/files/{file-name}.{ext}/{1st}');
    assert.equal(path, '~/files/(?<file_name>[^/]+)\\.(?<ext>[^/]+)/(?<_1st>[^/]+)$');
    assert.deepEqual([...groups], [['file-name', 'file_name'], ['ext', 'ext'], ['1st', '_1st']]);
    const regex = new RegExp(path.slice(1));
    assert.equal(regex.exec('/files/a.b/c')?.groups?.file_name, 'a');
    assert.equal(regex.exec('/filesXa.b/c'), null);
  });
});

describe('uriTemplateOf', () => {
  it('fills each placeholder from its source, and names the ones without one', () => {
    const sources = new Map([['id', '$(uri_captures.itemId)']]);
    assert.deepEqual(uriTemplateOf('/items/{id}/{missing}', (name) => sources.get(name)), { uri: '/items/$(uri_captures.itemId)/', missing: ['missing'] });
  });
});
