/**
 * What the proxy needs to know about gRPC over HTTP/2 (grpc/grpc doc/PROTOCOL-HTTP2.md): which
 * requests are gRPC calls, the `grpc-timeout` header as a deadline in milliseconds, and
 * `grpc-message` percent-encoding for the statuses the gateway answers with itself.
 */
import type { IncomingHttpHeaders } from 'node:http';

export const GRPC_CONTENT_TYPE = 'application/grpc';

/** A gRPC call: `content-type: application/grpc` or `application/grpc+proto` (…+json, etc.). */
export function isGrpcRequest(headers: IncomingHttpHeaders): boolean {
  const type = headers['content-type'];
  return type !== undefined && type.startsWith(GRPC_CONTENT_TYPE) && (type.length === GRPC_CONTENT_TYPE.length || type.charCodeAt(GRPC_CONTENT_TYPE.length) === 43 /* + */ || type.charCodeAt(GRPC_CONTENT_TYPE.length) === 59 /* ; */);
}

const TIMEOUT_UNIT_MS: Readonly<Record<string, number>> = { H: 3_600_000, M: 60_000, S: 1000, m: 1, u: 0.001, n: 0.000001 };

/** `grpc-timeout` (at most 8 digits and a unit, H M S m u n) in ms; null when absent or malformed. */
export function grpcTimeoutMs(value: string | string[] | undefined): number | null {
  if (typeof value !== 'string' || value.length < 2 || value.length > 9) return null;
  const unit = TIMEOUT_UNIT_MS[value[value.length - 1]!];
  const digits = value.slice(0, -1);
  if (unit === undefined || !/^\d+$/.test(digits)) return null;
  return Number(digits) * unit;
}

/** A deadline in ms as a `grpc-timeout` value (whole milliseconds, at least 1). */
export function grpcTimeoutHeader(ms: number): string {
  return `${Math.max(1, Math.ceil(ms))}m`;
}

/** grpc-message: printable ASCII but `%` as is, everything else as UTF-8 percent-encoded bytes. */
export function grpcMessage(text: string): string {
  let plain = true;
  for (let i = 0; i < text.length && plain; i++) {
    const c = text.charCodeAt(i);
    plain = c >= 0x20 && c <= 0x7e && c !== 0x25;
  }
  if (plain) return text;
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) out += byte >= 0x20 && byte <= 0x7e && byte !== 0x25 ? String.fromCharCode(byte) : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  return out;
}
