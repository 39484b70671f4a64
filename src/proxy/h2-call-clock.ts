/**
 * One clock for every HTTP/2 upstream call in flight: a single timer ticking every TICK_MS ends a call
 * whose deadline (grpc-timeout) passed or whose upstream went quiet for longer than the service's
 * read_timeout. A timer per call — or Node's stream and session timeouts, which re-arm a timer on
 * every frame — was the largest cost the gateway added to a gRPC unary call; here a call only notes
 * the clock's coarse time when something happens, and the tick looks at the calls in flight.
 */

/** Resolution of deadlines and read timeouts (grpc-timeout values are rarely under a second). */
const TICK_MS = 50;

export interface TimedCall {
  /** Called on each tick with the coarse time (performance.now() of the tick). */
  checkTime(now: number): void;
}

const inFlight = new Set<TimedCall>();
let ticker: NodeJS.Timeout | null = null;
let coarse = performance.now();

function tick(): void {
  coarse = performance.now();
  for (const call of inFlight) call.checkTime(coarse);
  if (inFlight.size === 0 && ticker !== null) {
    clearInterval(ticker);
    ticker = null;
  }
}

/** The time of the last tick (or of the first call after the clock stopped): cheap, TICK_MS coarse. */
export function coarseNow(): number {
  return ticker === null ? (coarse = performance.now()) : coarse;
}

export function watchCall(call: TimedCall): void {
  inFlight.add(call);
  if (ticker === null) {
    coarse = performance.now();
    ticker = setInterval(tick, TICK_MS);
    ticker.unref();
  }
}

export function unwatchCall(call: TimedCall): void {
  inFlight.delete(call);
}
