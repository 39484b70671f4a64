/**
 * The access log: one JSON line per request with the contract's fields, in the same shape as the
 * logger's own lines. Each line is one template string, ASCII only (anything else is written as a
 * JSON \u escape), copied byte for byte into a reusable buffer that goes to the logger's destination
 * in batches (every FLUSH_INTERVAL_MS, or sooner once FLUSH_BYTES wait). A generic logger call and a
 * destination write per request cost a quarter of the proxy's throughput; lines built from ~40
 * pieces joined per batch, then UTF-8 measured and encoded twice by sonic-boom, cost twice what this
 * does. Credentials never appear: only ids and names are logged.
 */
import type { Destination, RequestSummary } from '../pipeline/contract.js';
import type { Exchange } from '../proxy/exchange.js';
import type { CompiledRoute } from '../runtime/compiled-config.js';
import { consumerName } from './log-entry.js';

/** Where the lines go: the logger's own destination, handed over by whoever made the logger. */
export interface LineSink {
  write(line: string): unknown;
  /** Bytes written as they are (the FdWriter has it); other destinations get the text. */
  writeBytes?(bytes: Uint8Array): void;
}

const NON_ASCII = /[\u007f-\uffff]/g;

/** JSON text with each character outside printable ASCII as its \uXXXX escape: the same JSON value. */
function asciiOnly(json: string): string {
  return json.replace(NON_ASCII, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * `value` as the inside of a JSON string, in ASCII. Fields are nearly always plain (ids, hosts,
 * paths): those are used as they are; anything else (a quote, a backslash, a control or non-ASCII
 * character) goes through JSON.stringify and asciiOnly.
 */
function escaped(value: string): string {
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code < 0x20 || code === 0x22 || code === 0x5c || code > 0x7e) return asciiOnly(JSON.stringify(value).slice(1, -1));
  }
  return value;
}

/** A nullable string field's JSON value. */
function nullable(value: string | null | undefined): string {
  return value === null || value === undefined ? 'null' : `"${escaped(value)}"`;
}

/** Lines reach the destination at most this late. */
const FLUSH_INTERVAL_MS = 50;
/** A burst is written once this much waits (≈ 100 lines) rather than waiting for the timer. */
const FLUSH_BYTES = 32 * 1024;
/** Room for a batch and the line that crosses FLUSH_BYTES; a longer line grows the buffer. */
const BUFFER_BYTES = 64 * 1024;

/** How often the wall-clock offset is re-read. */
const WALL_CLOCK_SYNC_MS = 1000;

const NO_ROUTE_FIELDS = ',"route":null,"service":null';

export class AccessLog {
  /** Hands a batch to the logger's destination; null when the access log is off. */
  private readonly emit: ((batch: Buffer) => void) | null;
  private readonly prefix: string;
  private pending = Buffer.allocUnsafe(BUFFER_BYTES);
  private pendingBytes = 0;
  private scheduled = false;
  private timer: NodeJS.Timeout | undefined;
  private readonly flushSoon = () => this.flush();
  /**
   * Wall-clock time is the monotonic clock reading the proxy takes anyway plus an offset re-read from
   * Date.now() once a second: a clock read less per request, and a clock step shows within a second.
   */
  private wallOffset = 0;
  private wallSyncedAt = -Infinity;
  /** The timestamp: its second made by toISOString once per second, its milliseconds once per millisecond. */
  private isoSecond = -1;
  private isoPrefix = '';
  private isoMs = 0;
  private iso = '';
  private readonly routeFieldCache = new WeakMap<CompiledRoute, string>();
  /** The same for requests a plugin sent elsewhere (a canary), per destination: the service is its label. */
  private readonly destinationFieldCache = new WeakMap<Destination, WeakMap<CompiledRoute, string>>();

  /** `sink` null writes nothing (GATEHOUSE_ACCESS_LOG off, or a log level above info). */
  constructor(sink: LineSink | null) {
    this.emit = sink === null ? null : sink.writeBytes ? (batch) => sink.writeBytes!(batch) : (batch) => void sink.write(batch.toString('latin1'));
    this.prefix = `{"level":"info","pid":${process.pid},"msg":"access","time":"`;
  }

  /** `monotonicNow`: the performance.now() reading the exchange ended at. */
  write(exchange: Exchange, summary: RequestSummary, monotonicNow: number): void {
    if (this.emit === null) return;
    const ctx = exchange.request;
    const matched = ctx.matched;
    const latency = summary.latency;
    const now = this.wallClockAt(monotonicNow);
    if (now !== this.isoMs) this.stamp(now);
    // Methods are HTTP tokens, trace ids hex digits and client addresses IPs: none holds a character JSON escapes.
    let line =
      `${this.prefix}${this.iso}","request_id":"${escaped(ctx.id)}","trace_id":"${ctx.trace.traceId}"` +
      `,"method":"${ctx.method}","host":"${escaped(ctx.host)}","path":"${escaped(ctx.path)}"` +
      `${matched === null ? NO_ROUTE_FIELDS : this.routeFields(matched, ctx.destination)}` +
      `,"consumer":${nullable(consumerName(ctx.consumer))}` +
      `,"upstream":${nullable(summary.upstream)},"status":${summary.status}` +
      `,"latency_ms":{"request":${latency.request},"upstream":${latency.upstream},"proxy":${latency.proxy}}` +
      `,"bytes_in":${summary.bytesIn},"bytes_out":${summary.bytesOut},"client_ip":"${ctx.clientIp}"`;
    if (summary.error !== null) line += `,"error":"${escaped(summary.error)}"`;
    if (summary.cause !== null) line += `,"cause":"${escaped(summary.cause)}"`;
    if (summary.grpcStatus !== null) line += `,"grpc_status":${summary.grpcStatus}`;
    if (ctx.logFields !== null) {
      const extra = JSON.stringify(ctx.logFields);
      if (extra.length > 2) line += `,${asciiOnly(extra.slice(1, -1))}`;
    }
    this.append(`${line}}\n`);
    if (this.pendingBytes >= FLUSH_BYTES) this.flush();
    else if (!this.scheduled) {
      this.scheduled = true;
      this.timer = setTimeout(this.flushSoon, FLUSH_INTERVAL_MS);
      this.timer.unref();
    }
  }

  /** Epoch ms (whole) of a performance.now() reading. */
  private wallClockAt(monotonic: number): number {
    if (monotonic - this.wallSyncedAt >= WALL_CLOCK_SYNC_MS) {
      this.wallSyncedAt = monotonic;
      this.wallOffset = Date.now() - monotonic;
    }
    return Math.floor(this.wallOffset + monotonic);
  }

  /** Copies an ASCII line into the pending batch (each character one byte). */
  private append(line: string): void {
    if (this.pendingBytes + line.length > this.pending.length) {
      this.flush();
      if (line.length > this.pending.length) this.pending = Buffer.allocUnsafe(line.length);
    }
    this.pendingBytes += this.pending.write(line, this.pendingBytes, 'latin1');
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

  /** The route and service fields, serialised once per compiled route (and destination) rather than once per line. */
  private routeFields(compiled: CompiledRoute, destination: Destination | null): string {
    let cache = this.routeFieldCache;
    if (destination !== null) {
      let forDestination = this.destinationFieldCache.get(destination);
      if (!forDestination) this.destinationFieldCache.set(destination, (forDestination = new WeakMap()));
      cache = forDestination;
    }
    let fields = cache.get(compiled);
    if (fields === undefined) {
      const service = destination === null ? compiled.serviceLabel || null : destination.label;
      fields = `,"route":${nullable(compiled.routeLabel)},"service":${nullable(service)}`;
      cache.set(compiled, fields);
    }
    return fields;
  }

  /** Hands every pending line to the destination (also called at shutdown). */
  flush(): void {
    if (this.scheduled) clearTimeout(this.timer);
    this.scheduled = false;
    if (this.pendingBytes === 0 || this.emit === null) return;
    this.emit(this.pending.subarray(0, this.pendingBytes));
    this.pendingBytes = 0;
  }
}
