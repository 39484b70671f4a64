/**
 * The parts of a request head an intermediary must check before routing, as RFC 9112 and RFC 9110
 * require: the request target (origin-form; absolute-form, whose authority decides the host; `*`),
 * the Host header, and the framing (Transfer-Encoding) that Node's parser lets through. Anything
 * that would let the gateway and an upstream disagree on what was asked is refused, never forwarded.
 */
import type { IncomingMessage } from 'node:http';

/** What the request line and Host say, once both were found sound. */
export interface RequestHead {
  /** Raw path, percent-encoding kept, without the query. */
  path: string;
  /** Raw query without "?", or "". */
  query: string;
  /** host[:port] as the client addressed it (absolute-form authority, else Host); "" when none (HTTP/1.0). */
  authority: string;
  /** The host to route on: lower-case, without port; an IPv6 literal keeps its brackets. */
  host: string;
}

/** `OPTIONS *`: a question about the gateway itself, answered by it (RFC 9110 §9.3.7). */
export const ASTERISK = Symbol('OPTIONS *');

/** Why a head was refused, for the log line (the client gets the contract's 400). */
export class HeadRejected {
  constructor(
    readonly cause: string,
    /** The raw Host (or authority) value, logged as the request's host. */
    readonly rawHost: string,
  ) {}
}

/** The path part of a request target as it came, for the log line of a refused or `*` request. */
export function rawPathOf(url: string): string {
  const at = url.indexOf('?');
  return at === -1 ? url : url.slice(0, at);
}

const ABSOLUTE_FORM = /^https?:\/\//i;

/**
 * The host of a `host[:port]` value, lower-case without the port, or null when the value is not one
 * (RFC 9110 §7.2 and RFC 3986 §3.2.2): an empty host, userinfo, a path or query, a list of hosts,
 * spaces, control or non-ASCII characters, a port that is not 0–65535 in at most five digits. A
 * reg-name is letters, digits and `-._~`; an IP literal is `[` hex digits, colons and dots `]`.
 */
export function hostOf(authority: string): string | null {
  const length = authority.length;
  let at = 0;
  let upper = false;
  if (authority.charCodeAt(0) === 91 /* "[" */) {
    const close = authority.indexOf(']');
    if (close < 2) return null;
    for (at = 1; at < close; at++) {
      const c = authority.charCodeAt(at);
      if ((c >= 48 && c <= 58) /* 0-9 : */ || (c >= 97 && c <= 102) || c === 46) continue;
      if (c >= 65 && c <= 70) upper = true;
      else return null;
    }
    at = close + 1;
  } else {
    for (; at < length; at++) {
      const c = authority.charCodeAt(at);
      if ((c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 45 || c === 46 || c === 95 || c === 126) continue;
      if (c >= 65 && c <= 90) upper = true;
      else if (c === 58 /* ":" */) break;
      else return null;
    }
    if (at === 0) return null;
  }
  const hostEnd = at;
  if (at < length) {
    // RFC 3986 allows an empty port ("a.test:"); anything else after the host must be ":" digits.
    if (authority.charCodeAt(at) !== 58 || length - at - 1 > 5) return null;
    let port = 0;
    for (at++; at < length; at++) {
      const c = authority.charCodeAt(at);
      if (c < 48 || c > 57) return null;
      port = port * 10 + c - 48;
    }
    if (port > 65535) return null;
  }
  const host = hostEnd === length ? authority : authority.slice(0, hostEnd);
  return upper ? host.toLowerCase() : host;
}

/**
 * Transfer-Encoding as a request may carry it through this gateway: only `chunked`, on HTTP/1.1.
 * An empty value, a list whose last coding is not chunked (RFC 9112 §6.3: the length cannot be
 * known), and HTTP/1.0 with any Transfer-Encoding (§6.1: faulty framing) are refused. Other codings
 * before chunked (`gzip, chunked`) are refused too: the gateway removes Transfer-Encoding as a
 * hop-by-hop header and does not decode the body, so the upstream would receive coded bytes it was
 * not told about (nginx answers those 501).
 */
function framingFault(req: IncomingMessage, transferEncoding: string): string | null {
  if (req.httpVersionMinor === 0 && req.httpVersionMajor === 1) return 'Transfer-Encoding on an HTTP/1.0 request';
  if (transferEncoding === 'chunked') return null;
  const codings = transferEncoding.split(',').map((coding) => coding.trim().toLowerCase());
  if (codings.at(-1) !== 'chunked' || codings.includes('')) return `Transfer-Encoding "${transferEncoding}" does not end in chunked`;
  if (codings.length > 1) return `unsupported transfer coding in "${transferEncoding}"`;
  return null;
}

/**
 * Reads and checks the request line's target and the Host; `ASTERISK` for `OPTIONS *`. Node's parser
 * joins repeated header lines (the listener runs with joinDuplicateHeaders), so two Host lines
 * arrive as a list and fail the host check like any comma-separated value.
 */
export function readRequestHead(req: IncomingMessage): RequestHead | typeof ASTERISK | HeadRejected {
  const headers = req.headers;
  const hostHeader = headers.host;
  const transferEncoding = headers['transfer-encoding'];
  if (transferEncoding !== undefined) {
    const fault = framingFault(req, transferEncoding);
    if (fault !== null) return new HeadRejected(fault, hostHeader ?? '');
  }
  const url = req.url ?? '';
  // HTTP/2 names the host in :authority, which wins over a Host header (RFC 9113 §8.3.1).
  let authority = req.httpVersionMajor === 2 ? (headers[':authority'] as string | undefined) ?? hostHeader : hostHeader;
  let path: string;
  let query = '';
  if (url.charCodeAt(0) === 47 /* "/" */) {
    const at = url.indexOf('?');
    if (at === -1) path = url;
    else {
      path = url.slice(0, at);
      query = url.slice(at + 1);
    }
  } else if (url === '*') {
    return req.method === 'OPTIONS' ? ASTERISK : new HeadRejected(`"*" request target with method ${req.method}`, hostHeader ?? '');
  } else if (ABSOLUTE_FORM.test(url)) {
    // RFC 9112 §3.2.2: the target's authority decides the host; a Host header is ignored.
    const start = url.indexOf('//') + 2;
    let end = start;
    while (end < url.length && url.charCodeAt(end) !== 47 && url.charCodeAt(end) !== 63) end++;
    authority = url.slice(start, end);
    const rest = url.slice(end);
    const at = rest.indexOf('?');
    path = at === -1 ? rest : rest.slice(0, at);
    if (at !== -1) query = rest.slice(at + 1);
    if (path === '') path = '/';
  } else {
    return new HeadRejected('request target is neither origin-form nor absolute-form', hostHeader ?? '');
  }
  if (authority === undefined || authority === '') {
    // RFC 9112 §3.2: an HTTP/1.1 (or HTTP/2) request without a host is answered 400; HTTP/1.0 may omit it.
    if (req.httpVersionMinor !== 0 || req.httpVersionMajor === 2) return new HeadRejected('HTTP/1.1 request without a host', '');
    return { path, query, authority: '', host: '' };
  }
  const host = hostOf(authority);
  if (host === null) return new HeadRejected(`invalid host "${authority}"`, authority);
  return { path, query, authority, host };
}
