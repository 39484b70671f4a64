/**
 * Applies a plan's edits to one request, Kong's way: headers and query arguments in the access phase
 * (through the context, so the client's own request is never changed), the JSON body when the proxy
 * hands it over whole. Templates read the request as the client sent it, so a value removed or
 * replaced here can still be used in another (as in Kong).
 */
import { Errors, GatewayError, headerValue, JsonObjectEdit, type RequestContext } from '../../src/plugin-kit/index.js';
import type { Change, Edits } from './plan.js';
import { QueryArgs } from './query-args.js';
import { UNSENDABLE_IN_HEADER } from './schema.js';
import type { TemplateValues } from './template.js';

/** Template values from the request as the client sent it; its query is parsed at most once. */
export class RequestValues implements TemplateValues {
  private args: QueryArgs | null = null;

  constructor(private readonly ctx: RequestContext) {}

  header(name: string): string | undefined {
    return headerValue(this.ctx.headers, name);
  }

  query(name: string): string | undefined {
    return (this.args ??= new QueryArgs(this.ctx.query)).get(name);
  }

  capture(name: string): string | undefined {
    return this.ctx.captures[name];
  }
}

type HeaderValue = string | readonly string[];

/** The upstream's headers as Kong's transform sees them: the client's, then this plugin's edits so far. */
class HeaderView {
  readonly edits = new Map<string, HeaderValue | null>();

  constructor(private readonly ctx: RequestContext) {}

  get(name: string): HeaderValue | undefined {
    if (this.edits.has(name)) return this.edits.get(name) ?? undefined;
    return this.ctx.headers[name];
  }

  set(name: string, value: HeaderValue | null): void {
    this.edits.set(name, value);
  }
}

/** A template's value for a header; a fixed one was checked when the config was loaded. */
function rendered(change: Change, values: TemplateValues): string {
  if (change.value.fixed !== null) return change.value.fixed;
  const value = change.value.render(values);
  if (UNSENDABLE_IN_HEADER.test(value)) {
    throw new GatewayError(Errors.badRequest, { cause: `request-transformer: the value rendered for ${change.name} holds a line break or NUL` });
  }
  return value;
}

/** One more value for a header: another header line. */
function appended(current: HeaderValue | undefined, value: string): HeaderValue {
  if (current === undefined) return value;
  return typeof current === 'string' ? [current, value] : [...current, value];
}

/** Edits that touch distinct names each read the client's header and set the upstream's directly. */
function editIndependentHeaders(ctx: RequestContext, edits: Edits, values: TemplateValues): void {
  const headers = ctx.headers;
  for (const name of edits.remove) if (headers[name] !== undefined) ctx.setUpstreamHeader(name, null);
  for (const [from, to] of edits.rename) {
    const value = headers[from];
    if (value === undefined) continue;
    ctx.setUpstreamHeader(from, null);
    ctx.setUpstreamHeader(to, value);
  }
  for (const change of edits.replace) if (headers[change.name] !== undefined || change.name === 'host') ctx.setUpstreamHeader(change.name, rendered(change, values));
  for (const change of edits.add) if (headers[change.name] === undefined && change.name !== 'host') ctx.setUpstreamHeader(change.name, rendered(change, values));
  for (const change of edits.append) if (change.name !== 'host') ctx.setUpstreamHeader(change.name, appended(headers[change.name], rendered(change, values)));
}

export function editHeaders(ctx: RequestContext, edits: Edits, values: TemplateValues): void {
  if (edits.independent) {
    editIndependentHeaders(ctx, edits, values);
    return;
  }
  const view = new HeaderView(ctx);
  for (const name of edits.remove) if (view.get(name) !== undefined) view.set(name, null);
  for (const [from, to] of edits.rename) {
    const value = view.get(from);
    if (value === undefined || from === to) continue;
    view.set(from, null);
    view.set(to, value);
  }
  // Host is always there for the upstream (Kong's rule): it can be replaced, never added or appended.
  for (const change of edits.replace) if (view.get(change.name) !== undefined || change.name === 'host') view.set(change.name, rendered(change, values));
  for (const change of edits.add) if (view.get(change.name) === undefined && change.name !== 'host') view.set(change.name, rendered(change, values));
  for (const change of edits.append) if (change.name !== 'host') view.set(change.name, appended(view.get(change.name), rendered(change, values)));
  for (const [name, value] of view.edits) ctx.setUpstreamHeader(name, value);
}

export function editQuery(ctx: RequestContext, edits: Edits, values: TemplateValues): void {
  const args = new QueryArgs(ctx.query);
  for (const name of edits.remove) args.remove(name);
  for (const [from, to] of edits.rename) args.rename(from, to);
  for (const { name, value } of edits.replace) args.replace(name, value.render(values));
  for (const { name, value } of edits.add) args.add(name, value.render(values));
  for (const { name, value } of edits.append) args.append(name, value.render(values));
  ctx.setUpstreamQuery(args.toString());
}

/** Characters a path may carry as they are (RFC 3986 pchar and "/"), and a well-formed escape. */
const PATH_SAFE = /[A-Za-z0-9\-._~!$&'()*+,;=:@/]|%[0-9A-Fa-f]{2}/y;

/** A rendered path made sendable: what a path cannot carry is percent-encoded, escapes already there are kept. */
export function encodePath(path: string): string {
  let out = '';
  for (let i = 0; i < path.length; ) {
    PATH_SAFE.lastIndex = i;
    const safe = PATH_SAFE.exec(path);
    if (safe !== null) {
      out += safe[0];
      i += safe[0].length;
      continue;
    }
    const codePoint = path.codePointAt(i)!;
    const char = String.fromCodePoint(codePoint);
    out += encodeURIComponent(char);
    i += char.length;
  }
  return out;
}

/**
 * The JSON body with the edits made (values are strings, as Kong's); undefined when nothing changed,
 * or when the body is not a JSON object (then the access log says so). An empty body takes only add
 * and append, as in Kong.
 */
export function editJsonBody(ctx: RequestContext, body: Buffer, edits: Edits, values: TemplateValues): Buffer | undefined {
  const json = body.length === 0 ? JsonObjectEdit.empty() : JsonObjectEdit.parse(body.toString('utf8'));
  if (json === null) {
    ctx.addLogField('body_transform', 'request body is not a JSON object: sent untouched');
    return undefined;
  }
  let changed = false;
  if (body.length > 0) {
    for (const name of edits.remove) changed = json.remove(name) || changed;
    for (const [from, to] of edits.rename) changed = json.rename(from, to) || changed;
    for (const { name, value } of edits.replace) {
      if (!json.has(name)) continue;
      json.set(name, JSON.stringify(value.render(values)));
      changed = true;
    }
  }
  for (const { name, value } of edits.add) {
    if (json.has(name)) continue;
    json.set(name, JSON.stringify(value.render(values)));
    changed = true;
  }
  for (const { name, value } of edits.append) {
    json.append(name, JSON.stringify(value.render(values)));
    changed = true;
  }
  return changed ? Buffer.from(json.toString()) : undefined;
}
