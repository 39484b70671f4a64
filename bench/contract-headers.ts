/**
 * The headers the product contract adds to every proxied request and answer, beyond what a bare proxy
 * does: upstream, X-Forwarded-For, -Proto, -Host, -Port, -Path, X-Real-IP, the request ID and a
 * traceparent; to the client, the request ID and the two latency headers. The minimal HTTP/2 and gRPC
 * proxies add them when started with `contract-headers`, so `npm run bench` shows what this part of
 * the contract costs by itself over node:http2 (bench/http2.ts).
 */
import type { OutgoingHttpHeaders } from 'node:http2';

/** Whether this minimal proxy was started to add the contract's headers. */
export const addsContractHeaders = process.argv.includes('contract-headers');

/** Counts requests: IDs unique per request (as the gateway's, so HPACK cannot reuse them) without the cost of making random ones. */
let sequence = 0;

/** The upstream request's contract headers, for a request to `path`; returns its request ID. */
export function addUpstreamHeaders(headers: OutgoingHttpHeaders, path: string): string {
  const unique = (++sequence).toString(16);
  const requestId = `00000000-0000-4000-8000-${unique.padStart(12, '0')}`;
  headers['x-forwarded-for'] = '127.0.0.1';
  headers['x-forwarded-proto'] = 'http';
  headers['x-forwarded-host'] = '127.0.0.1';
  headers['x-forwarded-port'] = '8000';
  headers['x-forwarded-path'] = path;
  headers['x-real-ip'] = '127.0.0.1';
  headers['x-request-id'] = requestId;
  headers.traceparent = `00-${unique.padStart(32, '0')}-${unique.padStart(16, '0')}-01`;
  return requestId;
}

/** The answer's contract headers. */
export function addResponseHeaders(headers: OutgoingHttpHeaders, requestId: string): void {
  headers['x-request-id'] = requestId;
  headers['x-gatehouse-upstream-latency'] = '1';
  headers['x-gatehouse-proxy-latency'] = '0';
}
