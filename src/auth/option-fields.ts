/** Zod fields Kong's auth plugins share (anonymous, run_on_preflight, hide_credentials, header names). */
import { z } from 'zod';

export const headerNameField = z.string().regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, 'must be a valid header name');

export const anonymousField = z
  .string()
  .min(1)
  .nullable()
  .default(null)
  .describe('Consumer (id or username) used when authentication fails, instead of answering 401.');

export const runOnPreflightField = z
  .boolean()
  .default(true)
  .describe('Whether OPTIONS preflight requests are authenticated too; when false they pass through.');

export const hideCredentialsField = z
  .boolean()
  .default(false)
  .describe('Remove the credential from the request before it is proxied upstream.');
