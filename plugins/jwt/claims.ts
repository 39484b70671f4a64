/**
 * The checks on a verified token's claims: registered time claims (with clock skew), issuer,
 * audience, Cognito's token_use and client id, and required scopes — each rule compiled once per
 * plugin instance.
 */
import { headerSafe } from '../../src/plugin-kit/index.js';
import type { Claims } from './token.js';
import { TokenProblem } from './token.js';

/** How a time claim is checked: Kong requires a claim listed in claims_to_verify; issuer mode checks nbf only when present. */
export type TimeClaimCheck = 'required' | 'if-present' | 'skip';

export interface ClaimRules {
  exp: TimeClaimCheck;
  nbf: TimeClaimCheck;
  clockSkew: number;
  /** Seconds; 0 = no limit. */
  maximumExpiration: number;
  issuer?: string;
  audiences?: ReadonlySet<string>;
  cognito?: { tokenUse: 'access' | 'id'; clientIds: ReadonlySet<string> };
}

function isNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

function audienceList(aud: unknown): unknown[] {
  return Array.isArray(aud) ? aud : [aud];
}

/** The claim's value when it is to be checked; throws when it must be there and is not a number. */
function timeClaim(claims: Claims, name: 'exp' | 'nbf', check: TimeClaimCheck): number | undefined {
  const value = claims[name];
  if (check === 'skip' || (check === 'if-present' && value === undefined)) return undefined;
  if (value === undefined) throw new TokenProblem(`No mandatory '${name}' in claims`);
  if (!isNumber(value)) throw new TokenProblem(`'${name}' must be a number`);
  return value;
}

/** Throws a TokenProblem for the first claim that does not hold. */
export function checkClaims(claims: Claims, rules: ClaimRules, now: number): void {
  const exp = timeClaim(claims, 'exp', rules.exp);
  if (exp !== undefined && exp + rules.clockSkew <= now) throw new TokenProblem('token expired');
  const nbf = timeClaim(claims, 'nbf', rules.nbf);
  if (nbf !== undefined && nbf - rules.clockSkew > now) throw new TokenProblem('token not valid yet');
  if (rules.maximumExpiration > 0) {
    // The schema makes maximum_expiration require exp in claims_to_verify, so exp is known here.
    if (exp !== undefined && exp - now > rules.maximumExpiration) throw new TokenProblem("'exp' exceeds maximum allowed expiration");
  }
  if (rules.issuer !== undefined && claims.iss !== rules.issuer) throw new TokenProblem('Invalid issuer');
  if (rules.audiences !== undefined && !audienceList(claims.aud).some((aud) => typeof aud === 'string' && rules.audiences!.has(aud))) {
    throw new TokenProblem('Invalid audience');
  }
  const cognito = rules.cognito;
  if (cognito !== undefined) {
    if (claims.token_use !== cognito.tokenUse) throw new TokenProblem('Invalid token_use');
    const clients = cognito.tokenUse === 'access' ? [claims.client_id] : audienceList(claims.aud);
    if (!clients.some((id) => typeof id === 'string' && cognito.clientIds.has(id))) throw new TokenProblem('Invalid client id');
  }
}

/** The token's scopes, from `scope` (space-separated, OAuth) and/or `scp` (array or string). */
function scopesOf(claims: Claims): Set<string> {
  const scopes = new Set<string>();
  for (const value of [claims.scope, claims.scp]) {
    if (typeof value === 'string') for (const scope of value.split(' ')) scopes.add(scope);
    else if (Array.isArray(value)) for (const scope of value) if (typeof scope === 'string') scopes.add(scope);
  }
  return scopes;
}

/** The first required scope the token lacks, if any. */
export function missingScope(claims: Claims, required: readonly string[]): string | undefined {
  if (required.length === 0) return undefined;
  const scopes = scopesOf(claims);
  return required.find((scope) => !scopes.has(scope));
}

function render(value: unknown): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map((item) => (typeof item === 'string' ? item : JSON.stringify(item))).join(',');
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/** A claim as a header value: strings as-is, arrays comma-joined, objects as JSON; never a line break. */
export function claimHeaderValue(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  return headerSafe(render(value));
}
