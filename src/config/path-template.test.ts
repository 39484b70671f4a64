/** Unit: route paths as OpenAPI templates — plain paths, named groups, and regexes that have no template. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pathTemplate } from './path-template.js';

describe('pathTemplate', () => {
  it('keeps a plain path (a prefix)', () => {
    assert.deepEqual(pathTemplate('/orders'), { template: '/orders', parameters: [], exact: false });
  });

  it('turns named groups into parameters with their patterns, PCRE names included', () => {
    assert.deepEqual(pathTemplate('~/pets/(?<petId>\\d+)/toys/(?P<toy>[a-z(]+|x)$'), {
      template: '/pets/{petId}/toys/{toy}',
      parameters: [
        { name: 'petId', pattern: '\\d+' },
        { name: 'toy', pattern: '[a-z(]+|x' },
      ],
      exact: true,
    });
    assert.deepEqual(pathTemplate('~^/v1\\.0/(?<id>(a|b))'), { template: '/v1.0/{id}', parameters: [{ name: 'id', pattern: '(a|b)' }], exact: false });
  });

  it('has no template for any other regex', () => {
    for (const path of ['~/items/\\d+$', '~/a.*', '~/(a|b)', '~/x?', '~(?<p>/a)/b', '~/a/(?<n>b']) assert.equal(pathTemplate(path), null, path);
  });
});
