/**
 * The per-request state object the proxy creates after routing: what plugins read and change
 * (consumer, upstream/response headers, query) and the timings the access log reports.
 */
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { ConsumerEntity, RouteEntity, ServiceEntity } from '../config/types.js';
import type { AuthenticatedCredential, RequestContext } from '../pipeline/contract.js';
import { REQUEST_ID_HEADER } from '../observability/request-id.js';
import type { TraceContext } from '../observability/trace-context.js';

/**
 * The route a context carries when no route matched: only global plugins' log phase sees it (as in
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

export class ProxyRequestContext implements RequestContext {
  consumer: ConsumerEntity | null = null;
  credential: AuthenticatedCredential | null = null;
  readonly vars: Record<string, unknown> = {};
  /** Header the request ID travels in (the correlation-id plugin may rename it per route). */
  requestIdHeader = REQUEST_ID_HEADER;
  /** Upstream header overrides: a value, or null to remove. */
  upstreamHeaders: Map<string, string | null> | null = null;
  /** Extra client response headers, flat [name, value, …]. */
  responseHeaders: string[] | null = null;
  removedQueryArgs: Set<string> | null = null;
  /** Most request-body bytes to stream upstream (limitRequestBody). */
  requestBodyLimit = Infinity;
  logFields: Record<string, unknown> | null = null;

  constructor(
    public id: string,
    readonly trace: TraceContext,
    readonly raw: IncomingMessage,
    readonly method: string,
    readonly path: string,
    readonly query: string,
    readonly host: string,
    readonly clientIp: string,
    readonly route: RouteEntity,
    readonly service: ServiceEntity | null,
    readonly captures: Readonly<Record<string, string>>,
  ) {}

  get traceId(): string {
    return this.trace.traceId;
  }

  get headers(): IncomingHttpHeaders {
    return this.raw.headers;
  }

  setUpstreamHeader(name: string, value: string | null): void {
    (this.upstreamHeaders ??= new Map()).set(name.toLowerCase(), value);
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

  /** Adopts another request ID and the header it travels in (correlation-id). */
  useRequestId(id: string, header: string): void {
    this.id = id;
    this.requestIdHeader = header.toLowerCase();
  }
}
