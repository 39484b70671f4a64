/** Unit: reading credentials from headers and query strings. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bearerToken } from './credential-source.js';

describe('bearerToken', () => {
  it('takes the token after a Bearer scheme in any case, with surrounding spaces trimmed', () => {
    assert.equal(bearerToken('Bearer abc.def.ghi'), 'abc.def.ghi');
    assert.equal(bearerToken('  bEaReR \t abc.def.ghi  '), 'abc.def.ghi');
    assert.equal(bearerToken('bearer\ta b'), 'a b');
  });

  it('finds nothing without the scheme, without a separator or without a token', () => {
    assert.equal(bearerToken(undefined), undefined);
    assert.equal(bearerToken(''), undefined);
    assert.equal(bearerToken('abc.def.ghi'), undefined);
    assert.equal(bearerToken('Basic abc'), undefined);
    assert.equal(bearerToken('Bearerabc'), undefined);
    assert.equal(bearerToken('Bearer'), undefined);
    assert.equal(bearerToken('Bearer    '), undefined);
  });
});
