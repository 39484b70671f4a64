/** Config of the hsts plugin: the Strict-Transport-Security policy (RFC 6797) it announces. */
import { z } from '../../src/plugin-kit/index.js';

/** One year: what browsers' preload lists ask for. */
export const DEFAULT_MAX_AGE_S = 31_536_000;

export const configSchema = z.lazy(() =>
  z
    .strictObject({
      max_age: z.int().min(0).max(2 ** 31 - 1).default(DEFAULT_MAX_AGE_S).describe('Seconds a browser keeps to HTTPS for this host (0 withdraws the policy).'),
      include_subdomains: z.boolean().default(false).describe('The policy covers every subdomain of the host too.'),
      preload: z.boolean().default(false).describe('Asks to be on browsers\' preload lists (needs include_subdomains and a max_age of a year or more).'),
    })
    .superRefine((config, ctx) => {
      if (config.preload && (!config.include_subdomains || config.max_age < DEFAULT_MAX_AGE_S)) {
        ctx.addIssue({ code: 'custom', path: ['preload'], message: `needs include_subdomains: true and max_age >= ${DEFAULT_MAX_AGE_S}` });
      }
    }),
);

export type HstsConfig = z.output<typeof configSchema>;
