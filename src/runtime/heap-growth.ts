/**
 * How far V8 lets the old generation grow past its live size before the next full GC, set once when
 * a serving process starts (README, "Heap growth"). A gateway's old generation is small (about
 * 15 MiB: modules and the compiled config), and V8 sizes its limit from that live size; under steady
 * load the young generation grows to 2 × 16 MiB, and V8 starts a full mark-compact whenever the room
 * left below the limit is smaller than the young generation's capacity — which then held after every
 * scavenge: a WebSocket relay ran a mark-compact every 200–300 ms that freed almost nothing, and fell
 * from 0.97× to 0.70–0.75× of a minimal relay. With the limit at four times the live size that room
 * stays larger than the young generation. V8 reads this flag each time it sets the limit, so setting
 * it at run time takes effect (unlike the semi-space sizes, fixed when the isolate is made), whatever
 * command started node.
 */
import { setFlagsFromString } from 'node:v8';

/** The old generation's limit: live size × (1 + HEAP_GROWING_PERCENT / 100). */
const HEAP_GROWING_PERCENT = 300;

export function setHeapGrowth(): void {
  setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
}
