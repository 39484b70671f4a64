/** Unit: claim rules of the jwt plugin (time claims, maximum_expiration, scopes, header values). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkClaims, claimHeaderValue, missingScope, type ClaimRules } from './claims.js';

const kong: ClaimRules = { exp: 'required', nbf: 'skip', clockSkew: 0, maximumExpiration: 3600 };

describe('jwt claims', () => {
  it('enforces maximum_expiration', () => {
    const now = 1_000_000;
    assert.doesNotThrow(() => checkClaims({ exp: now + 3600 }, kong, now));
    assert.throws(() => checkClaims({ exp: now + 3601 }, kong, now), /exceeds maximum allowed expiration/);
    assert.throws(() => checkClaims({ exp: 'soon' }, kong, now), /'exp' must be a number/);
  });

  it('checks nbf only when present in if-present mode', () => {
    const rules: ClaimRules = { exp: 'skip', nbf: 'if-present', clockSkew: 10, maximumExpiration: 0 };
    assert.doesNotThrow(() => checkClaims({}, rules, 100));
    assert.doesNotThrow(() => checkClaims({ nbf: 110 }, rules, 100));
    assert.throws(() => checkClaims({ nbf: 111 }, rules, 100), /not valid yet/);
  });

  it('finds missing scopes in scope and scp', () => {
    assert.equal(missingScope({ scope: 'a b' }, ['a', 'b']), undefined);
    assert.equal(missingScope({ scp: 'a b' }, ['b']), undefined);
    assert.equal(missingScope({ scp: ['a'] }, ['a', 'c']), 'c');
  });

  it('renders claims as safe header values', () => {
    assert.equal(claimHeaderValue('x\r\ny'), 'xy');
    assert.equal(claimHeaderValue('é'), '\\u00e9');
    assert.equal(claimHeaderValue(['a', 1]), 'a,1');
    assert.equal(claimHeaderValue({ a: 1 }), '{"a":1}');
    assert.equal(claimHeaderValue(true), 'true');
    assert.equal(claimHeaderValue(undefined), null);
  });
});
