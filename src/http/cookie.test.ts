/** Unit: reading one cookie from a Cookie header. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cookieValue } from './cookie.js';

describe('cookieValue', () => {
  it('finds a cookie among others, spaces around names and values trimmed', () => {
    assert.equal(cookieValue('a=1; token=abc.def.ghi ;b=2', 'token'), 'abc.def.ghi');
    assert.equal(cookieValue('token=first; token=second', 'token'), 'first');
    assert.equal(cookieValue('token=', 'token'), '');
  });

  it('returns the value as sent, without percent- or form-decoding', () => {
    assert.equal(cookieValue('session=a%20b+c%zz', 'session'), 'a%20b+c%zz');
  });

  it('finds nothing without the header, the name, or a name before "="', () => {
    assert.equal(cookieValue(undefined, 'token'), undefined);
    assert.equal(cookieValue('', 'token'), undefined);
    assert.equal(cookieValue('tokens=1; Token=2', 'token'), undefined);
    assert.equal(cookieValue('=token; token', 'token'), undefined);
  });
});
