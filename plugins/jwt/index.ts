/**
 * jwt: authenticates requests by a signed JWT. Consumer mode is Kong's (the key claim names a
 * consumer jwt_secret); issuer mode verifies against an issuer's JWKS with pinned algorithms (and
 * a Cognito preset). Both may be set at once: a token whose key claim names a consumer secret is
 * checked in consumer mode, any other in issuer mode. Verified tokens are cached until their exp, with
 * everything a repeated token needs resolved at insertion, so a cache hit is one lookup, synchronous.
 */
import { compactVerify, errors as joseErrors } from 'jose';
import {
  applyIdentity,
  type AuthenticatedCredential,
  AuthGate,
  bearerToken,
  type ConsumerEntity,
  consumerIndex,
  cookieValue,
  definePlugin,
  Errors,
  GatewayError,
  headerValue,
  type Identity,
  identityOf,
  type PluginHandlers,
  queryArg,
  type RequestContext,
  unauthorized,
} from '../../src/plugin-kit/index.js';
import { checkClaims, claimHeaderValue, missingScope, type ClaimRules } from './claims.js';
import { ConsumerKeys } from './consumer-keys.js';
import { issuerSettings } from './issuer-settings.js';
import { JwksCache, KeyNotFound } from './jwks-cache.js';
import { configSchema } from './schema.js';
import { VerifiedTokens } from './verified-tokens.js';
import { checkTokenSize, decodeToken, TokenProblem, type DecodedToken } from './token.js';

const NAME = 'jwt';
const MISSING_CHALLENGE = 'Bearer realm="gatehouse"';
const INVALID_CHALLENGE = 'Bearer error="invalid_token"';
const SCOPE_CHALLENGE = 'Bearer error="insufficient_scope"';
const MAX_VERIFIED_TOKENS = 10_000;
/** Even a long-lived token is re-verified this often, so a rotated-out key stops working. */
const MAX_VERIFIED_AGE_MS = 5 * 60_000;

/** What a verified token admits, resolved once: the identity's headers include claims_to_headers. */
interface Verified {
  identity: Identity;
  missingScope: string | undefined;
  /** What later plugins read as `ctx.vars.jwt` (aws-lambda's authorizer context): the verified token's claims. */
  published: { readonly claims: Readonly<Record<string, unknown>> };
}

/** The handlers plus the JWKS cache, so the next config version can keep a warm cache. */
interface JwtHandlers extends PluginHandlers {
  jwks: JwksCache | null;
}

/** `found` plus the token at one more place (if any); a different second token is refused. */
function sameToken(found: string | undefined, value: string | undefined): string | undefined {
  if (!value) return found;
  if (found !== undefined && found !== value) throw invalid('Multiple tokens provided');
  return value;
}

function invalid(message: string, cause?: string): GatewayError {
  return unauthorized(message, INVALID_CHALLENGE, cause);
}

/** Any verification failure as the 401 the client gets; the cause goes to the log only. */
function asUnauthorized(error: unknown): GatewayError {
  if (error instanceof GatewayError) return error;
  if (error instanceof TokenProblem) return invalid(error.message);
  if (error instanceof KeyNotFound) return invalid(error.message, error.causeText);
  if (error instanceof joseErrors.JWSSignatureVerificationFailed) return invalid('Invalid signature');
  if (error instanceof joseErrors.JOSEError) return invalid('Bad token', error.code);
  return invalid('Bad token', error instanceof Error ? error.message : String(error));
}

export default definePlugin({
  name: NAME,
  priority: 1450,
  version: '1.0.0',
  configSchema,
  instantiate(config, { config: gateway, logger, previous }) {
    const index = consumerIndex(gateway);
    const gate = new AuthGate(config, index);
    const consumerKeys = new ConsumerKeys(config.secret_is_base64);
    const verified = new VerifiedTokens<Verified>(MAX_VERIFIED_TOKENS);
    const issuerMode = issuerSettings(config);
    let jwks: JwksCache | null = null;
    if (issuerMode) {
      const cooldownMs = config.jwks_refresh_cooldown * 1000;
      const prior = previous !== undefined && 'jwks' in previous ? (previous as JwtHandlers).jwks : null;
      if (prior && prior.uri === issuerMode.jwksUri && prior.cooldownMs === cooldownMs) jwks = prior;
      else {
        jwks = new JwksCache(issuerMode.jwksUri, cooldownMs, logger);
        jwks.prefetch();
      }
    }
    const allowedAlgorithms = config.allowed_algorithms ?? [];
    const consumerRules: ClaimRules = {
      exp: config.claims_to_verify.includes('exp') ? 'required' : 'skip',
      nbf: config.claims_to_verify.includes('nbf') ? 'required' : 'skip',
      clockSkew: config.clock_skew,
      maximumExpiration: config.maximum_expiration,
    };
    const issuerRules: ClaimRules = {
      exp: 'required',
      nbf: 'if-present',
      clockSkew: config.clock_skew,
      maximumExpiration: 0,
      issuer: issuerMode?.issuer,
      audiences: config.audiences ? new Set(config.audiences) : undefined,
      cognito: config.cognito ? { tokenUse: config.cognito.token_use, clientIds: new Set(config.cognito.client_ids) } : undefined,
    };
    const claimHeaders = Object.entries(config.claims_to_headers).map(([claim, header]) => [claim, header.toLowerCase()] as const);
    const headerNames = config.header_names.map((name) => name.toLowerCase());

    /** The one token of the request; several different ones are refused, as in Kong. */
    const tokenOf = (ctx: RequestContext): string | undefined => {
      let token: string | undefined;
      for (const name of config.uri_param_names) token = sameToken(token, queryArg(ctx.query, name));
      if (config.cookie_names.length > 0) {
        const cookies = headerValue(ctx.headers, 'cookie');
        for (const name of config.cookie_names) token = sameToken(token, cookieValue(cookies, name));
      }
      for (const name of headerNames) token = sameToken(token, bearerToken(headerValue(ctx.headers, name)));
      return token;
    };

    const outcome = (decoded: DecodedToken, consumer: ConsumerEntity | null, credential: AuthenticatedCredential, identifier: string | null): Verified => {
      const identity = identityOf(consumer, credential, identifier);
      const claims = claimHeaders.map(([claim, header]) => [header, claimHeaderValue(decoded.payload[claim])] as const);
      return {
        identity: { ...identity, headers: [...identity.headers, ...claims] },
        missingScope: missingScope(decoded.payload, config.required_scopes),
        published: Object.freeze({ claims: Object.freeze({ ...decoded.payload }) }),
      };
    };

    const verify = async (token: string, decoded: DecodedToken): Promise<Verified> => {
      const { header, payload } = decoded;
      const keyClaim = payload[config.key_claim_name] ?? header[config.key_claim_name];
      const owned = typeof keyClaim === 'string' ? index.jwtSecrets.get(keyClaim) : undefined;
      const now = Date.now() / 1000;
      if (owned) {
        const secret = owned.credential;
        if (header.alg !== secret.algorithm) throw new TokenProblem('Invalid algorithm');
        await compactVerify(token, await consumerKeys.keyFor(secret), { algorithms: [secret.algorithm] });
        checkClaims(payload, consumerRules, now);
        return outcome(decoded, owned.consumer, { id: secret.id, type: NAME }, secret.key);
      }
      if (jwks) {
        if (!allowedAlgorithms.includes(header.alg as (typeof allowedAlgorithms)[number])) throw new TokenProblem('Invalid algorithm');
        // Claims first: an expired or foreign token costs no signature check and no JWKS fetch.
        checkClaims(payload, issuerRules, now);
        await compactVerify(token, await jwks.keyFor(header), { algorithms: allowedAlgorithms });
        const subject = typeof payload.sub === 'string' ? payload.sub : null;
        return outcome(decoded, null, { id: subject ?? '', type: NAME }, subject);
      }
      const claim = config.key_claim_name;
      if (keyClaim === undefined) throw new TokenProblem(`No mandatory '${claim}' in claims`);
      if (typeof keyClaim !== 'string' || keyClaim === '') throw new TokenProblem(`Invalid '${claim}' in claims`);
      throw new TokenProblem(`No credentials found for given '${claim}'`);
    };

    const admit = (ctx: RequestContext, result: Verified): void => {
      if (result.missingScope !== undefined) {
        throw new GatewayError(Errors.forbidden, {
          message: 'Insufficient scope',
          headers: { 'WWW-Authenticate': SCOPE_CHALLENGE },
          cause: `jwt: missing scope ${result.missingScope}`,
        });
      }
      applyIdentity(ctx, result.identity);
      ctx.vars[NAME] = result.published;
    };

    const expiry = (decoded: DecodedToken): number => {
      const cap = Date.now() + MAX_VERIFIED_AGE_MS;
      const exp = decoded.payload.exp;
      return typeof exp === 'number' ? Math.min(exp * 1000, cap) : cap;
    };

    const clearClaimHeaders = (ctx: RequestContext): void => {
      for (const [, header] of claimHeaders) ctx.setUpstreamHeader(header, null);
    };

    const handlers: JwtHandlers = {
      jwks,
      access(ctx) {
        // Client copies of claim headers never reach the upstream, whatever happens next.
        clearClaimHeaders(ctx);
        if (gate.skips(ctx)) return;
        let token: string | undefined;
        try {
          token = tokenOf(ctx);
          // An oversized token costs no cache lookup (hashing it), no decoding and no crypto.
          if (token !== undefined) checkTokenSize(token);
        } catch (error) {
          gate.fail(ctx, asUnauthorized(error));
          return;
        }
        if (token === undefined) {
          gate.fail(ctx, unauthorized('Unauthorized', MISSING_CHALLENGE, 'no token'));
          return;
        }
        const hit = verified.get(token);
        if (hit !== undefined) return admit(ctx, hit);
        let decoded: DecodedToken;
        try {
          decoded = decodeToken(token);
        } catch (error) {
          gate.fail(ctx, asUnauthorized(error));
          return;
        }
        return verify(token, decoded).then(
          (result) => {
            verified.set(token, result, expiry(decoded));
            admit(ctx, result);
          },
          (error: unknown) => gate.fail(ctx, asUnauthorized(error)),
        );
      },
    };
    return handlers;
  },
});
