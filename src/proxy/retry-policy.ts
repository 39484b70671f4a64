/**
 * Which failed upstream calls are tried again on another target, for HTTP/1.1 and HTTP/2 upstreams
 * alike: those that never reached an upstream application (refused, connect timeout, DNS, an HTTP/2
 * stream the upstream refused unprocessed) or were reset before any response head, when the request is
 * idempotent, carries no body (a streamed body is not kept, so it cannot be replayed) and the
 * service's `retries` are not used up. A timeout is never retried: that would multiply the wait.
 */
import { isConnectFailure } from './upstream-error.js';

const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE', 'PUT', 'DELETE']);
/** Resets that may have come before the upstream read the request: retried only when no head arrived. */
const RETRYABLE_BEFORE_HEAD = new Set(['ECONNRESET', 'UND_ERR_SOCKET', 'EPIPE']);
/** What the HTTP/2 call names a stream the upstream refused (RST_STREAM REFUSED_STREAM, or above a GOAWAY's last stream): never processed (RFC 9113 §8.7). */
export const REFUSED_STREAM_CODE = 'REFUSED_STREAM';

export interface FailedAttempt {
  /** The failure's code (errorCode()). */
  code: string;
  /** Whether the upstream's response head had arrived. */
  headArrived: boolean;
  /** Whether the request streams a body upstream. */
  streamsBody: boolean;
  /** The method sent upstream. */
  method: string;
  /** Attempts made so far, this one included. */
  attempts: number;
  /** The service's `retries`. */
  retries: number;
}

export function mayRetry(failed: FailedAttempt): boolean {
  const { code } = failed;
  const unprocessed = isConnectFailure(code) || code === REFUSED_STREAM_CODE || (RETRYABLE_BEFORE_HEAD.has(code) && !failed.headArrived);
  return unprocessed && !failed.streamsBody && IDEMPOTENT.has(failed.method) && failed.attempts <= failed.retries;
}
