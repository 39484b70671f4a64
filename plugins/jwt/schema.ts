/**
 * Config of the jwt plugin: Kong's consumer mode (jwt_secrets on consumers) with Kong's option names
 * and defaults, plus Gatehouse's issuer mode (JWKS) and its Cognito preset, named as in PRODUCT.md.
 */
import { z } from 'zod';
import { anonymousField, headerNameField, runOnPreflightField } from '../../src/plugin-kit/index.js';

export const DEFAULT_URI_PARAM_NAMES = ['jwt'];
export const DEFAULT_HEADER_NAMES = ['authorization'];
export const DEFAULT_KEY_CLAIM_NAME = 'iss';
export const DEFAULT_CLOCK_SKEW = 0;
export const DEFAULT_JWKS_REFRESH_COOLDOWN = 30;
export const DEFAULT_COGNITO_TOKEN_USE = 'access';
/** Asymmetric only: a JWKS never publishes HMAC secrets, and allowing HS* there invites key confusion. */
export const ISSUER_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'] as const;

const cognitoSchema = () => z.strictObject({
  region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d+$/, 'must be an AWS region such as eu-west-1').describe('AWS region of the user pool.'),
  user_pool_id: z.string().regex(/^[\w-]+_[0-9a-zA-Z]+$/, 'must be a user pool id such as eu-west-1_AbC123').describe('Cognito user pool id.'),
  client_ids: z.array(z.string().min(1)).min(1).describe('App client ids accepted: `client_id` of access tokens, `aud` of id tokens.'),
  token_use: z.enum(['access', 'id']).default(DEFAULT_COGNITO_TOKEN_USE).describe('Which Cognito tokens are accepted (the `token_use` claim).'),
});

export const configSchema = z.lazy(() =>
  z
    .strictObject({
      uri_param_names: z.array(z.string().min(1)).default(DEFAULT_URI_PARAM_NAMES).describe('Query arguments the token may be read from.'),
      cookie_names: z.array(z.string().min(1)).default([]).describe('Cookies the token may be read from.'),
      header_names: z.array(headerNameField).default(DEFAULT_HEADER_NAMES).describe('Headers the token may be read from, as `Bearer <token>`.'),
      key_claim_name: z
        .string()
        .min(1)
        .default(DEFAULT_KEY_CLAIM_NAME)
        .describe('Claim (or header parameter) whose value names the consumer jwt_secret `key` (consumer mode).'),
      secret_is_base64: z.boolean().default(false).describe('HMAC secrets of jwt_secrets are base64-encoded (consumer mode).'),
      claims_to_verify: z
        .array(z.enum(['exp', 'nbf']))
        .default([])
        .describe('Registered claims checked in consumer mode (issuer mode always checks exp and nbf).'),
      maximum_expiration: z
        .int()
        .min(0)
        .max(31_536_000)
        .default(0)
        .describe('Seconds a token may still be valid for (exp − now); 0 = no limit. Requires exp in claims_to_verify.'),
      anonymous: anonymousField,
      run_on_preflight: runOnPreflightField,
      jwks_uri: z.url({ protocol: /^https?$/ }).optional().describe('Issuer mode: URL of the JSON Web Key Set the tokens are verified with.'),
      issuer: z.string().min(1).optional().describe('Issuer mode: the required `iss` claim.'),
      audiences: z.array(z.string().min(1)).min(1).optional().describe('Issuer mode: `aud` must contain one of these.'),
      allowed_algorithms: z
        .array(z.enum(ISSUER_ALGORITHMS))
        .min(1)
        .optional()
        .describe('Issuer mode (required): signature algorithms accepted; never taken from the token.'),
      clock_skew: z.int().min(0).max(600).default(DEFAULT_CLOCK_SKEW).describe('Seconds of tolerance on exp and nbf.'),
      required_scopes: z
        .array(z.string().min(1))
        .default([])
        .describe('Scopes the token must all carry, in `scope` (space-separated) or `scp`; 403 otherwise.'),
      claims_to_headers: z
        .record(z.string().min(1), headerNameField)
        .default({})
        .describe('Claim → upstream header, e.g. {sub: X-User-Sub}; client-sent copies are always removed.'),
      cognito: cognitoSchema().optional().describe('AWS Cognito user pool preset: derives issuer and jwks_uri and checks token_use and client ids.'),
      jwks_refresh_cooldown: z
        .int()
        .min(1)
        .max(3600)
        .default(DEFAULT_JWKS_REFRESH_COOLDOWN)
        .describe('Issuer mode: seconds between two JWKS fetches triggered by unknown key ids.'),
    })
    .superRefine((config, ctx) => {
      const issuerMode = config.jwks_uri !== undefined || config.cognito !== undefined;
      if (issuerMode) {
        if (config.allowed_algorithms === undefined) ctx.addIssue({ code: 'custom', path: ['allowed_algorithms'], message: 'required in issuer mode (jwks_uri or cognito)' });
        if (config.issuer === undefined && config.cognito === undefined) ctx.addIssue({ code: 'custom', path: ['issuer'], message: 'required with jwks_uri' });
      } else {
        for (const field of ['issuer', 'audiences', 'allowed_algorithms'] as const) {
          if (config[field] !== undefined) ctx.addIssue({ code: 'custom', path: [field], message: 'only used in issuer mode: set jwks_uri or cognito' });
        }
      }
      if (config.maximum_expiration > 0 && !config.claims_to_verify.includes('exp')) {
        ctx.addIssue({ code: 'custom', path: ['maximum_expiration'], message: 'requires "exp" in claims_to_verify' });
      }
    }),
);

export type JwtConfig = z.output<typeof configSchema>;
