/**
 * Maps a failure of the upstream call to the contract's status: refused/reset/DNS/TLS → 502
 * upstream_unavailable, unparsable response → 502 upstream_invalid_response, any timeout → 504, and
 * names the cause (code, which timeout, target) for the log line.
 */
import { Errors, GatewayError, type ErrorKind } from '../errors.js';

export const WRITE_TIMEOUT_CODE = 'GW_UPSTREAM_WRITE_TIMEOUT';

/** Which configured timeout an error code means, for the log cause. */
const TIMEOUT_CODES: Record<string, string> = {
  UND_ERR_CONNECT_TIMEOUT: 'connect_timeout',
  UND_ERR_HEADERS_TIMEOUT: 'read_timeout',
  UND_ERR_BODY_TIMEOUT: 'read_timeout',
  [WRITE_TIMEOUT_CODE]: 'write_timeout',
  ETIMEDOUT: 'connect_timeout',
};

const TLS_CODE = /^(ERR_TLS_|ERR_SSL_|CERT_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_)/;

/** What a TLS failure means, in the words an operator searches for. */
const TLS_REASONS: Record<string, string> = {
  CERT_HAS_EXPIRED: 'certificate expired',
  CERT_NOT_YET_VALID: 'certificate not yet valid',
  ERR_TLS_CERT_ALTNAME_INVALID: 'hostname mismatch',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'unknown CA',
  UNABLE_TO_GET_ISSUER_CERT: 'unknown CA',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'unknown CA',
  SELF_SIGNED_CERT_IN_CHAIN: 'unknown CA (self-signed certificate in the chain)',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'unknown CA (self-signed certificate)',
  CERT_CHAIN_TOO_LONG: 'certificate chain longer than tls_verify_depth',
  CERT_REVOKED: 'certificate revoked',
  ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED: 'the upstream requires a client certificate',
  ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE: 'the upstream refused the client certificate',
  ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE: 'the upstream refused the handshake (no common cipher, or a client certificate it requires)',
  ERR_SSL_TLSV1_ALERT_UNKNOWN_CA: 'the upstream does not trust the client certificate',
};

export interface UpstreamTimeouts {
  connect_timeout: number;
  read_timeout: number;
  write_timeout: number;
}

/** The code of an error or of the first error it wraps. */
export function errorCode(error: unknown): string {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current && typeof current === 'object'; depth++) {
    const { code, name } = current as { code?: unknown; name?: unknown };
    if (typeof code === 'string') return code;
    // undici's parser errors carry no code when the bytes were not HTTP at all.
    if (name === 'HTTPParserError') return 'HPE_INVALID_RESPONSE';
    current = (current as { cause?: unknown }).cause;
  }
  return 'UNKNOWN';
}

/** True for errors where the request never reached an upstream application (safe to retry). */
export function isConnectFailure(code: string): boolean {
  return code === 'ECONNREFUSED' || code === 'UND_ERR_CONNECT_TIMEOUT' || code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EHOSTUNREACH' || code === 'ENETUNREACH';
}

export function upstreamError(error: unknown, target: string, timeouts: UpstreamTimeouts): GatewayError {
  const code = errorCode(error);
  const timeoutName = TIMEOUT_CODES[code];
  let kind: ErrorKind;
  let cause: string;
  if (timeoutName) {
    kind = Errors.upstreamTimeout;
    cause = `${code} (${timeoutName} ${timeouts[timeoutName as keyof UpstreamTimeouts]}ms) ${target}`;
  } else if (code.startsWith('HPE_') || code === 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH' || code === 'UND_ERR_INFO') {
    kind = Errors.upstreamInvalidResponse;
    cause = `${code} invalid response from ${target}`;
  } else if (TLS_CODE.test(code)) {
    kind = Errors.upstreamUnavailable;
    cause = `${code} TLS error with ${target}: ${TLS_REASONS[code] ?? 'handshake failed'}`;
  } else {
    kind = Errors.upstreamUnavailable;
    cause = `${code} ${target}`;
  }
  return new GatewayError(kind, { cause, target });
}
