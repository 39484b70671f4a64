/**
 * HTTP/2 and gRPC in `npm run bench`: Gatehouse's HTTP/2 passthrough (h2c with prior knowledge, to the
 * HTTP/1.1 bench upstream) against a minimal node:http2 + undici proxy, and its gRPC unary calls (a
 * grpc:// service) against a minimal node:http2 stream-piping proxy, both loaded with h2load — several
 * streams on each connection — in paired rounds as the other ratios are (both targets at once on the
 * proxies' CPU, so the machine's drift hits both). Each minimal proxy is also compared with itself
 * adding the headers the product contract adds (bench/contract-headers.ts): what that part of the
 * contract costs by itself over node:http2, a bound on the ratio Gatehouse can reach. h2load comes from
 * nghttp2-client (.ci/run installs it).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { endProcess } from '../support/end-process.js';
import { median } from '../support/quantile.js';
import { firstLine, LOAD_CPU, PROXY_CPU, spawnPinned } from './processes.js';

export const H2_PASSTHROUGH = 'gatehouse HTTP/2 passthrough';
export const GRPC_UNARY = 'gatehouse gRPC unary';
const MINIMAL_H2_PROXY = 'minimal node:http2 + undici proxy';
const MINIMAL_GRPC_PROXY = 'minimal node:http2 stream-piping proxy';
const WITH_CONTRACT_HEADERS = ' + the contract\'s headers';

const CLIENTS = 16;
const STREAMS_PER_CLIENT = 8;
const WARMUP_SECONDS = 3;
const PAIRED_SECONDS = 2;
const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));

interface Running {
  url: string;
  stop(): Promise<void>;
}

export interface Http2BenchOptions {
  /** The HTTP/1.1 bench upstream's URL. */
  upstreamUrl: string;
  rounds: number;
  /** Starts Gatehouse on CPU PROXY_CPU with a config (placeholders already replaced) and extra env; its plain listener's URL. */
  startGatehouse(config: Record<string, unknown>, env: Record<string, string>): Promise<Running>;
  /** BENCH_ONLY's parts: a comparison runs when its name contains one of them (all when undefined). */
  only: readonly string[] | undefined;
}

interface H2loadResult {
  requestsPerSecond: number;
  failed: number;
}

/** One h2load run pinned to the load CPU; `data`: a file POSTed by every request. */
async function h2load(url: string, seconds: number, data: string | null): Promise<H2loadResult> {
  const args = ['-c', String(CLIENTS), '-m', String(STREAMS_PER_CLIENT), '-D', String(seconds)];
  if (data !== null) args.push('-d', data, '-H', 'content-type: application/grpc', '-H', 'te: trailers');
  const child = spawnPinned(LOAD_CPU, 'h2load', [...args, url]);
  let out = '';
  child.stdout!.on('data', (chunk: Buffer) => (out += chunk));
  await new Promise((resolve) => child.once('close', resolve));
  const rate = /finished in [\d.]+\w+, ([\d.]+) req\/s/.exec(out);
  const counts = /requests: \d+ total, \d+ started, \d+ done, (\d+) succeeded, (\d+) failed, (\d+) errored/.exec(out);
  if (!rate || !counts) throw new Error(`could not read h2load output:\n${out}`);
  return { requestsPerSecond: Number(rate[1]), failed: Number(counts[2]) + Number(counts[3]) };
}

async function startChild(script: string, args: string[], cpu: number): Promise<Running & { port: string }> {
  const child = spawnPinned(cpu, process.execPath, [here(script), ...args], { ownSession: cpu === PROXY_CPU });
  const port = await firstLine(child);
  return { port, url: `http://127.0.0.1:${port}`, stop: () => endProcess(child) };
}

/** `subject` against `baseline` in paired rounds of h2load; the line for the ratios summary. */
async function compare(label: string, subject: string, baseline: string, rounds: number, data: string | null): Promise<string> {
  await Promise.all([h2load(subject, WARMUP_SECONDS, data), h2load(baseline, WARMUP_SECONDS, data)]);
  const ratios: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const [measured, base] = await Promise.all([h2load(subject, PAIRED_SECONDS, data), h2load(baseline, PAIRED_SECONDS, data)]);
    if (measured.requestsPerSecond === 0 || base.requestsPerSecond === 0) throw new Error(`a side served nothing in round ${round + 1}: gatehouse ${measured.requestsPerSecond}, baseline ${base.requestsPerSecond} req/s`);
    ratios.push(measured.requestsPerSecond / base.requestsPerSecond);
    const failures = measured.failed + base.failed > 0 ? ` (failed: gatehouse ${measured.failed}, baseline ${base.failed})` : '';
    console.log(`  paired round ${round + 1}: gatehouse ${measured.requestsPerSecond.toFixed(0)} req/s; baseline ${base.requestsPerSecond.toFixed(0)} req/s${failures}`);
  }
  const line = `${label}: requests/s ${median(ratios).toFixed(3)} (range ${Math.min(...ratios).toFixed(3)}–${Math.max(...ratios).toFixed(3)})`;
  console.log(`  → ${line}, medians of ${rounds} paired rounds (h2load -c ${CLIENTS} -m ${STREAMS_PER_CLIENT})\n`);
  return `  ${line}`;
}

/** The HTTP/2 and gRPC comparisons BENCH_ONLY selects; their ratio lines. */
export async function http2Comparisons(options: Http2BenchOptions): Promise<string[]> {
  const selected = (name: string) => options.only === undefined || options.only.some((part) => name.includes(part));
  const lines: string[] = [];
  if (spawnSync('h2load', ['--version'], { stdio: 'ignore' }).error !== undefined) {
    throw new Error('h2load was not found on PATH: install nghttp2-client (Debian/Ubuntu: `apt-get install nghttp2-client`, which .ci/run does)');
  }
  if (selected(H2_PASSTHROUGH)) {
    console.log(`${H2_PASSTHROUGH} / ${MINIMAL_H2_PROXY} (h2c, to the HTTP/1.1 upstream):`);
    const baseline = await startChild('./minimal-h2-proxy.js', [options.upstreamUrl], PROXY_CPU);
    const config = { _format_version: '3.0', services: [{ name: 'bench', url: options.upstreamUrl, routes: [{ name: 'pass', paths: ['/pass'] }] }] };
    const subject = await options.startGatehouse(config, { GATEHOUSE_PROXY_H2C: 'true' });
    const withHeaders = await startChild('./minimal-h2-proxy.js', [options.upstreamUrl, 'contract-headers'], PROXY_CPU);
    try {
      lines.push(await compare(`${H2_PASSTHROUGH} / ${MINIMAL_H2_PROXY}`, `${subject.url}/pass/hello`, `${baseline.url}/pass/hello`, options.rounds, null));
      lines.push(await compare(`${MINIMAL_H2_PROXY}${WITH_CONTRACT_HEADERS} / ${MINIMAL_H2_PROXY}`, `${withHeaders.url}/pass/hello`, `${baseline.url}/pass/hello`, options.rounds, null));
    } finally {
      await subject.stop();
      await withHeaders.stop();
      await baseline.stop();
    }
  }
  if (selected(GRPC_UNARY)) {
    console.log(`${GRPC_UNARY} / ${MINIMAL_GRPC_PROXY} (h2c both sides, to a bare node:http2 gRPC upstream):`);
    const upstream = await startChild('./grpc-upstream.js', ['0'], LOAD_CPU);
    const baseline = await startChild('./minimal-grpc-proxy.js', [upstream.url], PROXY_CPU);
    const config = {
      _format_version: '3.0',
      services: [{ name: 'grpc', url: `grpc://127.0.0.1:${upstream.port}`, routes: [{ name: 'unary', paths: ['/bench.Echo/'], protocols: ['grpc'], strip_path: false }] }],
    };
    const subject = await options.startGatehouse(config, { GATEHOUSE_PROXY_H2C: 'true' });
    // One empty gRPC message: the 5-byte frame of a call without fields.
    const data = join(mkdtempSync(join(tmpdir(), 'gatehouse-bench-grpc-')), 'empty.grpc');
    writeFileSync(data, Buffer.from([0, 0, 0, 0, 0]));
    const withHeaders = await startChild('./minimal-grpc-proxy.js', [upstream.url, 'contract-headers'], PROXY_CPU);
    try {
      lines.push(await compare(`${GRPC_UNARY} / ${MINIMAL_GRPC_PROXY}`, `${subject.url}/bench.Echo/Unary`, `${baseline.url}/bench.Echo/Unary`, options.rounds, data));
      lines.push(await compare(`${MINIMAL_GRPC_PROXY}${WITH_CONTRACT_HEADERS} / ${MINIMAL_GRPC_PROXY}`, `${withHeaders.url}/bench.Echo/Unary`, `${baseline.url}/bench.Echo/Unary`, options.rounds, data));
    } finally {
      await subject.stop();
      await withHeaders.stop();
      await baseline.stop();
      await upstream.stop();
    }
  }
  return lines;
}
