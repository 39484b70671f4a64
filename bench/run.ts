/**
 * `npm run bench`: first a sidecar's footprint (start to ready, idle RSS, RSS per idle connection);
 * then starts an upstream, a minimal node:http + undici proxy and Gatehouse (one process each, the
 * proxies under test pinned to their own CPU), loads each alone and then each compared pair at once
 * with the same tool, and prints requests/s, p50/p99 latency, RSS and the ratios the issues set
 * targets for; compares 2 workers with 1; then streams a 100 MB body up and down through Gatehouse
 * and reports throughput and RSS, and times how fast a config write reaches three instances sharing Redis.
 * WebSocket tunnels are compared with a minimal relay in bench/websocket.ts.
 */
import type { ChildProcess } from 'node:child_process';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { request } from 'undici';
import { endProcess } from '../support/end-process.js';
import { freePort } from '../support/free-port.js';
import { median } from '../support/quantile.js';
import { loadTool, runLoad, type LoadResult } from './load.js';
import { footprintLines, measureFootprint } from './footprint.js';
import { firstLine, LOAD_CPU, PROXY_CPU, rssMiB, spawnPinned, waitForHttp } from './processes.js';
import { measureScrape, SCRAPE_ROUTES } from './metrics-scrape.js';
import { measurePropagation, PROPAGATION_TARGET_MS } from './propagation.js';
import { allMetrics, httpsCertificate, manyRoutes, MINIMAL_HTTPS_PROXY, MINIMAL_PROXY, PASSTHROUGH, scenarios, UPSTREAM_TARGETS, type GatehouseScenario } from './scenarios.js';
import { compareWorkers } from './workers.js';
import { http2Comparisons } from './http2.js';
import { compareWebSocketRelay, WEBSOCKET_RELAY } from './websocket.js';

/** One solo run: the requests/s, latency and RSS printed for each process. */
const SECONDS = Number(process.env.BENCH_SECONDS ?? 1);
/**
 * Load before a process is first measured, in 1 s runs until it has served WARMUP_REQUESTS (or
 * WARMUP_MAX_SECONDS have passed). A fresh gateway reaches its steady rate only once its hot code is
 * optimised, which takes a number of requests rather than a time: about 3 s on a machine doing 18k
 * requests/s, but on one doing 4k the subjects were still speeding up through the first counted
 * rounds after a 3 s warm-up.
 */
const WARMUP_REQUESTS = 25_000;
const WARMUP_MAX_SECONDS = 5;
/** Paired rounds per ratio, and the length of each. */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const PAIRED_SECONDS = 2;
const CONNECTIONS = 50;
const STREAM_MIB = 100;
/**
 * Only the scenarios whose name contains one of these (comma-separated; with their baselines), and no
 * transfer, scrape or propagation runs; the footprint only when one of them is `footprint`, and
 * nothing else when that is the only one.
 */
const FOOTPRINT = 'footprint';
const ONLY = process.env.BENCH_ONLY?.split(',');
const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));
// The bench is compiled apart from the product (tsconfig.bench.json): this runs the build npm publishes.
const mainJs = fileURLToPath(new URL('../../dist/bundle/main.js', import.meta.url));

const warmed = new Set<string>();

/** A process is warmed up (JIT, connection pools) once, before it is first measured. */
async function warmUp(url: string, headers?: Record<string, string>): Promise<void> {
  if (warmed.has(url)) return;
  warmed.add(url);
  let served = 0;
  for (let second = 0; second < WARMUP_MAX_SECONDS && served < WARMUP_REQUESTS; second++) {
    served += (await runLoad({ url, seconds: 1, connections: CONNECTIONS, headers, cpu: LOAD_CPU })).requestsPerSecond;
  }
}

/** One run with the process alone on its CPU; prints requests/s, latency and RSS. */
async function measure(name: string, url: string, pid: number | undefined, headers?: Record<string, string>): Promise<void> {
  await warmUp(url, headers);
  const result = await runLoad({ url, seconds: SECONDS, connections: CONNECTIONS, headers, cpu: LOAD_CPU });
  console.log(`  ${name.padEnd(34)} ${result.requestsPerSecond.toFixed(0).padStart(8)} req/s  p50 ${result.p50Ms.toFixed(2)}ms  p99 ${result.p99Ms.toFixed(2)}ms  rss ${rssMiB(pid).toFixed(0)}MiB  errors ${result.errors}`);
}

/** `cpu` null: free on every CPU (the workers comparison). */
async function startGatehouse(
  scenario: GatehouseScenario,
  replacements: Record<string, string>,
  env: Record<string, string>,
  cpu: number | null = PROXY_CPU,
): Promise<{ child: ChildProcess; url: string; adminUrl: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-bench-'));
  const configPath = join(dir, 'config.json');
  let config = JSON.stringify(scenario.config);
  for (const [placeholder, value] of Object.entries(replacements)) config = config.replaceAll(placeholder, value);
  writeFileSync(configPath, config);
  const [port, tlsPort, adminPort] = [await freePort(), await freePort(), await freePort()];
  const child = spawnPinned(cpu, process.execPath, [mainJs, 'start'], {
    env: {
      GATEHOUSE_CONFIG: configPath,
      GATEHOUSE_PROXY_LISTEN: `127.0.0.1:${port}`,
      GATEHOUSE_ADMIN_LISTEN: `127.0.0.1:${adminPort}`,
      GATEHOUSE_PROXY_TLS_LISTEN: `127.0.0.1:${tlsPort}`,
      // Redis mode keeps a snapshot; one per process, outside the working tree.
      GATEHOUSE_SNAPSHOT: join(dir, 'snapshot.json'),
      // Stopped between scenarios: no load balancer to wait for.
      GATEHOUSE_DRAIN_DELAY_MS: '0',
      ...scenario.env,
      ...env,
    },
    discardStdout: true,
    ownSession: true,
  });
  const adminUrl = `http://127.0.0.1:${adminPort}`;
  await waitForHttp(`${adminUrl}/status/ready`);
  return { child, url: scenario.https ? `https://127.0.0.1:${tlsPort}` : `http://127.0.0.1:${port}`, adminUrl };
}

async function streamThrough(url: string, pid: number | undefined): Promise<void> {
  const chunk = Buffer.alloc(1024 * 1024, 3);
  let sent = 0;
  const body = new Readable({
    read() {
      this.push(sent++ < STREAM_MIB ? chunk : null);
    },
  });
  const rssBefore = rssMiB(pid);
  let started = performance.now();
  const up = await request(`${url}/pass/upload`, { method: 'POST', body, headers: { 'content-length': String(STREAM_MIB * chunk.length) } });
  const received = Number(await up.body.text());
  const upSeconds = (performance.now() - started) / 1000;
  const rssAfterUpload = rssMiB(pid);
  started = performance.now();
  const down = await request(`${url}/pass/download/${STREAM_MIB}`);
  let downloaded = 0;
  for await (const part of down.body) downloaded += (part as Buffer).length;
  const downSeconds = (performance.now() - started) / 1000;
  const rssAfter = rssMiB(pid);
  console.log(`  upload   ${STREAM_MIB} MiB: ${(STREAM_MIB / upSeconds).toFixed(0)} MiB/s, upstream received ${received === STREAM_MIB * chunk.length ? 'all bytes' : `${received} bytes (MISMATCH)`}`);
  console.log(`  download ${STREAM_MIB} MiB: ${(STREAM_MIB / downSeconds).toFixed(0)} MiB/s, client received ${downloaded === STREAM_MIB * chunk.length ? 'all bytes' : `${downloaded} bytes (MISMATCH)`}`);
  console.log(`  gatehouse RSS: ${rssBefore.toFixed(0)} MiB before, ${rssAfterUpload.toFixed(0)} after upload, ${rssAfter.toFixed(0)} after download`);
}

/** A load target that stays up for the whole run, so baselines can be re-measured beside each scenario. */
interface Target {
  url: string;
  pid: number | undefined;
  headers: Record<string, string>;
  stop(): Promise<void>;
}

async function startScenario(scenario: GatehouseScenario, upstream: Record<string, string>): Promise<Target> {
  const setup = await scenario.setup?.();
  try {
    const { child, url } = await startGatehouse(scenario, { ...setup?.replacements, ...upstream }, setup?.env ?? {});
    return {
      url: `${url}${scenario.path}`,
      pid: child.pid,
      headers: { ...scenario.headers, ...setup?.headers },
      stop: async () => {
        await endProcess(child);
        await setup?.close();
      },
    };
  } catch (error) {
    await setup?.close();
    throw error;
  }
}

const measuredAlone = new Set<string>();

/** One side of a paired round as printed: requests/s and p99 latency (and errors, when there were any). */
function roundSide(name: string, result: LoadResult): string {
  const errors = result.errors > 0 ? `, ${result.errors} errors` : '';
  return `${name} ${result.requestsPerSecond.toFixed(0)} req/s p99 ${result.p99Ms.toFixed(2)}ms${errors}`;
}

/** The median of per-round ratios, with their range. */
function ratioSummary(roundRatios: readonly number[]): string {
  return `${median(roundRatios).toFixed(3)} (range ${Math.min(...roundRatios).toFixed(3)}–${Math.max(...roundRatios).toFixed(3)})`;
}

/**
 * `subject` against `baseline` in ROUNDS paired rounds: both proxies share one CPU, each in a session
 * of its own so the scheduler splits it evenly, and both are loaded at the same time. This machine's
 * speed drifts by tens of percent from one second to the next (one process under the same load:
 * 2.6k–6.6k requests/s in consecutive 1 s runs), which made ratios of back-to-back runs swing by
 * ±30%; in a paired round the drift hits both sides at once and cancels (two identical processes:
 * within ±3% once warm). Both sides are sent the subject's request headers. Each round gives a
 * requests/s ratio and p50 and p99 latency ratios (subject / baseline); the median of each over the
 * rounds is the figure. With a fixed number of connections each waiting for its answer, a side's
 * mean latency is connections / throughput (Little's law), so a subject at 0.8× the requests/s has
 * ~1.25× the latency throughout: a p99 ratio above the p50 ratio is what the tail adds of its own. The subject is then measured alone for its
 * printed row (requests/s, latency, RSS at a whole CPU).
 */
async function compare(label: string, baselineName: string, baseline: Target, subjectName: string, subject: Target): Promise<void> {
  // Both sides get the same request headers (a bearer token, an API key): forwarding them costs the
  // baseline as much as the subject, and only what the subject does with them is its feature's cost.
  const headers = subject.headers;
  await warmUp(baseline.url, headers);
  await warmUp(subject.url, headers);
  const load = (target: Target) => runLoad({ url: target.url, seconds: PAIRED_SECONDS, connections: CONNECTIONS, headers, cpu: LOAD_CPU });
  const throughputRatios: number[] = [];
  const p50Ratios: number[] = [];
  const p99Ratios: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const [base, measured] = await Promise.all([load(baseline), load(subject)]);
    throughputRatios.push(measured.requestsPerSecond / base.requestsPerSecond);
    p50Ratios.push(measured.p50Ms / base.p50Ms);
    p99Ratios.push(measured.p99Ms / base.p99Ms);
    console.log(`  paired round ${round + 1}: ${roundSide(subjectName, measured)}; ${roundSide(baselineName, base)}`);
  }
  if (!measuredAlone.has(subjectName)) {
    measuredAlone.add(subjectName);
    await measure(subjectName, subject.url, subject.pid, subject.headers);
  }
  const line = `${label}: requests/s ${ratioSummary(throughputRatios)}, p50 ${ratioSummary(p50Ratios)}, p99 ${ratioSummary(p99Ratios)}`;
  ratios.push(`  ${line}`);
  console.log(`  → ${line}, medians of ${ROUNDS} paired rounds\n`);
}

const ratios: string[] = [];

async function scrapeWith1000Routes(upstreamUrl: string): Promise<string> {
  const config = { ...manyRoutes(SCRAPE_ROUTES), plugins: [allMetrics] };
  const { child, url, adminUrl } = await startGatehouse({ name: 'metrics scrape', config, path: '/' }, { UPSTREAM: upstreamUrl }, {});
  try {
    const scrape = await measureScrape(url, adminUrl);
    return `metrics scrape after traffic on ${SCRAPE_ROUTES} routes: median ${scrape.medianMs.toFixed(1)} ms, max ${scrape.maxMs.toFixed(1)} ms, ${(scrape.bytes / 1024).toFixed(0)} KiB, ${scrape.series} request-count series`;
  } finally {
    await endProcess(child);
  }
}

async function main(): Promise<void> {
  console.log(
    `Gatehouse benchmark: ${loadTool}, ${CONNECTIONS} connections per target, ${SECONDS}s solo runs after a warm-up of ${WARMUP_REQUESTS} requests (at most ${WARMUP_MAX_SECONDS}s); each ratio the median of ${ROUNDS} rounds of ${PAIRED_SECONDS}s with both targets loaded at once; proxies under test on CPU ${PROXY_CPU}, upstream and load on CPU ${LOAD_CPU}.\nThe rows are single runs of one process alone, made at different moments on a machine whose speed drifts: compare processes by the paired ratios, not by rows.\n`,
  );
  const upstream = spawnPinned(LOAD_CPU, process.execPath, [here('./upstream.js'), '0', String(UPSTREAM_TARGETS.length)]);
  const ports = (await firstLine(upstream)).split(' ');
  const upstreamUrl = `http://127.0.0.1:${ports[0]}`;
  // UPSTREAM is the first port's URL; TARGET_A… are every port as an upstream entity's target; "FIRST_PORT" the first port as a number.
  const upstreamPlaceholders = Object.fromEntries([['UPSTREAM', upstreamUrl], ['"FIRST_PORT"', ports[0]!], ...UPSTREAM_TARGETS.map((name, i) => [name, `127.0.0.1:${ports[i]}`])]);
  // First, while nothing else runs: start time and memory are what a busy machine distorts most.
  // BENCH_ONLY runs are for iterating on scenarios: the footprint (minutes, waiting for V8's memory reducer) is left out unless named.
  let footprint: string[] = [];
  if (ONLY === undefined || ONLY.includes(FOOTPRINT)) {
    console.log('Footprint of one process on the bundled config (the sidecar case), pinned to its CPU:');
    footprint = footprintLines(await measureFootprint(mainJs, upstreamUrl)).map((line) => `  ${line}`);
    for (const line of footprint) console.log(line);
    console.log('');
    if (ONLY?.every((part) => part === FOOTPRINT)) {
      await endProcess(upstream);
      return;
    }
  }
  const byName = new Map(scenarios.map((s) => [s.name, s]));
  const isBaseline = new Set(scenarios.map((s) => s.baseline));
  // Baselines stay up for the whole run, re-measured beside every scenario naming them; other
  // subjects stop after their comparison.
  const running = new Map<string, Target>();
  const startTarget = async (name: string): Promise<Target> => {
    if (name !== MINIMAL_PROXY && name !== MINIMAL_HTTPS_PROXY) return startScenario(byName.get(name)!, upstreamPlaceholders);
    const https = name === MINIMAL_HTTPS_PROXY;
    const tlsArgs = https ? ['0', httpsCertificate().certPath, httpsCertificate().keyPath] : [];
    const child = spawnPinned(PROXY_CPU, process.execPath, [here('./minimal-proxy.js'), upstreamUrl, ...tlsArgs], { ownSession: true });
    return { url: `${https ? 'https' : 'http'}://127.0.0.1:${await firstLine(child)}/pass/hello`, pid: child.pid, headers: {}, stop: () => endProcess(child) };
  };
  const keptTarget = async (name: string): Promise<Target> => {
    let target = running.get(name);
    if (!target) {
      target = await startTarget(name);
      running.set(name, target);
    }
    return target;
  };
  try {
    await measure('direct upstream', `${upstreamUrl}/pass/hello`, upstream.pid);
    const minimal = await keptTarget(MINIMAL_PROXY);
    await measure(MINIMAL_PROXY, minimal.url, minimal.pid);

    for (const scenario of scenarios) {
      if (!scenario.baseline || (ONLY !== undefined && !ONLY.some((part) => scenario.name.includes(part)))) continue;
      const baseline = await keptTarget(scenario.baseline);
      const kept = isBaseline.has(scenario.name);
      const subject = kept ? await keptTarget(scenario.name) : await startTarget(scenario.name);
      try {
        await compare(`${scenario.name} / ${scenario.baseline}`, scenario.baseline, baseline, scenario.name, subject);
      } finally {
        if (!kept) await subject.stop();
      }
    }
    if (ONLY === undefined || ONLY.some((part) => WEBSOCKET_RELAY.includes(part))) {
      const lines = await compareWebSocketRelay(async (scenario, replacements) => {
        const { child, url } = await startGatehouse(scenario, replacements, {});
        return { url, stop: () => endProcess(child) };
      });
      for (const line of lines) ratios.push(`  ${line}`);
    }
    // HTTP/2 and gRPC: loaded with h2load, against their own minimal proxies.
    const http2Lines = await http2Comparisons({
      upstreamUrl,
      rounds: ROUNDS,
      only: ONLY,
      startGatehouse: async (config, env) => {
        const { child, url } = await startGatehouse({ name: 'http2', config, path: '/' }, {}, env);
        return { url, stop: () => endProcess(child) };
      },
    });
    ratios.push(...http2Lines);
    if (ONLY !== undefined) {
      console.log('\nRatios, subject / baseline (medians of paired rounds):');
      for (const line of ratios) console.log(line);
      return;
    }
    // The passthrough gateways pinned to CPU 1 leave CPU 1 to the workers comparison's gateways.
    for (const [name, target] of running) {
      running.delete(name);
      await target.stop();
    }
    const workers = await compareWorkers(async (count) => {
      const { child, url } = await startGatehouse(byName.get(PASSTHROUGH)!, { UPSTREAM: upstreamUrl }, { GATEHOUSE_WORKERS: String(count) }, null);
      return { url: `${url}/pass/hello`, stop: () => endProcess(child) };
    });
    for (const line of workers.lines) console.log(`  ${line}`);
    console.log(`  → ${workers.summary}\n`);
    ratios.push(`  ${workers.summary}`);
    const passthrough = await keptTarget(PASSTHROUGH);
    // Last, so the 100 MB transfers cannot disturb the throughput runs.
    await streamThrough(passthrough.url.replace(/\/pass\/hello$/, ''), passthrough.pid);
    const scrapeLine = await scrapeWith1000Routes(upstreamUrl);
    console.log(`\n  ${scrapeLine}`);
    const propagation = await measurePropagation(async (env) => {
      const { child, url, adminUrl } = await startGatehouse(byName.get(PASSTHROUGH)!, { UPSTREAM: upstreamUrl }, env);
      return { proxyUrl: url, adminUrl, stop: () => endProcess(child) };
    });
    const propagationLine = `config propagation, write response → served by all 3 instances: median ${propagation.medianMs.toFixed(1)} ms, p95 ${propagation.p95Ms.toFixed(1)} ms, max ${propagation.maxMs.toFixed(1)} ms (target < ${PROPAGATION_TARGET_MS} ms)`;
    console.log(`\n  ${propagationLine}`);
    console.log('\nFootprint:');
    for (const line of footprint) console.log(line);
    console.log('\nRatios, subject / baseline (medians of paired rounds):');
    for (const line of ratios) console.log(line);
    console.log(`  ${scrapeLine}`);
    console.log(`  ${propagationLine}`);
  } finally {
    for (const target of running.values()) await target.stop();
    await endProcess(upstream);
  }
}

await main();
