/**
 * The contract's access-log fields, built in one place for the access log and the logging plugins,
 * from ids and names only so a credential can never reach a log line.
 */
import type { ConsumerEntity } from '../config/types.js';
import type { RequestSummary } from '../pipeline/contract.js';

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

export function logFields(request: LoggedRequest, summary: RequestSummary): Record<string, unknown> {
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
  };
}
