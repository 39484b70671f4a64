/** Unit: at-rest forms of API keys and passwords. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hashKey, hashPassword, isHashedKey, keyDigest, verifyPassword, verifyPasswordAsync } from './credential-hash.js';

describe('credential hashing', () => {
  it('hashes keys deterministically and idempotently', () => {
    const hashed = hashKey('alice-key');
    assert.ok(isHashedKey(hashed));
    assert.equal(hashKey('alice-key'), hashed);
    assert.equal(hashKey(hashed), hashed);
    assert.notEqual(hashKey('bob-key'), hashed);
  });

  it('salts passwords and verifies hashed and plaintext stored forms', () => {
    const stored = hashPassword('s3cret');
    assert.notEqual(hashPassword('s3cret'), stored);
    assert.equal(hashPassword(stored), stored);
    assert.ok(verifyPassword('s3cret', stored));
    assert.ok(!verifyPassword('wrong', stored));
    assert.ok(verifyPassword('plain', 'plain'));
    assert.ok(!verifyPassword('plain', 'other'));
  });

  it('always hashes a presented key, so a stored digest is not itself a key', () => {
    const stored = hashKey('alice-key');
    assert.equal(keyDigest('alice-key'), stored);
    assert.notEqual(keyDigest(stored), stored);
  });

  it('verifies passwords asynchronously like verifyPassword', async () => {
    const stored = hashPassword('s3cret');
    assert.equal(await verifyPasswordAsync('s3cret', stored), true);
    assert.equal(await verifyPasswordAsync('wrong', stored), false);
    assert.equal(await verifyPasswordAsync('plain', 'plain'), true);
    assert.equal(await verifyPasswordAsync('x', 'scrypt:broken'), false);
  });
});
