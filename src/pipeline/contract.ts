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

/**
 * Somewhere other than the service's own host that a request can be sent to (Kong's
 * `kong.service.set_upstream`/`set_target`), resolved once per config version by `destinations`.
 */
export interface Destination {
  /** The service label requests sent here are logged and counted under (access log, metrics). */
  readonly label: string;
  /** True while a target can take a request: always for a plain host; for an upstream, its healthchecks decide. */
  hasHealthyTarget(): boolean;
}

/** Resolves destinations for a config version, balanced and health-checked like the service's own host. */
export interface DestinationResolver {
  /**
   * Requests of `service` sent to `host` (a hostname, an IP, or an upstream's name; default the
   * service's) on `port` (default the service's), with the service's protocol and timeouts.
   */
  resolve(service: ServiceEntity, where: { host?: string; port?: number }, label: string): Destination;
}

/** What `instantiate` receives, once per plugin entity per config version. */
export interface InstanceContext {
  /** The whole normalized config this instance belongs to (for consumer/credential indexes). */
  config: GatewayConfig;
  /** The plugin entity itself (id, scope references). */
  entity: PluginEntity;
  logger: Logger;
  settings: Settings;
  /** The handlers this entity had in the previous config version, to carry caches across reloads. */
  previous: PluginHandlers | undefined;
  /** Other places to send requests to, for routing plugins (canary). */
  destinations: DestinationResolver;
}

/** A response a plugin sends instead of proxying (e.g. an authorizer's own 403 body). */
export interface ShortCircuit {
  status: number;
  headers?: Record<string, string | string[]>;
  /** Sent as-is; a plain object is sent as JSON. */
  body?: string | Buffer | Record<string, unknown>;
  /**
   * Answer as though the upstream had sent this response (a cache hit replaying a stored one): the
   * route's `upstreamHead`, `responseBody` and body transforms see it as they see a proxied response,
   * and the plugins after the one answering are skipped as for any short-circuit. `body` is a Buffer
   * (or a string, sent as UTF-8); the responder sets Content-Length.
   */
  asUpstream?: boolean;
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
  /** The scheme of the listener the request arrived on: `https` on the HTTPS listener. */
  readonly scheme: 'http' | 'https';
  /** The scheme the client used: a trusted proxy's X-Forwarded-Proto, else `scheme` (Kong's forwarded scheme). */
  readonly forwardedScheme: string;
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
  /**
   * Set (or with null, remove) a header on the upstream request; wins over anything the client sent.
   * A list sends one header line per value.
   */
  setUpstreamHeader(name: string, value: string | readonly string[] | null): void;
  /**
   * The header changes plugins made so far for the upstream request (lower-case name → value, null
   * for removed), or null when none: what a plugin that answers itself (aws-lambda) sends on.
   */
  readonly upstreamHeaders: ReadonlyMap<string, string | readonly string[] | null> | null;
  /** The query string (without "?") the upstream would get: the client's after setUpstreamQuery and removeQueryArg. */
  upstreamQueryString(): string;
  /** The method sent upstream instead of the client's (request-transformer's `http_method`). */
  setUpstreamMethod(method: string): void;
  /**
   * The whole path sent upstream (raw, percent-encoded, starting with "/") instead of the one routing
   * made from the route and service (request-transformer's `replace.uri`); without a query.
   */
  setUpstreamPath(path: string): void;
  /** The raw query string (without "?") sent upstream instead of the client's; `removeQueryArg` still applies to it. */
  setUpstreamQuery(query: string): void;
  /** Add a header to the response the client receives (gateway-made or proxied). */
  setResponseHeader(name: string, value: string): void;
  /**
   * Cap the request body streamed upstream (the smallest cap set wins): once more bytes arrive, the
   * upstream request is aborted and the client gets 413 body_too_large if no response started yet.
   */
  limitRequestBody(maxBytes: number): void;
  /** Remove a query argument from the upstream request (e.g. a credential passed in the query). */
  removeQueryArg(name: string): void;
  /**
   * Ask for the client's whole body, up to `maxBytes`, before it goes upstream: the route's
   * `transformRequestBody` handlers then get it whole and may replace it. A longer body streams
   * upstream untouched (the access log says so in `body_transform`); the largest request wins. Costs
   * nothing unless called: every other request body streams.
   */
  bufferRequestBody(maxBytes: number): void;
  /**
   * The client's whole body, for a plugin that answers the request itself (aws-lambda). Bodies over
   * `maxBytes` (or the cap set with `limitRequestBody`) reject with a 413 GatewayError. The bytes are
   * counted and shown to `requestBody` observers as when streamed; should the request still be
   * proxied, the body read is what goes upstream (through any body transforms).
   */
  readRequestBody(maxBytes: number): Promise<Buffer>;
  /**
   * From `upstreamHead`: ask for the whole response body, up to `maxBytes`, before the response head
   * is sent: the route's `transformResponseBody` handlers then get it whole. A longer body streams to
   * the client untouched (logged as for requests). Ignored for answers without a body (HEAD, 204, 304).
   */
  bufferResponseBody(maxBytes: number): void;
  /** Extra fields for this request's access-log line (never credentials). */
  addLogField(name: string, value: unknown): void;
  /** Adopts a request ID carried in another header for this route (the correlation-id plugin). */
  useRequestId(id: string, header: string): void;
  /**
   * Sends this request to `destination` instead of the service's host, with `path` (when given) as the
   * whole upstream path, the query string kept (Kong's `upstream_uri`).
   */
  setUpstream(destination: Destination, path?: string): void;
  /** Where setUpstream sent the request; null for the service's own host. */
  readonly destination: Destination | null;
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
  /** A gRPC call's grpc-status (the upstream's trailer, or the gateway's own); null for other requests. */
  grpcStatus: number | null;
  /** Set for a WebSocket handshake that became a tunnel: logged once it closed (bytes and latency cover the tunnel). */
  websocket?: WebSocketOutcome | null;
}

/** How a WebSocket tunnel ended. */
export interface WebSocketOutcome {
  /**
   * Who ended it: the gateway (idle timeout, drain, a plugin's close), else the side that stopped
   * sending first (in a clean close, the one whose close frame came first).
   */
  closedBy: 'client' | 'upstream' | 'gateway';
  /** The close code the gateway sent both sides, when it closed the tunnel with one. */
  closeCode: number | null;
}

/** One WebSocket frame's header as a tunnel relays it; the payload streams through and is never seen. */
export interface WebSocketFrame {
  readonly from: 'client' | 'upstream';
  /** 0 continuation, 1 text, 2 binary, 8 close, 9 ping, 10 pong. */
  readonly opcode: number;
  readonly fin: boolean;
  readonly payloadLength: number;
  /** For a data frame, the payload bytes of its message so far, this frame's included; for a control frame, its own. */
  readonly messageLength: number;
}

/** What a `webSocketFrame` handler returns to end the tunnel: both sides get a close frame with this code. */
export interface WebSocketClose {
  code: number;
  reason: string;
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
  /**
   * Each chunk of the upstream's response body (or of a replayed one, `asUpstream`) as it arrives,
   * before any body transform; same rules.
   */
  responseBody?(ctx: RequestContext, chunk: Buffer): void;
  /**
   * The upstream's response head as it arrived (or a replayed one), before the `response` phase
   * changes it: read it (e.g. to store it), or call `ctx.bufferResponseBody`. Must not change it.
   */
  upstreamHead?(ctx: RequestContext, head: Readonly<ResponseHead>): void;
  /**
   * The client's whole body, when a plugin asked for it with `ctx.bufferRequestBody`: return a new
   * body to send upstream instead (Content-Length follows), or nothing to keep it. Highest priority first.
   */
  transformRequestBody?(ctx: RequestContext, body: Buffer): Buffer | void;
  /** The whole response body, when a plugin asked for it with `ctx.bufferResponseBody`; as for requests. */
  transformResponseBody?(ctx: RequestContext, body: Buffer): Buffer | void;
  /**
   * Each frame's header on a WebSocket tunnel, before the frame is relayed (the frame object is reused:
   * copy what you keep). Returning a close stops the frame and ends the tunnel with that code. Only
   * tunnels of routes with such a handler follow frames; the others are a plain socket pipe.
   */
  webSocketFrame?(ctx: RequestContext, frame: WebSocketFrame): void | WebSocketClose;
  /** After the response is finished; must never throw or delay the client. */
  log?(ctx: RequestContext, summary: RequestSummary): void;
  /**
   * When the config version holding this instance is replaced, or the gateway stops; a returned
   * promise (a log queue flushing) is awaited at shutdown, within the drain timeout.
   */
  close?(): void | Promise<void>;
}

/** What a plugin's admin route is called with. */
export interface AdminRouteRequest {
  /** The path's `:name` parameters, decoded. */
  params: Readonly<Record<string, string>>;
  logger: Logger;
}

/** What a plugin's admin route answers: a status and, unless 204, a JSON body. */
export interface AdminRouteAnswer {
  status: number;
  body?: unknown;
}

/** An endpoint a plugin adds to the admin API (Kong's `api.lua`), behind the admin token like the rest. */
export interface PluginAdminRoute {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Path with `:name` parameters, e.g. `/proxy-cache/:key`. */
  path: string;
  summary: string;
  handle(request: AdminRouteRequest): AdminRouteAnswer | Promise<AdminRouteAnswer>;
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
  /** Endpoints the plugin adds to the admin API, registered once at start. */
  adminRoutes?: readonly PluginAdminRoute[];
}

/**
 * A plugin listed before its module is loaded (the bundled plugins, plugins/index.ts): what
 * validating configs and ordering chains need, and how to load the rest — its phases and whatever
 * libraries they bring (jose, ioredis…) — once a config uses it.
 */
export interface LazyPlugin {
  name: string;
  priority: number;
  configSchema: z.ZodType;
  /** Its admin routes, registered at start whether or not a config uses it (the same list its module declares). */
  adminRoutes?: readonly PluginAdminRoute[];
  load(): Promise<PluginDefinition>;
}

/** Typed identity helper so a plugin's `instantiate` sees its own parsed config type. */
export function definePlugin<Schema extends z.ZodType>(definition: PluginDefinition<Schema>): PluginDefinition<Schema> {
  return Object.freeze(definition);
}
