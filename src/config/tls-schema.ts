/**
 * Zod schemas for Kong's TLS entities: `certificates` (with nested `snis`), `snis` and
 * `ca_certificates`, plus Gatehouse's `cert_path`/`key_path`, which keep a private key on the
 * instances' disks instead of in the config. Whether a PEM parses and a key matches its certificate
 * is checked at normalization (src/config/normalize-tls.ts), which may read files. The entities'
 * schemas are z.lazy, built when a config first has such an entity.
 */
import { isIP } from 'node:net';
import { z } from 'zod';
import { idField, referenceField, tagsField } from './fields.js';

/** Kong's SNI that serves clients whose name no other SNI matches. */
export const DEFAULT_SNI = '*';

const LABEL = /^[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?$/;

/** Kong's SNI name: a lower-cased hostname, with `*` as its whole leftmost or rightmost label, or `*` alone. */
export const sniNameField = z
  .string()
  .transform((value) => value.toLowerCase())
  .superRefine((name, ctx) => {
    const problem = sniNameProblem(name);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  })
  .describe('A server name sent by TLS clients: a hostname, *.example.com, example.* or * (any other name).');

function sniNameProblem(name: string): string | undefined {
  if (name === DEFAULT_SNI) return undefined;
  if (isIP(name.replace(/^\[(.*)\]$/, '$1')) !== 0) return 'must not be an IP';
  if (/:\d*$/.test(name)) return 'must not have a port';
  const labels = name.split('.');
  const wildcards = labels.filter((label) => label.includes('*'));
  if (wildcards.length > 1 || name.split('*').length > 2) return 'only one wildcard must be specified';
  if (wildcards.length === 1 && labels[0] !== '*' && labels.at(-1) !== '*') return 'wildcard must be leftmost or rightmost character';
  if (name.length > 253 || labels.some((label) => label !== '*' && !LABEL.test(label))) return 'invalid value: must be a hostname';
  return undefined;
}

const pemField = (what: string) => z.string().min(1).describe(what);
const pathField = (what: string) => z.string().min(1).describe(what);

/** An SNI inside its certificate: a bare name (Kong's admin shorthand), or the entity with its own id and tags. */
const nestedSniSchema = () =>
  z.preprocess(
    (value) => (typeof value === 'string' ? { name: value } : value),
    z.strictObject({ id: idField, name: sniNameField, tags: tagsField }),
  );

export const certificateSchema = z.lazy(() =>
  z
    .strictObject({
      id: idField,
      cert: pemField('PEM certificate, followed by its intermediate certificates.').optional(),
      key: pemField('PEM private key of cert (never shown by the admin API or export).').optional(),
      cert_alt: pemField('A second PEM certificate of another key type (ECDSA beside RSA), for older clients.').optional(),
      key_alt: pemField('PEM private key of cert_alt.').optional(),
      cert_path: pathField('Gatehouse: file holding the PEM certificate, read on each instance instead of cert.').optional(),
      key_path: pathField('Gatehouse: file holding the PEM private key, read on each instance instead of key; the key then never enters the config store.').optional(),
      snis: z.array(nestedSniSchema()).default([]).describe('Server names this certificate is served for.'),
      tags: tagsField,
    })
    .superRefine((certificate, ctx) => {
      for (const [inline, path] of [['cert', 'cert_path'], ['key', 'key_path']] as const) {
        if (certificate[inline] !== undefined && certificate[path] !== undefined) {
          ctx.addIssue({ code: 'custom', path: [path], message: `cannot be combined with ${inline}` });
        }
      }
    }),
);

export const sniSchema = z.lazy(() =>
  z.strictObject({
    id: idField,
    name: sniNameField,
    certificate: referenceField.describe('The certificate served for this name (its id).'),
    tags: tagsField,
  }),
);

export const caCertificateSchema = z.lazy(() =>
  z.strictObject({
    id: idField,
    cert: pemField('PEM certificate of a CA trusted to verify upstreams (services.ca_certificates).'),
    cert_digest: z.string().regex(/^[0-9a-f]{64}$/, 'must be a lower-case SHA-256 hex digest').optional().describe("SHA-256 of the certificate, as Kong computes it; filled in when absent."),
    tags: tagsField,
  }),
);
