/** Config of the basic-auth plugin (Kong's option names and defaults). */
import { z } from 'zod';
import { anonymousField, hideCredentialsField } from '../../src/plugin-kit/index.js';

export const DEFAULT_REALM = 'service';

export const configSchema = z.lazy(() =>
  z.strictObject({
    anonymous: anonymousField,
    hide_credentials: hideCredentialsField,
    realm: z.string().min(1).default(DEFAULT_REALM).describe('Realm of the `WWW-Authenticate: Basic realm="…"` challenge on 401.'),
  }),
);

export type BasicAuthConfig = z.output<typeof configSchema>;
