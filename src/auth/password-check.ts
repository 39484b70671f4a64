/**
 * Verifies basic-auth passwords against their stored form. A successful scrypt check is remembered
 * for a short time, keyed by a digest of the presented credential and the stored hash (never the raw
 * password), so a client repeating its credentials does not pay for scrypt on every request.
 */
import { createHash } from 'node:crypto';
import { isHashedPassword, verifyPassword, verifyPasswordAsync } from './credential-hash.js';
import { ExpiringLru } from './expiring-lru.js';

const VERIFIED_TTL_MS = 60_000;
const MAX_VERIFIED = 10_000;

const verified = new ExpiringLru<true>(MAX_VERIFIED);

function cacheKey(presented: string, stored: string): string {
  return createHash('sha256').update(stored).update('\0').update(presented).digest('base64');
}

/** A boolean when the answer is known at once; a promise when scrypt has to run. */
export function checkPassword(presented: string, stored: string): boolean | Promise<boolean> {
  if (!isHashedPassword(stored)) return verifyPassword(presented, stored);
  const key = cacheKey(presented, stored);
  if (verified.get(key) !== undefined) return true;
  return verifyPasswordAsync(presented, stored).then((ok) => {
    if (ok) verified.set(key, true, Date.now() + VERIFIED_TTL_MS);
    return ok;
  });
}
