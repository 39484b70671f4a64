/**
 * The access log: one JSON line per request with the contract's fields, in the same shape as the
 * logger's own lines. Lines are serialised by hand and handed to the logger's destination in
 * batches (every FLUSH_INTERVAL_MS, or sooner when MAX_PENDING_LINES wait): a generic logger call and
 * a destination write per request cost a quarter of the proxy's throughput. Credentials never
 * appear: only ids and names are logged.
 */
import pino, { type Logger } from 'pino';
import type { RequestSummary } from '../pipeline/contract.js';
import type { Exchange } from '../proxy/exchange.js';
import type { CompiledRoute } from '../runtime/compiled-config.js';
import { consumerName } from './log-entry.js';

interface LineSink {
  write(line: string): unknown;
}

/**
 * `value` as the inside of a JSON string. Fields are nearly always plain (ids, hosts, paths): those
 * are used as they are; anything JSON must escape (a quote, a backslash, a control character) goes
 * through JSON.stringify.
 */
function escaped(value: string): string {
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code < 0x20 || code === 0x22 || code === 0x5c) return JSON.stringify(value).slice(1, -1);
  }
  return value;
}

/** Lines reach the destination at most this late. */
const FLUSH_INTERVAL_MS = 50;
/**
 * A burst larger than this is written at once rather than waiting for the timer. 64 lines (≈ 30 KB)
 * keep each batch string below V8's large-object size (128 KiB); measured, 512-line batches cost
 * about 8% of the passthrough throughput against these.
 */
const MAX_PENDING_LINES = 64;

/** A nullable string field: `key` then the JSON string or null. */
function pushNullable(parts: LinePart[], key: string, value: string | null | undefined): void {
  if (value === null || value === undefined) parts.push(key, 'null');
  else parts.push(key, '"', escaped(value), '"');
}

/** A piece of a pending line: text, or an integer that join() renders. */
type LinePart = string | number;

const NO_ROUTE_FIELDS = '","route":null,"service":null';

export class AccessLog {
  private readonly sink: LineSink | null;
  private readonly prefix: string;
  /**
   * The pieces of every pending line, joined into one string per batch: one copy of each piece, where
   * building each line as a string first made a tree of ~40 concatenations per line to walk again.
   */
  private parts: LinePart[] = [];
  private pendingLines = 0;
  private scheduled = false;
  private timer: NodeJS.Timeout | undefined;
  private readonly flushSoon = () => this.flush();
  /** The timestamp: its second made by toISOString once per second, its milliseconds once per millisecond. */
  private isoSecond = -1;
  private isoPrefix = '';
  private isoMs = 0;
  private iso = '';
  private readonly routeFieldCache = new WeakMap<CompiledRoute, string>();

  /** `logger` null (GATEHOUSE_ACCESS_LOG off) or above level info writes nothing. */
  constructor(logger: Logger | null) {
    this.sink = logger?.isLevelEnabled('info') ? ((logger as unknown as Record<symbol, LineSink>)[pino.symbols.streamSym] ?? null) : null;
    this.prefix = `{"level":"info","pid":${process.pid},"msg":"access","time":"`;
  }

  write(exchange: Exchange, summary: RequestSummary): void {
    if (this.sink === null) return;
    const ctx = exchange.ctx;
    const compiled = exchange.compiled;
    const latency = summary.latency;
    const now = Date.now();
    if (now !== this.isoMs) this.stamp(now);
    const parts = this.parts;
    // Methods are HTTP tokens, trace ids hex digits and client addresses IPs: none holds a character JSON escapes.
    parts.push(
      this.prefix,
      this.iso,
      '","request_id":"',
      escaped(exchange.requestId),
      '","trace_id":"',
      exchange.trace.traceId,
      '","method":"',
      exchange.req.method!,
      '","host":"',
      escaped(exchange.host),
      '","path":"',
      escaped(exchange.path),
      compiled ? this.routeFields(compiled) : NO_ROUTE_FIELDS,
    );
    pushNullable(parts, ',"consumer":', consumerName(ctx?.consumer));
    pushNullable(parts, ',"upstream":', summary.upstream);
    parts.push(
      ',"status":',
      summary.status,
      ',"latency_ms":{"request":',
      latency.request,
      ',"upstream":',
      latency.upstream ?? 'null',
      ',"proxy":',
      latency.proxy,
      '},"bytes_in":',
      summary.bytesIn,
      ',"bytes_out":',
      summary.bytesOut,
      ',"client_ip":"',
      exchange.clientIp,
      '"',
    );
    if (summary.error !== null) parts.push(',"error":"', escaped(summary.error), '"');
    if (summary.cause !== null) parts.push(',"cause":"', escaped(summary.cause), '"');
    if (ctx?.logFields) {
      const extra = JSON.stringify(ctx.logFields);
      if (extra.length > 2) parts.push(',', extra.slice(1, -1));
    }
    parts.push('}\n');
    if (++this.pendingLines >= MAX_PENDING_LINES) this.flush();
    else if (!this.scheduled) {
      this.scheduled = true;
      this.timer = setTimeout(this.flushSoon, FLUSH_INTERVAL_MS);
      this.timer.unref();
    }
  }

  private stamp(now: number): void {
    this.isoMs = now;
    const second = Math.floor(now / 1000);
    if (second !== this.isoSecond) {
      this.isoSecond = second;
      // "2026-11-29T18:58:20." of "2026-11-29T18:58:20.123Z".
      this.isoPrefix = new Date(second * 1000).toISOString().slice(0, 20);
    }
    this.iso = `${this.isoPrefix}${String(now - second * 1000).padStart(3, '0')}Z`;
  }

  /** The route and service fields (closing the path's string before them), serialised once per compiled route. */
  private routeFields(compiled: CompiledRoute): string {
    let fields = this.routeFieldCache.get(compiled);
    if (fields === undefined) {
      const parts: LinePart[] = [];
      pushNullable(parts, '","route":', compiled.routeLabel);
      pushNullable(parts, ',"service":', compiled.serviceLabel || null);
      fields = parts.join('');
      this.routeFieldCache.set(compiled, fields);
    }
    return fields;
  }

  /** Hands every pending line to the destination (also called at shutdown). */
  flush(): void {
    if (this.scheduled) clearTimeout(this.timer);
    this.scheduled = false;
    if (this.pendingLines === 0 || this.sink === null) return;
    const batch = this.parts.join('');
    this.parts = [];
    this.pendingLines = 0;
    this.sink.write(batch);
  }
}
