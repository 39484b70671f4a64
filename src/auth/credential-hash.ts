/**
 * How credential secrets are kept at rest: API keys as `sha256:<hex>` (keys are high-entropy, and a
 * deterministic digest still allows lookup by key), passwords as `scrypt:<salt>:<hash>`. Plaintext
 * values from a declarative file are accepted and hashed when stored.
 */
import { createHash, randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';

const KEY_PREFIX = 'sha256:';
const PASSWORD_PREFIX = 'scrypt:';
const SCRYPT_KEY_LENGTH = 32;

export function isHashedKey(value: string): boolean {
  return value.startsWith(KEY_PREFIX);
}

/** The at-rest form of an API key; a key already in that form is returned unchanged. */
export function hashKey(key: string): string {
  return isHashedKey(key) ? key : KEY_PREFIX + createHash('sha256').update(key).digest('hex');
}

export function isHashedPassword(value: string): boolean {
  return value.startsWith(PASSWORD_PREFIX);
}

/** The at-rest form of a password; a password already in that form is returned unchanged. */
export function hashPassword(password: string): string {
  if (isHashedPassword(password)) return password;
  const salt = randomBytes(16).toString('hex');
  return `${PASSWORD_PREFIX}${salt}:${scryptSync(password, salt, SCRYPT_KEY_LENGTH).toString('hex')}`;
}

/** Checks a presented password against a stored one (hashed, or plaintext from a file). */
export function verifyPassword(presented: string, stored: string): boolean {
  if (!isHashedPassword(stored)) {
    const a = createHash('sha256').update(presented).digest();
    const b = createHash('sha256').update(stored).digest();
    return timingSafeEqual(a, b);
  }
  const [, salt, hash] = stored.split(':');
  if (!salt || !hash) return false;
  const expected = Buffer.from(hash, 'hex');
  return timingSafeEqual(scryptSync(presented, salt, expected.length), expected);
}
