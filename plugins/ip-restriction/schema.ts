/** Config of the ip-restriction plugin: Kong's option names and rules. */
import { z } from '../../src/plugin-kit/index.js';
import { entryError } from './address-ranges.js';

export const DEFAULT_STATUS = 403;

const addressList = (what: string) =>
  z
    .array(
      z.string().superRefine((entry, ctx) => {
        const error = entryError(entry);
        if (error !== null) ctx.addIssue({ code: 'custom', message: error });
      }),
    )
    .nullish()
    .describe(`IPv4 and IPv6 addresses and CIDR ranges to ${what}.`);

export const configSchema = z.lazy(() =>
  z
    .strictObject({
      allow: addressList('allow: when set, every other client is refused'),
      deny: addressList('refuse (checked before allow)'),
      status: z.int().min(100).max(599).nullish().describe('Status of the answer to a refused client (default 403).'),
      message: z.string().nullish().describe('Message of the answer to a refused client (default "IP address not allowed: <client address>").'),
    })
    .superRefine((config, ctx) => {
      // As Kong's entity check: at least one of the lists (an empty one counts as absent).
      if (!config.allow?.length && !config.deny?.length) ctx.addIssue({ code: 'custom', path: [], message: 'at least one of allow, deny must be set' });
    }),
);

export type IpRestrictionConfig = z.output<typeof configSchema>;
