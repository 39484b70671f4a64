/**
 * OTLP/HTTP JSON encoding of the gateway's spans (trace and span ids as hex, times as nanosecond
 * strings, as the OTLP JSON mapping prescribes).
 */

export const SPAN_KIND_SERVER = 2;
export const SPAN_KIND_CLIENT = 3;
const STATUS_UNSET = 0;
const STATUS_ERROR = 2;

export type AttributeValue = string | number | boolean;

export interface Span {
  traceId: string;
  spanId: string;
  parentSpanId: string | null;
  name: string;
  kind: number;
  /** Epoch milliseconds, fractional. */
  start: number;
  end: number;
  attributes: Record<string, AttributeValue | null | undefined>;
  error: boolean;
}

function value(v: AttributeValue) {
  if (typeof v === 'string') return { stringValue: v };
  if (typeof v === 'boolean') return { boolValue: v };
  return Number.isInteger(v) ? { intValue: String(v) } : { doubleValue: v };
}

export function attributes(record: Record<string, AttributeValue | null | undefined>) {
  const out: Array<{ key: string; value: ReturnType<typeof value> }> = [];
  for (const key in record) {
    const v = record[key];
    if (v !== null && v !== undefined) out.push({ key, value: value(v) });
  }
  return out;
}

/** Milliseconds (fractional) to integer nanoseconds as a decimal string, without float overflow. */
function nanos(ms: number): string {
  return (BigInt(Math.round(ms * 1000)) * 1000n).toString();
}

function encodeSpan(span: Span) {
  return {
    traceId: span.traceId,
    spanId: span.spanId,
    ...(span.parentSpanId ? { parentSpanId: span.parentSpanId } : {}),
    name: span.name,
    kind: span.kind,
    startTimeUnixNano: nanos(span.start),
    endTimeUnixNano: nanos(span.end),
    attributes: attributes(span.attributes),
    status: { code: span.error ? STATUS_ERROR : STATUS_UNSET },
  };
}

export function exportRequest(resource: ReturnType<typeof attributes>, scope: { name: string; version: string }, spans: Span[]): string {
  return JSON.stringify({ resourceSpans: [{ resource: { attributes: resource }, scopeSpans: [{ scope, spans: spans.map(encodeSpan) }] }] });
}
