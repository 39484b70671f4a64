/**
 * Kong-compatible CRUD on every collection: `GET/POST /{collection}` and
 * `GET/PATCH/PUT/DELETE /{collection}/{name or id}`, top-level and nested, with Kong's list shape
 * `{data, next, offset}` and `size`/`offset` pagination. Each write is one validated config version.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { GatewayConfig } from '../config/types.js';
import type { GatewayRuntime } from '../runtime/runtime.js';
import { AdminError } from './admin-errors.js';
import { find, NESTED, nestedScope, render, SERVICES, TOP_LEVEL, topLevelScope, type Entity, type Scope } from './collections.js';
import { parseIfMatch, type ConfigWriter } from './config-writer.js';

export const DEFAULT_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 1000;

type Params = Record<string, string>;
type Resolve = (config: GatewayConfig, params: Params) => Scope;

/** Service fields that `url` stands for: a PATCH with `url` replaces them all. */
const URL_PARTS = ['protocol', 'host', 'port', 'path'];
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The written fields; no body is no fields, as in Kong's admin API. */
function bodyObject(request: FastifyRequest): Record<string, unknown> {
  const body = request.body === undefined ? {} : request.body;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new AdminError(400, 'the request body must be a JSON object');
  return body as Record<string, unknown>;
}

/** Kong: a null field in a write means "unset". */
function withoutNulls(fields: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== null));
}

function pageOf(request: FastifyRequest): { start: number; size: number } {
  const query = request.query as Record<string, string | undefined>;
  const size = query.size === undefined ? DEFAULT_PAGE_SIZE : Number(query.size);
  if (!Number.isInteger(size) || size < 1 || size > MAX_PAGE_SIZE) throw new AdminError(400, `size must be an integer from 1 to ${MAX_PAGE_SIZE}`);
  if (query.offset === undefined) return { start: 0, size };
  const start = Number(Buffer.from(query.offset, 'base64url').toString());
  if (!Number.isInteger(start) || start < 0) throw new AdminError(400, 'invalid offset');
  return { start, size };
}

export function registerEntityRoutes(app: FastifyInstance, runtime: GatewayRuntime, writer: ConfigWriter): void {
  const served = (): GatewayConfig => {
    const current = runtime.current;
    if (!current) throw new AdminError(503, 'no config version loaded yet');
    return current.config;
  };

  const collection = (url: string, resolve: Resolve) => {
    app.get(url, async (request) => {
      const scope = resolve(served(), request.params as Params);
      const members = scope.items.filter(scope.belongs);
      const { start, size } = pageOf(request);
      const end = start + size;
      const more = end < members.length;
      const offset = Buffer.from(String(end)).toString('base64url');
      const path = request.url.split('?')[0];
      return {
        data: members.slice(start, end).map((entity) => render(scope, entity)),
        next: more ? `${path}?offset=${offset}&size=${size}` : null,
        ...(more ? { offset } : {}),
      };
    });

    app.post(url, async (request, reply) => {
      const body = withoutNulls(bodyObject(request));
      const id = typeof body.id === 'string' ? body.id : randomUUID();
      const result = await writer.write(parseIfMatch(request.headers['if-match']), `admin: POST ${request.url}`, (draft) => {
        const scope = resolve(draft, request.params as Params);
        scope.items.push({ ...body, ...scope.parentFields, id });
        return { focus: `${scope.path}[${scope.items.length - 1}]` };
      });
      return respondWith(reply.code(201), resolve(result.config, request.params as Params), id);
    });
  };

  const entity = (url: string, resolve: Resolve) => {
    const keyOf = (request: FastifyRequest) => (request.params as Params).key!;

    app.get(url, async (request) => {
      const scope = resolve(served(), request.params as Params);
      const found = find(scope, keyOf(request));
      if (!found) throw new AdminError(404, 'Not found');
      return render(scope, found);
    });

    app.patch(url, async (request, reply) => {
      const body = bodyObject(request);
      let id = '';
      const result = await writer.write(parseIfMatch(request.headers['if-match']), `admin: PATCH ${request.url}`, (draft) => {
        const scope = resolve(draft, request.params as Params);
        const existing = find(scope, keyOf(request));
        if (!existing) throw new AdminError(404, 'Not found');
        const patched: Record<string, unknown> = { ...existing };
        if (scope.spec === SERVICES && body.url !== undefined) for (const part of URL_PARTS) delete patched[part];
        for (const [field, value] of Object.entries(body)) {
          if (value === null) delete patched[field];
          else patched[field] = value;
        }
        id = existing.id;
        replaceDependents(draft, scope, id, body);
        const index = scope.items.indexOf(existing);
        scope.items[index] = { ...patched, id };
        return { focus: `${scope.path}[${index}]` };
      });
      return respondWith(reply, resolve(result.config, request.params as Params), id);
    });

    // PUT creates or replaces (Kong's upsert); a non-UUID key names a new entity.
    app.put(url, async (request, reply) => {
      const body = withoutNulls(bodyObject(request));
      const key = keyOf(request);
      let id = '';
      const result = await writer.write(parseIfMatch(request.headers['if-match']), `admin: PUT ${request.url}`, (draft) => {
        const scope = resolve(draft, request.params as Params);
        const existing = find(scope, key);
        const named = scope.spec.nameFields[0];
        const naming = !existing && !UUID.test(key) && named && body[named] === undefined ? { [named]: key } : {};
        id = existing?.id ?? (UUID.test(key) ? key : typeof body.id === 'string' ? body.id : randomUUID());
        const replacement = { ...naming, ...body, ...scope.parentFields, id };
        replaceDependents(draft, scope, id, body);
        const index = existing ? scope.items.indexOf(existing) : scope.items.push(replacement) - 1;
        scope.items[index] = replacement;
        return { focus: `${scope.path}[${index}]` };
      });
      return respondWith(reply, resolve(result.config, request.params as Params), id);
    });

    app.delete(url, async (request, reply) => {
      await writer.write(parseIfMatch(request.headers['if-match']), `admin: DELETE ${request.url}`, (draft) => {
        const scope = resolve(draft, request.params as Params);
        const existing = find(scope, keyOf(request));
        if (!existing) throw new AdminError(404, 'Not found');
        scope.items.splice(scope.items.indexOf(existing), 1);
        const ref = scope.spec.pluginRef;
        if (ref) draft.plugins = draft.plugins.filter((plugin) => plugin[ref]?.id !== existing.id);
        removeDependents(draft, scope, existing.id);
        return {};
      });
      return reply.code(204).send();
    });
  };

  for (const spec of TOP_LEVEL) {
    const resolve: Resolve = (config) => topLevelScope(spec, config);
    collection(`/${spec.segment}`, resolve);
    entity(`/${spec.segment}/:key`, resolve);
  }
  for (const nested of NESTED) {
    const resolve: Resolve = (config, params) => nestedScope(nested, config, params.parent!);
    collection(`/${nested.parent.segment}/:parent/${nested.child.segment}`, resolve);
    entity(`/${nested.parent.segment}/:parent/${nested.child.segment}/:key`, resolve);
  }
}

/** Deletes the entities that belong to entity `id` of the scope (a deleted certificate's SNIs). */
function removeDependents(draft: GatewayConfig, scope: Scope, id: string): void {
  const dependents = scope.spec.dependents;
  if (!dependents) return;
  const list = draft[dependents.list] as unknown as Entity[];
  draft[dependents.list] = list.filter((entity) => (entity[dependents.ref] as { id?: string } | undefined)?.id !== id) as never;
}

/** A write that gives the shorthand (`snis: [names]`) replaces the entity's dependents with those it names. */
function replaceDependents(draft: GatewayConfig, scope: Scope, id: string, body: Record<string, unknown>): void {
  const dependents = scope.spec.dependents;
  if (dependents && body[dependents.shorthand] !== undefined) removeDependents(draft, scope, id);
}

function respondWith(reply: FastifyReply, scope: Scope, id: string) {
  const entity = scope.items.find((candidate: Entity) => candidate.id === id);
  return reply.send(entity ? render(scope, entity) : {});
}
