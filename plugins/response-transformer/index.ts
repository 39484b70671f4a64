/**
 * response-transformer: Kong's plugin — changes the answer before the client gets it: headers (of
 * proxied and gateway-made answers alike) and top-level JSON body fields (remove, rename, replace,
 * add, append, in that order; JSON values typed by json_types). Only an upstream JSON body, on a route
 * with JSON edits, is held whole (up to max_body_bytes) and sent with its new length; every other
 * answer streams as it comes.
 */
import { definePlugin, JsonObjectEdit, type PluginHandlers, type ResponseHead } from '../../src/plugin-kit/index.js';
import { compilePlan, type Edits } from './plan.js';
import { configSchema } from './schema.js';

const NAME = 'response-transformer';
/** ctx.vars mark: this plugin asked for the body, so the body transform is its to make. */
const BODY_ASKED = 'body';

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** As Kong's is_json_body: one of the listed media types is application/json (parameters aside). */
function isJson(contentType: string | undefined): boolean {
  if (contentType === undefined) return false;
  return contentType.split(',').some((type) => type.split(';')[0]!.trim().toLowerCase() === 'application/json');
}

/** A compressed body cannot be read as JSON: it is let through rather than held for nothing. */
function isEncoded(contentEncoding: string | undefined): boolean {
  return contentEncoding !== undefined && contentEncoding.toLowerCase() !== 'identity';
}

function editHeaders(headers: ResponseHead['headers'], edits: Edits): void {
  for (const name of edits.remove) delete headers[name];
  for (const [from, to] of edits.rename) {
    const value = headers[from];
    if (value === undefined) continue;
    delete headers[from];
    headers[to] = value;
  }
  for (const { name, value } of edits.replace) if (headers[name] !== undefined) headers[name] = value;
  for (const { name, value } of edits.add) if (headers[name] === undefined) headers[name] = value;
  for (const { name, value } of edits.append) {
    const current = headers[name];
    headers[name] = current === undefined ? value : [...(typeof current === 'string' ? [current] : current), value];
  }
}

/** The body with the edits made, or null when nothing changed; 'not json' when it is not a JSON object. */
function editJson(body: Buffer, edits: Edits): Buffer | null | 'not json' {
  const json = JsonObjectEdit.parse(body.toString('utf8'));
  if (json === null) return 'not json';
  let changed = false;
  for (const name of edits.remove) changed = json.remove(name) || changed;
  for (const [from, to] of edits.rename) changed = json.rename(from, to) || changed;
  for (const { name, value } of edits.replace) {
    if (!json.has(name)) continue;
    json.set(name, value);
    changed = true;
  }
  for (const { name, value } of edits.add) {
    if (json.has(name)) continue;
    json.set(name, value);
    changed = true;
  }
  for (const { name, value } of edits.append) {
    json.append(name, value);
    changed = true;
  }
  return changed ? Buffer.from(json.toString()) : null;
}

export default definePlugin({
  name: NAME,
  priority: 800,
  version: '1.0.0',
  configSchema,
  instantiate(config) {
    const { headers, json } = compilePlan(config);
    const handlers: PluginHandlers = {};
    // Only the phases the config uses, so a headers-only instance never looks at bodies.
    if (headers !== null) handlers.response = (_ctx, head) => editHeaders(head.headers, headers);
    if (json !== null) {
      handlers.upstreamHead = (ctx, head) => {
        if (!isJson(single(head.headers['content-type'])) || isEncoded(single(head.headers['content-encoding']))) return;
        ctx.vars[NAME] = BODY_ASKED;
        ctx.bufferResponseBody(config.max_body_bytes);
      };
      handlers.transformResponseBody = (ctx, body) => {
        if (ctx.vars[NAME] !== BODY_ASKED) return;
        const edited = editJson(body, json);
        if (edited === 'not json') ctx.addLogField('body_transform', 'response body is not a JSON object: sent untouched');
        return edited instanceof Buffer ? edited : undefined;
      };
    }
    return handlers;
  },
});
