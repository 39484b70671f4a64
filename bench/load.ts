/**
 * One load run: wrk when it is on PATH (cheaper per request), otherwise autocannon in-process. Runs
 * are asynchronous, so two targets can be loaded at the same time.
 */
import { spawn, spawnSync } from 'node:child_process';
import autocannon from 'autocannon';

export interface LoadResult {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
}

export interface LoadOptions {
  url: string;
  seconds: number;
  connections: number;
  headers?: Record<string, string>;
  /** CPU for the load generator (wrk only). */
  cpu: number;
}

const hasWrk = spawnSync('wrk', ['--version']).error === undefined;
const hasTaskset = spawnSync('taskset', ['--version']).status === 0;

export const loadTool = hasWrk ? 'wrk' : 'autocannon';

function ms(value: string, unit: string): number {
  const n = Number(value);
  return unit === 'us' ? n / 1000 : unit === 's' ? n * 1000 : n;
}

function wrkOutput(file: string, argv: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, argv, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    child.once('error', reject);
    child.once('close', () => resolve(out));
  });
}

async function runWrk(options: LoadOptions): Promise<LoadResult> {
  const headerArgs = Object.entries(options.headers ?? {}).flatMap(([k, v]) => ['-H', `${k}: ${v}`]);
  const args = ['-t1', `-c${options.connections}`, `-d${options.seconds}s`, '--latency', ...headerArgs, options.url];
  const [file, argv] = hasTaskset ? ['taskset', ['-c', String(options.cpu), 'wrk', ...args]] : ['wrk', args];
  const out = await wrkOutput(file, argv);
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(out);
  const p50 = /50%\s+([\d.]+)(us|ms|s)/.exec(out);
  const p99 = /99%\s+([\d.]+)(us|ms|s)/.exec(out);
  const non2xx = /Non-2xx or 3xx responses:\s+(\d+)/.exec(out);
  const socketErrors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  if (!rps || !p50 || !p99) throw new Error(`could not read wrk output:\n${out}`);
  const errors = Number(non2xx?.[1] ?? 0) + (socketErrors ? socketErrors.slice(1).reduce((a, b) => a + Number(b), 0) : 0);
  return { requestsPerSecond: Number(rps[1]), p50Ms: ms(p50[1]!, p50[2]!), p99Ms: ms(p99[1]!, p99[2]!), errors };
}

async function runAutocannon(options: LoadOptions): Promise<LoadResult> {
  const result = await autocannon({ url: options.url, connections: options.connections, duration: options.seconds, headers: options.headers });
  return {
    requestsPerSecond: result.requests.average,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    errors: result.errors + result.non2xx,
  };
}

export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  return hasWrk ? runWrk(options) : runAutocannon(options);
}
