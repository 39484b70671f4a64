/**
 * Every error the gateway itself answers with, in one place: a stable code, the HTTP status and the
 * contract's `error` string. Plugins and the proxy throw `GatewayError`; the request handler renders it.
 */

export interface ErrorKind {
  /** Internal code, GW_<AREA>_<WHAT>; appears in logs. */
  code: string;
  status: number;
  /** The contract's stable `error` field. */
  error: string;
  /** Default client-facing message. */
  message: string;
  /** The gRPC status a gRPC call gets instead (grpc-status), PRODUCT.md's mapping. */
  grpcStatus: number;
}

/** gRPC status codes the gateway answers with (grpc/grpc doc/statuscodes.md). */
export const GrpcStatus = Object.freeze({
  OK: 0,
  CANCELLED: 1,
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  UNAUTHENTICATED: 16,
});

/**
 * The gRPC status for an HTTP status the gateway answers with when no error kind says it (a plugin's
 * short-circuit, a configured `error_code`): gRPC's own HTTP-to-gRPC table, with 504 as a deadline.
 */
export function grpcStatusOfHttp(status: number): number {
  if (status < 300) return GrpcStatus.OK;
  switch (status) {
    case 400:
      return GrpcStatus.INTERNAL;
    case 401:
      return GrpcStatus.UNAUTHENTICATED;
    case 403:
      return GrpcStatus.PERMISSION_DENIED;
    case 404:
      return GrpcStatus.UNIMPLEMENTED;
    case 413:
    case 429:
      return GrpcStatus.RESOURCE_EXHAUSTED;
    case 502:
    case 503:
      return GrpcStatus.UNAVAILABLE;
    case 504:
      return GrpcStatus.DEADLINE_EXCEEDED;
    default:
      return GrpcStatus.UNKNOWN;
  }
}

function kind(code: string, status: number, error: string, message: string, grpcStatus = grpcStatusOfHttp(status)): ErrorKind {
  return Object.freeze({ code, status, error, message, grpcStatus });
}

export const Errors = Object.freeze({
  noRoute: kind('GW_ROUTE_NOT_FOUND', 404, 'no_route', 'no Route matched with those values'),
  httpsRequired: kind('GW_ROUTE_HTTPS_REQUIRED', 426, 'https_required', 'Please use HTTPS protocol', GrpcStatus.UNAVAILABLE),
  websocketRequired: kind('GW_ROUTE_WEBSOCKET_REQUIRED', 426, 'websocket_required', 'Please use the WebSocket protocol'),
  badRequest: kind('GW_REQUEST_MALFORMED', 400, 'bad_request', 'Bad request'),
  headersTooLarge: kind('GW_REQUEST_HEADERS_TOO_LARGE', 431, 'headers_too_large', 'Request header fields too large', GrpcStatus.RESOURCE_EXHAUSTED),
  bodyTooLarge: kind('GW_REQUEST_BODY_TOO_LARGE', 413, 'body_too_large', 'Request size limit exceeded'),
  lengthRequired: kind('GW_REQUEST_LENGTH_REQUIRED', 411, 'length_required', 'A valid Content-Length header is required', GrpcStatus.INTERNAL),
  unauthorized: kind('GW_AUTH_UNAUTHORIZED', 401, 'unauthorized', 'Unauthorized'),
  forbidden: kind('GW_AUTH_FORBIDDEN', 403, 'forbidden', 'You cannot consume this service'),
  rateLimited: kind('GW_RATE_LIMITED', 429, 'rate_limited', 'API rate limit exceeded'),
  upstreamUnavailable: kind('GW_UPSTREAM_UNAVAILABLE', 502, 'upstream_unavailable', 'The upstream server could not be reached'),
  upstreamInvalidResponse: kind('GW_UPSTREAM_INVALID_RESPONSE', 502, 'upstream_invalid_response', 'An invalid response was received from the upstream server'),
  noHealthyUpstream: kind('GW_UPSTREAM_NONE_HEALTHY', 503, 'no_healthy_upstream', 'failure to get a peer from the ring-balancer'),
  upstreamTimeout: kind('GW_UPSTREAM_TIMEOUT', 504, 'upstream_timeout', 'The upstream server is timing out'),
  internal: kind('GW_INTERNAL', 500, 'internal_error', 'An unexpected error occurred', GrpcStatus.INTERNAL),
  serviceUnavailable: kind('GW_SERVICE_UNAVAILABLE', 503, 'service_unavailable', 'Service unavailable'),
});

export interface GatewayErrorOptions {
  /** Overrides the kind's default message shown to the client. */
  message?: string;
  /** Extra response headers (WWW-Authenticate, Retry-After…). */
  headers?: Record<string, string>;
  /** Overrides the kind's status (e.g. a plugin's configurable `error_code`). */
  status?: number;
  /** The underlying cause, for the log line only (never sent to the client). */
  cause?: string;
  /** The upstream target involved, for the log line. */
  target?: string;
}

/** An error the gateway answers itself; rendered as `{message, error, request_id}`. */
export class GatewayError extends Error {
  readonly kind: ErrorKind;
  readonly status: number;
  readonly headers: Record<string, string> | undefined;
  readonly causeText: string | undefined;
  readonly target: string | undefined;

  constructor(errorKind: ErrorKind, options: GatewayErrorOptions = {}) {
    super(options.message ?? errorKind.message);
    this.name = 'GatewayError';
    this.kind = errorKind;
    this.status = options.status ?? errorKind.status;
    this.headers = options.headers;
    this.causeText = options.cause;
    this.target = options.target;
  }

  get code(): string {
    return this.kind.code;
  }

  /** The grpc-status a gRPC call gets: the kind's, or the one for a status a plugin configured. */
  get grpcStatus(): number {
    return this.status === this.kind.status ? this.kind.grpcStatus : grpcStatusOfHttp(this.status);
  }
}

/** The JSON body the contract prescribes for every gateway-made error. */
export function errorBody(error: GatewayError, requestId: string): string {
  return JSON.stringify({ message: error.message, error: error.kind.error, request_id: requestId });
}
