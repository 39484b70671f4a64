/** Config of the key-auth plugin (Kong's option names and defaults). */
import { z } from 'zod';
import { anonymousField, headerNameField, hideCredentialsField, runOnPreflightField } from '../../src/plugin-kit/index.js';

export const DEFAULT_KEY_NAMES = ['apikey'];
export const DEFAULT_REALM = 'gatehouse';

export const configSchema = z.lazy(() =>
  z.strictObject({
    key_names: z
      .array(headerNameField)
      .min(1)
      .default(DEFAULT_KEY_NAMES)
      .describe('Names of the header and/or query argument that carry the API key, tried in order.'),
    key_in_header: z.boolean().default(true).describe('Look for the key in a request header.'),
    key_in_query: z.boolean().default(true).describe('Look for the key in a query argument.'),
    key_in_body: z
      .literal(false)
      .default(false)
      .describe('Kong reads the key from a form/JSON body; Gatehouse streams bodies unread, so only false is accepted.'),
    hide_credentials: hideCredentialsField,
    anonymous: anonymousField,
    run_on_preflight: runOnPreflightField,
    realm: z.string().min(1).default(DEFAULT_REALM).describe('Realm of the `WWW-Authenticate: Key realm="…"` challenge on 401.'),
  }),
);

export type KeyAuthConfig = z.output<typeof configSchema>;
