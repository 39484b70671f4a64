/**
 * W3C trace context: an incoming `traceparent` is continued with the gateway as the new parent span;
 * without one (or with a malformed one) a new trace starts, so traces never stop at the gateway.
 */
import { randomBytes } from 'node:crypto';

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;
const ZERO_TRACE_ID = '0'.repeat(32);
const ZERO_SPAN_ID = '0'.repeat(16);
/**
 * Random bytes are drawn in blocks and hex-encoded once per block: one syscall and one encoding serve
 * many requests, and each id is a slice of the block's hex text.
 */
const POOL_BYTES = 8 * 1024;
let poolHex = randomBytes(POOL_BYTES).toString('hex');
let poolOffset = 0;

function randomHex(bytes: number): string {
  const chars = bytes * 2;
  if (poolOffset + chars > poolHex.length) {
    poolHex = randomBytes(POOL_BYTES).toString('hex');
    poolOffset = 0;
  }
  const hex = poolHex.slice(poolOffset, poolOffset + chars);
  poolOffset += chars;
  return hex;
}

/** A fresh random span id (16 hex digits), e.g. for a child span a plugin reports. */
export function newSpanId(): string {
  return randomHex(8);
}

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
  const spanId = randomHex(8);
  const match = typeof incoming === 'string' ? TRACEPARENT.exec(incoming) : null;
  if (match && match[1] !== 'ff' && match[2] !== ZERO_TRACE_ID && match[3] !== ZERO_SPAN_ID && (match[1] !== '00' || !match[5])) {
    const traceId = match[2]!;
    const flags = match[4]!;
    return { traceId, parentSpanId: match[3]!, spanId, flags, traceparent: `00-${traceId}-${spanId}-${flags}` };
  }
  const traceId = randomHex(16);
  return { traceId, parentSpanId: null, spanId, flags: '01', traceparent: `00-${traceId}-${spanId}-01` };
}
