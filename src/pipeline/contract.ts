/**
 * The plugin contract: what a bundled plugin declares (name, unique priority, zod config schema) and
 * the phase handlers it returns for each configured instance. Instances are created once per config
 * version, so a request only calls ready functions.
 */
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { Logger } from 'pino';
import type { z } from 'zod';
import type { ConsumerEntity, GatewayConfig, PluginEntity, RouteEntity, ServiceEntity } from '../config/types.js';
import type { TraceContext } from '../observability/trace-context.js';
import type { Settings } from '../settings/schema.js';

/** Process-wide services a plugin may use, handed to `init` once per process. */
export interface PluginInitContext {
  logger: Logger;
  settings: Settings;
}

/** What `instantiate` receives, once per plugin entity per config version. */
export interface InstanceContext {
  /** The whole normalised config this instance belongs to (for consumer/credential indexes). */
  config: GatewayConfig;
  /** The plugin entity itself (id, scope references). */
  entity: PluginEntity;
  logger: Logger;
  settings: Settings;
  /** The handlers this entity had in the previous config version, to carry caches across reloads. */
  previous: PluginHandlers | undefined;
}

/** A response a plugin sends instead of proxying (e.g. an authorizer's own 403 body). */
export interface ShortCircuit {
  status: number;
  headers?: Record<string, string>;
  /** Sent as-is; a plain object is sent as JSON. */
  body?: string | Buffer | Record<string, unknown>;
}

/** The upstream response head, mutable by the `response` phase before it is sent to the client. */
export interface ResponseHead {
  status: number;
  headers: Record<string, string | string[] | undefined>;
}

/** Identity found by an authentication plugin. */
export interface AuthenticatedCredential {
  id: string;
  /** Which plugin found it, e.g. "key-auth". */
  type: string;
}

/** Per-request state shared by the pipeline and the proxy. */
export interface RequestContext {
  readonly id: string;
  readonly traceId: string;
  /** The W3C trace context: incoming parent span, the gateway's span id and flags. */
  readonly trace: TraceContext;
  readonly method: string;
  /** Raw request path (percent-encoding kept), without the query. */
  readonly path: string;
  /** Raw query string without "?", or "" when none. */
  readonly query: string;
  /** Host the client asked for, lower-case, without port. */
  readonly host: string;
  /** The client address: the peer, or the right-most untrusted X-Forwarded-For entry behind a trusted proxy. */
  readonly clientIp: string;
  /** The client's request headers as Node parsed them (lower-case names). */
  readonly headers: IncomingHttpHeaders;
  readonly raw: IncomingMessage;
  readonly route: RouteEntity;
  readonly service: ServiceEntity | null;
  /** Named captures of the regex path that matched, if any. */
  readonly captures: Readonly<Record<string, string>>;
  consumer: ConsumerEntity | null;
  credential: AuthenticatedCredential | null;
  /** Set (or with null, remove) a header on the upstream request; wins over anything the client sent. */
  setUpstreamHeader(name: string, value: string | null): void;
  /** Add a header to the response the client receives (gateway-made or proxied). */
  setResponseHeader(name: string, value: string): void;
  /**
   * Cap the request body streamed upstream (the smallest cap set wins): once more bytes arrive, the
   * upstream request is aborted and the client gets 413 body_too_large if no response started yet.
   */
  limitRequestBody(maxBytes: number): void;
  /** Remove a query argument from the upstream request (e.g. a credential passed in the query). */
  removeQueryArg(name: string): void;
  /** Extra fields for this request's access-log line (never credentials). */
  addLogField(name: string, value: unknown): void;
  /** Adopts a request ID carried in another header for this route (the correlation-id plugin). */
  useRequestId(id: string, header: string): void;
  /** Scratch space for plugins, keyed by plugin name. */
  readonly vars: Record<string, unknown>;
}

/** What happened to a request, given to the `log` phase after the response is finished. */
export interface RequestSummary {
  status: number;
  bytesIn: number;
  bytesOut: number;
  /** Milliseconds: whole request, upstream (send → response headers), gateway (before the upstream call). */
  latency: { request: number; upstream: number | null; proxy: number };
  /** host:port of the upstream target used, if one was tried. */
  upstream: string | null;
  /** Wall-clock times (epoch ms, fractional): request start, upstream call start (if any), end. */
  time: { start: number; upstreamStart: number | null; end: number };
  /** The contract's error code when the gateway answered with an error. */
  error: string | null;
  cause: string | null;
}

/** The handlers of one configured plugin instance; each is optional. */
export interface PluginHandlers {
  /** Before proxying. May throw GatewayError or return a ShortCircuit to answer without proxying. */
  access?(ctx: RequestContext): void | ShortCircuit | Promise<void | ShortCircuit>;
  /** On the response head (proxied or gateway-made), before it is sent; synchronous by design. */
  response?(ctx: RequestContext, head: ResponseHead): void;
  /**
   * Each chunk of the client's request body as it is streamed upstream; synchronous and must not keep
   * the chunk beyond copying it. Routes without such a handler pay nothing.
   */
  requestBody?(ctx: RequestContext, chunk: Buffer): void;
  /** Each chunk of the upstream's response body as it is streamed to the client; same rules. */
  responseBody?(ctx: RequestContext, chunk: Buffer): void;
  /** After the response is finished; must never throw or delay the client. */
  log?(ctx: RequestContext, summary: RequestSummary): void;
  /** When the config version holding this instance is replaced. */
  close?(): void;
}

export interface PluginDefinition<Schema extends z.ZodType = z.ZodType> {
  /** Folder name = config `name` = metric label. */
  name: string;
  /** Higher runs first; unique across bundled plugins (a test pins the order). */
  priority: number;
  version: string;
  /** The `config` object's schema; every user-facing field has `.describe()`. */
  configSchema: Schema;
  /** Once per process, before the first config is applied. */
  init?(ctx: PluginInitContext): void | Promise<void>;
  /** Once at shutdown, after in-flight requests finished. */
  teardown?(): void | Promise<void>;
  /** Once per plugin entity per config version. */
  instantiate(config: z.output<Schema>, ctx: InstanceContext): PluginHandlers;
}

/** Typed identity helper so a plugin's `instantiate` sees its own parsed config type. */
export function definePlugin<Schema extends z.ZodType>(definition: PluginDefinition<Schema>): PluginDefinition<Schema> {
  return Object.freeze(definition);
}
