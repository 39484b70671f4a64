/**
 * W3C trace context: an incoming `traceparent` is continued with the gateway as the new parent span;
 * without one (or with a malformed one) a new trace starts, so traces never stop at the gateway.
 */
import { newSpanId, newTraceparent } from './random-ids.js';

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;
const ZERO_TRACE_ID = '0'.repeat(32);
const ZERO_SPAN_ID = '0'.repeat(16);

export interface TraceContext {
  traceId: string;
  /** The incoming parent span id, or null when the trace starts here. */
  parentSpanId: string | null;
  /** The gateway's own span id: the parent-id the upstream sees. */
  spanId: string;
  flags: string;
  /** The traceparent header to send upstream. */
  traceparent: string;
}

export function continueTrace(incoming: string | string[] | undefined): TraceContext {
  const match = typeof incoming === 'string' ? TRACEPARENT.exec(incoming) : null;
  if (match && match[1] !== 'ff' && match[2] !== ZERO_TRACE_ID && match[3] !== ZERO_SPAN_ID && (match[1] !== '00' || !match[5])) {
    const traceId = match[2]!;
    const flags = match[4]!;
    const spanId = newSpanId();
    return { traceId, parentSpanId: match[3]!, spanId, flags, traceparent: `00-${traceId}-${spanId}-${flags}` };
  }
  const traceparent = newTraceparent();
  return { traceId: traceparent.slice(3, 35), parentSpanId: null, spanId: traceparent.slice(36, 52), flags: '01', traceparent };
}
