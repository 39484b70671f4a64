/**
 * How credential secrets are kept at rest: API keys as `sha256:<hex>` (keys are high-entropy, and a
 * deterministic digest still allows lookup by key), passwords as `scrypt:<salt>:<hash>`. Plaintext
 * values from a declarative file are accepted and hashed when stored.
 */
import { createHash, hash, randomBytes, scrypt, scryptSync, timingSafeEqual } from 'node:crypto';

const KEY_PREFIX = 'sha256:';
const PASSWORD_PREFIX = 'scrypt:';
const SCRYPT_KEY_LENGTH = 32;

export function isHashedKey(value: string): boolean {
  return value.startsWith(KEY_PREFIX);
}

/** The at-rest form of an API key; a key already in that form is returned unchanged. */
export function hashKey(key: string): string {
  return isHashedKey(key) ? key : keyDigest(key);
}

/**
 * The at-rest form of a key a client presented: always hashed, so presenting a stored digest itself
 * never matches.
 */
export function keyDigest(presented: string): string {
  // The one-shot hash: no Hash object per request (key-auth digests every presented key).
  return KEY_PREFIX + hash('sha256', presented, 'hex');
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

/** Checks a presented password against a plaintext stored one in constant time. */
function equalsPlaintext(presented: string, stored: string): boolean {
  const a = createHash('sha256').update(presented).digest();
  const b = createHash('sha256').update(stored).digest();
  return timingSafeEqual(a, b);
}

function scryptParts(stored: string): { salt: string; expected: Buffer } | null {
  const [, salt, hash] = stored.split(':');
  return salt && hash ? { salt, expected: Buffer.from(hash, 'hex') } : null;
}

/** Checks a presented password against a stored one (hashed, or plaintext from a file). */
export function verifyPassword(presented: string, stored: string): boolean {
  if (!isHashedPassword(stored)) return equalsPlaintext(presented, stored);
  const parts = scryptParts(stored);
  if (!parts) return false;
  return timingSafeEqual(scryptSync(presented, parts.salt, parts.expected.length), parts.expected);
}

/** verifyPassword without blocking the event loop on scrypt (for the request path). */
export async function verifyPasswordAsync(presented: string, stored: string): Promise<boolean> {
  if (!isHashedPassword(stored)) return equalsPlaintext(presented, stored);
  const parts = scryptParts(stored);
  if (!parts) return false;
  const { salt, expected } = parts;
  const derived = await new Promise<Buffer>((resolve, reject) =>
    scrypt(presented, salt, expected.length, (error, key) => (error ? reject(error) : resolve(key))),
  );
  return timingSafeEqual(derived, expected);
}
