/**
 * How long a retry waits: "full jitter" exponential backoff (a random wait up to a bound that doubles
 * per attempt), so the retries of many requests that failed together do not reach the next target in
 * one burst, while a single retry still comes within milliseconds.
 */

/** The bound of the first retry's wait; the bound doubles with each attempt. */
export const RETRY_BASE_MS = 10;
/** No retry waits longer than this. */
export const RETRY_CAP_MS = 250;

/** The wait before retry number `attempt` (1 for the first retry). */
export function retryDelayMs(attempt: number, random: () => number = Math.random): number {
  return random() * Math.min(RETRY_CAP_MS, RETRY_BASE_MS * 2 ** (attempt - 1));
}
