/**
 * Field schemas shared by several declarative entities (ids, names, tags, references, hosts, route
 * paths), each checked the way Kong checks the same field.
 */
import { isIP } from 'node:net';
import { z } from 'zod';
import { compileRegexPath, isRegexPath, toJsRegexPath } from './regex-path.js';

/** Kong's upper bound for integer fields such as timeouts. */
export const MAX_INT32 = 2 ** 31 - 1;

export const idField = z.guid('must be a UUID').optional().describe('Entity id (UUID); generated deterministically when absent.');

export const tagsField = z.array(z.string().min(1)).optional().describe('Free-form tags for filtering and ownership.');

/** Kong's entity name: letters, digits and `. - _ ~`. */
export const nameField = z
  .string()
  .regex(/^[\p{L}\p{N}._~-]+$/u, 'invalid value: only letters, digits, ".", "-", "_" and "~" are allowed');

export const portField = z.int().min(0).max(65535);

export const timeoutField = z.int().min(1).max(MAX_INT32);

const HOSTNAME = /^(?=.{1,253}$)[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)*\.?$/i;

/** A hostname or IP address without port. */
export const hostnameField = z.string().refine((value) => isIP(value) !== 0 || HOSTNAME.test(value), 'invalid value: must be a hostname or IP address');

/** Kong's route host: a hostname with an optional port and at most one `*` as the leftmost or rightmost label. */
export const routeHostField = z.string().superRefine((value, ctx) => {
  const problem = routeHostProblem(value);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

function routeHostProblem(value: string): string | undefined {
  const host = value.replace(/:\d{1,5}$/, '');
  const wildcards = host.split('*').length - 1;
  if (wildcards > 1) return 'invalid wildcard: must have at most one wildcard';
  if (wildcards === 1) {
    if (host.startsWith('*.')) return HOSTNAME.test(host.slice(2)) ? undefined : 'invalid hostname';
    if (host.endsWith('.*')) return HOSTNAME.test(host.slice(0, -2)) ? undefined : 'invalid hostname';
    return 'invalid wildcard: must be placed at leftmost or rightmost label';
  }
  return isIP(host.replace(/^\[(.*)\]$/, '$1')) !== 0 || HOSTNAME.test(host) ? undefined : 'invalid hostname';
}

/** Kong's route path: a "/" prefix, or "~/" followed by a regex that must compile; output is the JavaScript dialect. */
export const routePathField = z.string().transform((value, ctx) => {
  if (!value.startsWith('/') && !value.startsWith('~/')) {
    ctx.addIssue({ code: 'custom', message: 'should start with: / (fixed path) or ~/ (regex path)' });
    return z.NEVER;
  }
  if (!isRegexPath(value)) return value;
  try {
    compileRegexPath(value);
  } catch (error) {
    // V8 says "Invalid regular expression: /<source>/<flags>: <reason>"; the path already shows the source.
    const reason = (error as Error).message.replace(/^Invalid regular expression: \/.*\/[a-z]*: /s, '');
    ctx.addIssue({ code: 'custom', message: `invalid regex: ${reason}` });
    return z.NEVER;
  }
  return toJsRegexPath(value);
});

/** A service path: starts with "/", no whitespace. */
export const servicePathField = z.string().regex(/^\/\S*$/, 'should start with: /');

/** How a declarative file points at another entity, before the reference is resolved. */
export type EntityReference = { by: 'id' | 'name' | 'id-or-name'; value: string };

/** A reference as Kong accepts it: a name or id string, `{id: ...}` or `{name: ...}`. */
export const referenceField = z
  .union(
    [
      z.string().min(1).transform((value): EntityReference => ({ by: 'id-or-name', value })),
      z.strictObject({ id: z.string().min(1) }).transform(({ id }): EntityReference => ({ by: 'id', value: id })),
      z.strictObject({ name: z.string().min(1) }).transform(({ name }): EntityReference => ({ by: 'name', value: name })),
    ],
    { error: 'must be a name or id, {id: ...} or {name: ...}' },
  )
  .optional();
