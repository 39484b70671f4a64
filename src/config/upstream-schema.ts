/**
 * Zod schema for Kong's upstream entity and its nested targets, with Kong's defaults and its rules
 * for consistent-hashing fields.
 */
import { isIP } from 'node:net';
import { z } from 'zod';
import { hostnameField, idField, servicePathField, tagsField } from './fields.js';
import { healthchecksSchema } from './healthcheck-schema.js';

export const UPSTREAM_ALGORITHMS = ['round-robin', 'least-connections', 'consistent-hashing'] as const;
export const DEFAULT_UPSTREAM_ALGORITHM = 'round-robin';
export const HASH_ON = ['none', 'consumer', 'ip', 'header', 'cookie', 'path', 'query_arg', 'uri_capture'] as const;
export const DEFAULT_HASH_ON = 'none';
export const DEFAULT_HASH_ON_COOKIE_PATH = '/';
export const DEFAULT_SLOTS = 10_000;
export const DEFAULT_TARGET_PORT = 8000;
export const DEFAULT_TARGET_WEIGHT = 100;

/** host:port with Kong's default port 8000 filled in; IPv6 addresses are bracketed. */
export const targetField = z.string().transform((value, ctx) => {
  if (isIP(value) === 6) return `[${value}]:${DEFAULT_TARGET_PORT}`;
  const match = /^(\[[0-9a-f:.]+\]|[^:[\]\s/]+)(?::(\d{1,5}))?$/i.exec(value);
  const host = match?.[1]?.replace(/^\[(.*)\]$/, '$1');
  if (!match || !hostnameField.safeParse(host).success || Number(match[2] ?? 0) > 65535) {
    ctx.addIssue({ code: 'custom', message: 'Invalid target; not a valid hostname or ip address' });
    return z.NEVER;
  }
  return `${match[1]}:${match[2] ?? DEFAULT_TARGET_PORT}`;
});

const targetSchema = () =>
  z.strictObject({
    id: idField,
    target: targetField.describe('host:port of a backend (port defaults to 8000).'),
    weight: z.int().min(0).max(65535).default(DEFAULT_TARGET_WEIGHT).describe('Share of traffic relative to the other targets; 0 disables.'),
    tags: tagsField,
  });

const hashOnField = () => z.enum(HASH_ON);

/** Built when a config first has an upstream (a z.lazy), as are its healthchecks. */
export const upstreamSchema = z.lazy(() =>
  z
    .strictObject({
      id: idField,
      name: hostnameField.describe('Virtual host name services use as their host to be balanced over the targets.'),
      algorithm: z.enum(UPSTREAM_ALGORITHMS).default(DEFAULT_UPSTREAM_ALGORITHM).describe('Load-balancing algorithm.'),
      hash_on: hashOnField().default(DEFAULT_HASH_ON).describe('What consistent hashing hashes on.'),
      hash_fallback: hashOnField().default(DEFAULT_HASH_ON).describe('What to hash on when hash_on yields nothing.'),
      hash_on_header: z.string().min(1).optional().describe('Header hashed when hash_on is header.'),
      hash_fallback_header: z.string().min(1).optional().describe('Header hashed when hash_fallback is header.'),
      hash_on_cookie: z.string().min(1).optional().describe('Cookie hashed when hash_on or hash_fallback is cookie.'),
      hash_on_cookie_path: servicePathField.default(DEFAULT_HASH_ON_COOKIE_PATH).describe('Path of the cookie the gateway sets for cookie hashing.'),
      hash_on_query_arg: z.string().min(1).optional().describe('Query argument hashed when hash_on is query_arg.'),
      hash_fallback_query_arg: z.string().min(1).optional().describe('Query argument hashed when hash_fallback is query_arg.'),
      hash_on_uri_capture: z.string().min(1).optional().describe('Regex path capture hashed when hash_on is uri_capture.'),
      hash_fallback_uri_capture: z.string().min(1).optional().describe('Regex path capture hashed when hash_fallback is uri_capture.'),
      slots: z.int().min(10).max(65536).default(DEFAULT_SLOTS).describe('Size of the consistent-hashing ring.'),
      healthchecks: healthchecksSchema.prefault({}).describe("Active and passive health checks (Kong's healthchecks object)."),
      host_header: hostnameField.optional().describe('Host header sent to the targets.'),
      use_srv_name: z.boolean().optional().describe("Kong's SRV-name flag; accepted for compatibility."),
      targets: z.array(targetSchema()).default([]).describe('The backends of this upstream.'),
      tags: tagsField,
    })
    .superRefine(checkHashing),
);

/** The companion field each hash_on / hash_fallback value needs. */
const HASH_COMPANIONS = {
  header: ['hash_on_header', 'hash_fallback_header'],
  cookie: ['hash_on_cookie', 'hash_on_cookie'],
  query_arg: ['hash_on_query_arg', 'hash_fallback_query_arg'],
  uri_capture: ['hash_on_uri_capture', 'hash_fallback_uri_capture'],
} as const;

type HashCompanion = (typeof HASH_COMPANIONS)[keyof typeof HASH_COMPANIONS][number];

/** Kong's upstream entity checks for consistent hashing. */
function checkHashing(upstream: { hash_on: (typeof HASH_ON)[number]; hash_fallback: (typeof HASH_ON)[number] } & Partial<Record<HashCompanion, string>>, ctx: z.RefinementCtx): void {
  const { hash_on: on, hash_fallback: fallback } = upstream;
  if (fallback !== 'none' && (on === 'none' || on === 'cookie')) {
    ctx.addIssue({ code: 'custom', path: ['hash_fallback'], message: `must be "none" when hash_on is "${on}"` });
  } else if (fallback !== 'none' && fallback === on && !(on in HASH_COMPANIONS && on !== 'cookie')) {
    ctx.addIssue({ code: 'custom', path: ['hash_fallback'], message: 'must differ from hash_on' });
  }
  for (const [field, mode, slot] of [['hash_on', on, 0], ['hash_fallback', fallback, 1]] as const) {
    if (!(mode in HASH_COMPANIONS)) continue;
    const companion = HASH_COMPANIONS[mode as keyof typeof HASH_COMPANIONS][slot];
    if (!upstream[companion]) {
      ctx.addIssue({ code: 'custom', path: [companion], message: `required when ${field} is "${mode}"` });
    }
  }
}
