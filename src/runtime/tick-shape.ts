/**
 * Keeps one `process.nextTick` record alive for the life of the process, so V8 never drops the
 * hidden class Node gives those records.
 *
 * Node builds each record as an object literal with computed symbol keys; V8 keeps that literal's
 * class only weakly. A full GC at a moment when no record is queued (typically right after a large
 * config load, before traffic) frees the class; the next record gets a new one, the literal's
 * feedback turns megamorphic, and from then on every nextTick (several per request) goes through
 * the V8 runtime. Measured with `perf record` under load: with 10,000 routes, 4–5% of CPU in
 * Runtime_DefineKeyedOwnPropertyInLiteral and JSObject::MigrateToMap, and 0.88× the requests/s per
 * CPU of a 1-route gateway; with one retained record, none, and the gap closes.
 */
import { executionAsyncResource } from 'node:async_hooks';

let retained: object | undefined;
let requested = false;

/** Retains the next nextTick record, once per process; called as a gateway starts, before its config loads. */
export function retainTickShape(): void {
  if (requested) return;
  requested = true;
  process.nextTick(() => {
    retained = executionAsyncResource();
  });
}

/** The record being retained, once the first tick has run (for tests). */
export function retainedTickRecord(): object | undefined {
  return retained;
}
