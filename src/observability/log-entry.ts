/**
 * The contract's access-log fields, named in one list and built in one place for the logging plugins,
 * from ids and names only so a credential can never reach a log line. The access log writes the same
 * fields by hand for speed; a black-box test holds its lines to this list and to these values.
 */
import type { ConsumerEntity } from '../config/types.js';
import type { RequestContext, RequestSummary } from '../pipeline/contract.js';

export interface LoggedRequest {
  requestId: string;
  traceId: string;
  method: string;
  host: string;
  path: string;
  /** Route and service labels (name, else id); null when none matched. */
  route: string | null;
  service: string | null;
  consumer: ConsumerEntity | null;
  clientIp: string;
}

export function consumerName(consumer: ConsumerEntity | null | undefined): string | null {
  return consumer ? consumer.username ?? consumer.custom_id ?? consumer.id : null;
}

/**
 * The service a request is logged and counted under: its route's service (name, else id), or the
 * label of the destination a plugin sent it to (a canary's `<service>:canary`); null without a service.
 */
export function serviceLabel(ctx: RequestContext): string | null {
  if (ctx.destination !== null) return ctx.destination.label;
  return ctx.service ? ctx.service.name ?? ctx.service.id : null;
}

/** PRODUCT.md's access-log fields, in the order they are written; `error` and `cause` only where set. */
export const ACCESS_LOG_FIELDS = [
  'request_id',
  'trace_id',
  'method',
  'host',
  'path',
  'route',
  'service',
  'consumer',
  'upstream',
  'status',
  'latency_ms',
  'bytes_in',
  'bytes_out',
  'client_ip',
  'error',
  'cause',
  'grpc_status',
] as const;

export type AccessLogField = (typeof ACCESS_LOG_FIELDS)[number];

export function logFields(request: LoggedRequest, summary: RequestSummary): Record<AccessLogField, unknown> & Record<string, unknown> {
  return {
    request_id: request.requestId,
    trace_id: request.traceId,
    method: request.method,
    host: request.host,
    path: request.path,
    route: request.route,
    service: request.service,
    consumer: consumerName(request.consumer),
    upstream: summary.upstream,
    status: summary.status,
    latency_ms: summary.latency,
    bytes_in: summary.bytesIn,
    bytes_out: summary.bytesOut,
    client_ip: request.clientIp,
    error: summary.error ?? undefined,
    cause: summary.cause ?? undefined,
    grpc_status: summary.grpcStatus ?? undefined,
  } satisfies Record<AccessLogField, unknown>;
}
