/**
 * The access log: one JSON line per request with the contract's fields, written through pino's
 * asynchronous destination. Credentials never appear: only ids and names are logged.
 */
import type { Logger } from 'pino';
import type { RequestSummary } from '../pipeline/contract.js';
import type { Exchange } from '../proxy/exchange.js';
import { logFields } from './log-entry.js';

export class AccessLog {
  /** Null when GATEHOUSE_ACCESS_LOG is off. */
  constructor(private readonly logger: Logger | null) {}

  write(exchange: Exchange, summary: RequestSummary): void {
    if (this.logger === null) return;
    const ctx = exchange.ctx;
    const fields = logFields(
      {
        requestId: exchange.requestId,
        traceId: exchange.trace.traceId,
        method: exchange.req.method ?? '',
        host: exchange.host,
        path: exchange.path,
        route: exchange.compiled?.routeLabel ?? null,
        service: exchange.compiled?.serviceLabel || null,
        consumer: ctx?.consumer ?? null,
        clientIp: exchange.clientIp,
      },
      summary,
    );
    this.logger.info(ctx?.logFields ? Object.assign(fields, ctx.logFields) : fields, 'access');
  }
}
