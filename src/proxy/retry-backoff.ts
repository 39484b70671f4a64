/**
 * How long a retry waits: "full jitter" exponential backoff (a random wait up to a bound that doubles
 * per attempt), so the retries of many requests that failed together do not reach the next target in
 * one burst, while a single retry still comes within milliseconds. Both upstream calls (HTTP/1.1 and
 * HTTP/2) schedule their next attempt here.
 */

/** The bound of the first retry's wait; the bound doubles with each attempt. */
export const RETRY_BASE_MS = 10;
/** No retry waits longer than this. */
export const RETRY_CAP_MS = 250;

/** The wait before retry number `attempt` (1 for the first retry). */
export function retryDelayMs(attempt: number, random: () => number = Math.random): number {
  return random() * Math.min(RETRY_CAP_MS, RETRY_BASE_MS * 2 ** (attempt - 1));
}

/** A call that can start its next attempt. */
export interface RetryingCall {
  retryAttempt(): void;
}

/** A timer callback shared by every call (no closure per retry). */
function startAgain(call: RetryingCall): void {
  call.retryAttempt();
}

/** Starts `call`'s next attempt after the backoff of retry number `attempt`. */
export function scheduleRetry(call: RetryingCall, attempt: number): void {
  setTimeout(startAgain, retryDelayMs(attempt), call);
}
