/**
 * Config of the canary plugin: Kong Enterprise's option names, defaults and rules. A timed rollout
 * (`start`, `duration`, `steps`) gets its `start` filled with the time the config was written when it
 * is left out, as Kong 3.2+ does, so every instance reading the stored config moves in step.
 */
import { headerNameField, hostnameField, z } from '../../src/plugin-kit/index.js';

export const HASH_MODES = ['consumer', 'ip', 'none', 'allow', 'deny', 'header'] as const;
export const DEFAULT_HASH = 'consumer';
export const DEFAULT_DURATION_S = 3600;
export const DEFAULT_STEPS = 1000;

export const configSchema = z.lazy(() =>
  z
    .strictObject({
      percentage: z
        .number()
        .min(0)
        .max(100)
        .nullish()
        .describe('Fixed share of traffic (0–100) sent to the canary; when set, start and duration are ignored.'),
      start: z
        .number()
        .min(0)
        .nullish()
        .describe('Time (seconds since the epoch) the timed rollout starts; default: when the config is written. Ignored with percentage or with allow/deny.'),
      duration: z.number().min(0).default(DEFAULT_DURATION_S).describe('Seconds the timed rollout takes from 0% to 100%.'),
      steps: z.int().min(1).max(1_000_000).default(DEFAULT_STEPS).describe('Buckets users are hashed into; the timed rollout moves one bucket at a time.'),
      upstream_host: hostnameField.optional().describe('Host the canary is sent to: a hostname, an IP, or an upstream entity\'s name (then balanced and health-checked).'),
      upstream_port: z.int().min(0).max(65535).optional().describe('Port of the canary (default: the service\'s).'),
      upstream_uri: z.string().regex(/^\//, 'should start with: /').optional().describe('Path sent to the canary instead of the request\'s (the query string is kept).'),
      upstream_fallback: z
        .boolean()
        .default(false)
        .describe('Send a request meant for the canary to the service instead when the canary upstream has no healthy target.'),
      hash: z
        .enum(HASH_MODES)
        .default(DEFAULT_HASH)
        .describe('Who stays on which side: consumer, ip or header (sticky), none (spread evenly), allow/deny (by the consumer\'s ACL groups).'),
      hash_header: headerNameField.optional().describe('Header whose value is hashed when hash is header.'),
      groups: z.array(z.string().min(1)).min(1).optional().describe('ACL groups let into the canary (allow) or kept out of it (deny).'),
      canary_by_header_name: headerNameField
        .optional()
        .describe('A request with this header set to "always" goes to the canary, set to "never" does not, whatever the rollout says.'),
    })
    .superRefine((config, ctx) => {
      if (config.upstream_host === undefined && config.upstream_port === undefined && config.upstream_uri === undefined) {
        ctx.addIssue({ code: 'custom', path: [], message: 'at least one of these fields must be non-empty: upstream_host, upstream_port, upstream_uri' });
      }
      if (config.hash === 'header' && config.hash_header === undefined) ctx.addIssue({ code: 'custom', path: ['hash_header'], message: 'required when hash is "header"' });
      if ((config.hash === 'allow' || config.hash === 'deny') && config.groups === undefined) {
        ctx.addIssue({ code: 'custom', path: ['groups'], message: `required when hash is "${config.hash}"` });
      }
      if (config.upstream_fallback && config.upstream_host === undefined) ctx.addIssue({ code: 'custom', path: ['upstream_fallback'], message: 'needs upstream_host' });
    })
    .transform((config) => {
      const timed = (config.percentage === undefined || config.percentage === null) && config.hash !== 'allow' && config.hash !== 'deny';
      return timed && (config.start === undefined || config.start === null) ? { ...config, start: Math.floor(Date.now() / 1000) } : config;
    }),
);

export type CanaryConfig = z.output<typeof configSchema>;
