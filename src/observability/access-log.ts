/**
 * The access log: one JSON line per request with the contract's fields, written through pino's
 * asynchronous destination. Credentials never appear: only ids and names are logged.
 */
import type { Logger } from 'pino';
import type { RequestSummary } from '../pipeline/contract.js';
import type { Exchange } from '../proxy/exchange.js';

export class AccessLog {
  /** Null when GATEHOUSE_ACCESS_LOG is off. */
  constructor(private readonly logger: Logger | null) {}

  write(exchange: Exchange, summary: RequestSummary): void {
    if (this.logger === null) return;
    const ctx = exchange.ctx;
    const consumer = ctx?.consumer;
    this.logger.info(
      {
        request_id: exchange.requestId,
        trace_id: exchange.trace.traceId,
        method: exchange.req.method,
        host: exchange.host,
        path: exchange.path,
        route: exchange.compiled?.routeLabel ?? null,
        service: exchange.compiled?.serviceLabel || null,
        consumer: consumer ? consumer.username ?? consumer.custom_id ?? consumer.id : null,
        upstream: summary.upstream,
        status: summary.status,
        latency_ms: summary.latency,
        bytes_in: summary.bytesIn,
        bytes_out: summary.bytesOut,
        client_ip: exchange.clientIp,
        error: summary.error ?? undefined,
        cause: summary.cause ?? undefined,
        ...ctx?.logFields,
      },
      'access',
    );
  }
}
