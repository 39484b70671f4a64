/**
 * Zod schemas for the credentials nested under a Kong consumer: key-auth keys, jwt secrets, basic-auth
 * and ACL groups. Each is a z.lazy, built when a config first has such a credential, so a gateway
 * whose configs have none does not hold them.
 */
import { z } from 'zod';
import { idField, tagsField } from './fields.js';

export const JWT_ALGORITHMS = ['HS256', 'HS384', 'HS512', 'RS256', 'RS384', 'RS512', 'ES256', 'ES384'] as const;
export const DEFAULT_JWT_ALGORITHM = 'HS256';

export const keyauthCredentialSchema = z.lazy(() =>
  z.strictObject({
    id: idField,
    key: z.string().min(1).describe('The API key (required in declarative config).'),
    tags: tagsField,
  }),
);

export const jwtSecretSchema = z.lazy(() =>
  z
    .strictObject({
      id: idField,
      key: z.string().min(1).describe('Value matched against the token claim named by the jwt plugin (iss by default).'),
      algorithm: z.enum(JWT_ALGORITHMS).default(DEFAULT_JWT_ALGORITHM).describe('Signing algorithm of the tokens.'),
      secret: z.string().min(1).optional().describe('HMAC secret (HS* algorithms).'),
      rsa_public_key: z.string().min(1).optional().describe('PEM public key (RS* and ES* algorithms).'),
      tags: tagsField,
    })
    .superRefine((secret, ctx) => {
      if (secret.algorithm.startsWith('HS')) {
        if (!secret.secret) ctx.addIssue({ code: 'custom', path: ['secret'], message: `required for ${secret.algorithm}` });
      } else if (!secret.rsa_public_key) {
        ctx.addIssue({ code: 'custom', path: ['rsa_public_key'], message: `required for ${secret.algorithm}` });
      }
    }),
);

export const basicauthCredentialSchema = z.lazy(() =>
  z.strictObject({
    id: idField,
    username: z.string().min(1).describe('Basic-auth user name.'),
    password: z.string().describe('Basic-auth password.'),
    tags: tagsField,
  }),
);

export const aclSchema = z.lazy(() =>
  z.strictObject({
    id: idField,
    group: z.string().min(1).describe('ACL group the consumer belongs to.'),
    tags: tagsField,
  }),
);
