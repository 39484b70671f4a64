/**
 * Decodes a compact JWS and refuses, before any crypto or key fetch, every token shape the gateway
 * never accepts: oversized, malformed, unsigned, self-keyed (jwk/jku/x5u/x5c) or with critical
 * extensions it does not understand.
 */

/** Larger tokens are refused unread (real access tokens are 1–2 KB). */
export const MAX_TOKEN_LENGTH = 8192;
/** Header, payload and signature, base64url; the first two captured. */
const COMPACT_JWS = /^([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)\.[A-Za-z0-9_-]+$/;
const EMBEDDED_KEY_PARAMETERS = ['jwk', 'jku', 'x5u', 'x5c'];

export type Claims = Record<string, unknown>;

export interface DecodedToken {
  header: Claims & { alg: string; kid?: unknown };
  payload: Claims;
}

/** Thrown with a client-safe message (Kong's wording where Kong has one). */
export class TokenProblem extends Error {}

function jsonObject(segment: string, what: string): Claims {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
  } catch {
    throw new TokenProblem(`Bad token; invalid ${what} JSON`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new TokenProblem(`Bad token; ${what} is not a JSON object`);
  return value as Claims;
}

/** Refuses a token over MAX_TOKEN_LENGTH; the first check on every token. */
export function checkTokenSize(token: string): void {
  if (token.length > MAX_TOKEN_LENGTH) throw new TokenProblem('Bad token; too large');
}

export function decodeToken(token: string): DecodedToken {
  checkTokenSize(token);
  const [, headerPart, payloadPart] = COMPACT_JWS.exec(token) ?? [];
  if (headerPart === undefined || payloadPart === undefined) throw new TokenProblem('Bad token; invalid format');
  const header = jsonObject(headerPart, 'header');
  const alg = header.alg;
  if (typeof alg !== 'string' || alg === '' || alg.toLowerCase() === 'none') throw new TokenProblem('Invalid algorithm');
  if (EMBEDDED_KEY_PARAMETERS.some((name) => name in header)) throw new TokenProblem('Bad token; embedded keys are not accepted');
  if ('crit' in header) throw new TokenProblem('Bad token; unsupported critical header parameters');
  return { header: header as DecodedToken['header'], payload: jsonObject(payloadPart, 'payload') };
}
