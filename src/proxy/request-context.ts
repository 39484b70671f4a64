/**
 * The one object that owns what is known about a request: its identity (request ID, trace, method,
 * path, query, host, client address), the route it matched, and what plugins read and change
 * (consumer, upstream and response headers, query, body cap, log fields). Built once per request,
 * before routing, and handed to every plugin phase as the contract's `RequestContext`.
 */
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { ConsumerEntity, RouteEntity, ServiceEntity } from '../config/types.js';
import type { AuthenticatedCredential, Destination, RequestContext } from '../pipeline/contract.js';
import { REQUEST_ID_HEADER } from '../observability/request-id.js';
import type { TraceContext } from '../observability/trace-context.js';
import type { CompiledRoute } from '../runtime/compiled-config.js';
import { BalancedDestination } from '../runtime/upstream-destinations.js';
import type { Exchange } from './exchange.js';
import { readWholeBody } from './request-body-buffer.js';
import { withoutQueryArgs } from './request-path.js';

/**
 * The route a context reports when no route matched: only global plugins' log phase sees it (as in
 * Kong), and its empty id and name give empty route labels.
 */
export const UNMATCHED_ROUTE: RouteEntity = Object.freeze({
  id: '',
  service: null,
  protocols: [],
  regex_priority: 0,
  strip_path: false,
  preserve_host: false,
  path_handling: 'v0',
  https_redirect_status_code: 426,
  request_buffering: true,
  response_buffering: true,
});

const NO_CAPTURES: Readonly<Record<string, string>> = Object.freeze({});

/** What the listener and the request head tell about a request as it arrives. */
export interface ArrivedRequest {
  raw: IncomingMessage;
  id: string;
  trace: TraceContext;
  /** Raw path (percent-encoding kept), without the query. */
  path: string;
  query: string;
  /** host[:port] the client addressed: an absolute-form target's authority, else the Host header; "" when none. */
  authority: string;
  /** Lower-case host without port. */
  host: string;
  clientIp: string;
  /** The peer is a trusted proxy, so its X-Forwarded-Proto/Host/Port are believed. */
  peerTrusted: boolean;
  /** The port of the listener the request arrived on. */
  listenerPort: number;
  /** What that listener speaks. */
  scheme: 'http' | 'https';
}

export class ProxyRequestContext implements RequestContext {
  /** Changes only through useRequestId (the correlation-id plugin). */
  id: string;
  readonly trace: TraceContext;
  readonly raw: IncomingMessage;
  readonly method: string;
  readonly path: string;
  readonly query: string;
  readonly authority: string;
  readonly host: string;
  readonly clientIp: string;
  readonly peerTrusted: boolean;
  readonly listenerPort: number;
  readonly scheme: 'http' | 'https';
  /** The route that matched, set once by routing; null when none did. */
  matched: CompiledRoute | null = null;
  captures: Readonly<Record<string, string>> = NO_CAPTURES;
  consumer: ConsumerEntity | null = null;
  credential: AuthenticatedCredential | null = null;
  readonly vars: Record<string, unknown> = {};
  /** Header the request ID travels in (the correlation-id plugin may rename it per route). */
  requestIdHeader = REQUEST_ID_HEADER;
  /** Upstream header overrides: a value (a list: one line each), or null to remove. */
  upstreamHeaders: Map<string, string | readonly string[] | null> | null = null;
  /** What a plugin sends upstream instead of the client's method, routed path and query (null: unchanged). */
  upstreamMethod: string | null = null;
  upstreamPathOverride: string | null = null;
  upstreamQuery: string | null = null;
  /** Most body bytes a plugin wants whole before the body goes on (0: none asked; it streams). */
  requestBodyBuffer = 0;
  responseBodyBuffer = 0;
  /** Extra client response headers, flat [name, value, …]. */
  responseHeaders: string[] | null = null;
  removedQueryArgs: Set<string> | null = null;
  /** Most request-body bytes to stream upstream (limitRequestBody). */
  requestBodyLimit = Infinity;
  logFields: Record<string, unknown> | null = null;
  /** Where a plugin sent the request instead of the service's host (setUpstream). */
  destination: BalancedDestination | null = null;
  /** The body a plugin read whole (readRequestBody); when set, it goes upstream instead of the client's stream. */
  readBody: Buffer | null = null;
  /** The exchange this request belongs to (set by its constructor): where bytes read are counted. */
  exchange: Exchange | null = null;

  constructor(arrived: ArrivedRequest) {
    this.id = arrived.id;
    this.trace = arrived.trace;
    this.raw = arrived.raw;
    this.method = arrived.raw.method!;
    this.path = arrived.path;
    this.query = arrived.query;
    this.authority = arrived.authority;
    this.host = arrived.host;
    this.clientIp = arrived.clientIp;
    this.peerTrusted = arrived.peerTrusted;
    this.listenerPort = arrived.listenerPort;
    this.scheme = arrived.scheme;
  }

  /** The scheme the client used: a trusted proxy's X-Forwarded-Proto, else the listener's (Kong's forwarded scheme). */
  get forwardedScheme(): string {
    if (this.peerTrusted) {
      const sent = this.raw.headers['x-forwarded-proto'];
      const value = Array.isArray(sent) ? sent[0] : sent;
      if (value) return value;
    }
    return this.scheme;
  }

  get route(): RouteEntity {
    return this.matched === null ? UNMATCHED_ROUTE : this.matched.route;
  }

  get service(): ServiceEntity | null {
    return this.matched === null ? null : this.matched.service;
  }

  get traceId(): string {
    return this.trace.traceId;
  }

  get headers(): IncomingHttpHeaders {
    return this.raw.headers;
  }

  setUpstreamHeader(name: string, value: string | readonly string[] | null): void {
    (this.upstreamHeaders ??= new Map()).set(name.toLowerCase(), value);
  }

  upstreamQueryString(): string {
    const query = this.upstreamQuery ?? this.query;
    return this.removedQueryArgs ? withoutQueryArgs(query, this.removedQueryArgs) : query;
  }

  setUpstreamMethod(method: string): void {
    this.upstreamMethod = method;
  }

  setUpstreamPath(path: string): void {
    this.upstreamPathOverride = path;
  }

  setUpstreamQuery(query: string): void {
    this.upstreamQuery = query;
  }

  bufferRequestBody(maxBytes: number): void {
    this.requestBodyBuffer = Math.max(this.requestBodyBuffer, maxBytes);
  }

  bufferResponseBody(maxBytes: number): void {
    this.responseBodyBuffer = Math.max(this.responseBodyBuffer, maxBytes);
  }

  async readRequestBody(maxBytes: number): Promise<Buffer> {
    if (this.readBody === null) {
      const chain = this.matched?.chain;
      if (this.exchange === null || chain === undefined) throw new Error('readRequestBody is for plugin phases of a routed request');
      this.readBody = await readWholeBody(this.exchange, chain, Math.min(maxBytes, this.requestBodyLimit));
    }
    return this.readBody;
  }

  setResponseHeader(name: string, value: string): void {
    (this.responseHeaders ??= []).push(name, value);
  }

  limitRequestBody(maxBytes: number): void {
    this.requestBodyLimit = Math.min(this.requestBodyLimit, maxBytes);
  }

  removeQueryArg(name: string): void {
    (this.removedQueryArgs ??= new Set()).add(name);
  }

  addLogField(name: string, value: unknown): void {
    (this.logFields ??= {})[name] = value;
  }

  setUpstream(destination: Destination, path?: string): void {
    if (!(destination instanceof BalancedDestination)) throw new TypeError('setUpstream takes a destination from the instance context\'s destinations.resolve');
    this.destination = destination;
    // Without a path of its own, a path another plugin set (request-transformer) stays.
    if (path !== undefined) this.upstreamPathOverride = path;
  }

  /** Adopts another request ID and the header it travels in (correlation-id). */
  useRequestId(id: string, header: string): void {
    this.id = id;
    this.requestIdHeader = header.toLowerCase();
  }
}
