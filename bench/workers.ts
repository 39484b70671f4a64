/**
 * GATEHOUSE_WORKERS=2 against 1 on this machine: the passthrough route, each gateway free to run on
 * every CPU (the point of workers), the load generator (wrk, one thread) and the upstream pinned to
 * CPU 0 as in the rest of the bench. With two CPUs the second worker shares CPU 0 with them, so the
 * ratio is what a second worker adds on a machine whose other CPU is busy too, not a clean 2×. The
 * two gateways run side by side and are loaded in turn, in alternating rounds: this machine's speed
 * drifts by tens of percent from one second to the next, and a ratio of neighbouring rounds cancels
 * most of that; the figure is the median of the rounds' ratios.
 */
import { median } from '../support/quantile.js';
import { LOAD_CPU } from './processes.js';
import { runLoad } from './load.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const ROUND_SECONDS = 2;
const CONNECTIONS = 50;

export interface WorkersTarget {
  url: string;
  stop(): Promise<void>;
}

export interface WorkersComparison {
  lines: string[];
  summary: string;
}

/** Loads `one` and `two` in turn for ROUNDS rounds (after a warm-up of each); prints each round. */
export async function compareWorkers(start: (workers: number) => Promise<WorkersTarget>): Promise<WorkersComparison> {
  const one = await start(1);
  const two = await start(2).catch(async (error: unknown) => {
    await one.stop();
    throw error;
  });
  const load = (target: WorkersTarget, seconds: number) => runLoad({ url: target.url, seconds, connections: CONNECTIONS, cpu: LOAD_CPU });
  try {
    // Each worker reaches its steady speed only once its hot code is optimised.
    for (const target of [one, two]) await load(target, 3);
    const lines: string[] = [];
    const ratios: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const single = await load(one, ROUND_SECONDS);
      const double = await load(two, ROUND_SECONDS);
      ratios.push(double.requestsPerSecond / single.requestsPerSecond);
      lines.push(`workers round ${round + 1}: 2 workers ${double.requestsPerSecond.toFixed(0)} req/s, 1 worker ${single.requestsPerSecond.toFixed(0)} req/s`);
    }
    const range = `${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)}`;
    return {
      lines,
      summary: `GATEHOUSE_WORKERS=2 / 1 (passthrough; gatehouse on both CPUs, wrk with 1 thread and the upstream pinned to CPU ${LOAD_CPU}): requests/s ${median(ratios).toFixed(2)} (range ${range}), median of ${ROUNDS} alternating rounds`,
    };
  } finally {
    await Promise.all([one.stop(), two.stop()]);
  }
}
