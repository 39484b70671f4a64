/**
 * `npm run bench`: starts an upstream, a minimal node:http + undici proxy and Gatehouse (one process
 * each, the proxies under test pinned to their own CPU), loads each alone and then each compared pair
 * at once with the same tool, and prints requests/s, p50/p99 latency, RSS and the ratios the issues
 * set targets for; then streams a 100 MB body up and down through Gatehouse and reports throughput
 * and RSS, and times how fast a config write reaches three instances sharing Redis.
 */
import type { ChildProcess } from 'node:child_process';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { request } from 'undici';
import { loadTool, runLoad } from './load.js';
import { firstLine, freePort, LOAD_CPU, PROXY_CPU, rssMiB, spawnPinned, stop, waitForHttp } from './processes.js';
import { measureScrape, SCRAPE_ROUTES } from './metrics-scrape.js';
import { median } from '../test/helpers/quantile.js';
import { measurePropagation, PROPAGATION_TARGET_MS } from './propagation.js';
import { manyRoutes, PASSTHROUGH, scenarios, type GatehouseScenario } from './scenarios.js';

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
const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));
const mainJs = fileURLToPath(new URL('../src/main.js', import.meta.url));

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

async function startGatehouse(
  scenario: GatehouseScenario,
  replacements: Record<string, string>,
  env: Record<string, string>,
): Promise<{ child: ChildProcess; url: string; adminUrl: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-bench-'));
  const configPath = join(dir, 'config.json');
  let config = JSON.stringify(scenario.config);
  for (const [placeholder, value] of Object.entries(replacements)) config = config.replaceAll(placeholder, value);
  writeFileSync(configPath, config);
  const [port, adminPort] = [await freePort(), await freePort()];
  const child = spawnPinned(PROXY_CPU, process.execPath, [mainJs, 'start'], {
    env: {
      GATEHOUSE_CONFIG: configPath,
      GATEHOUSE_PROXY_LISTEN: `127.0.0.1:${port}`,
      GATEHOUSE_ADMIN_LISTEN: `127.0.0.1:${adminPort}`,
      // Redis mode keeps a snapshot; one per process, outside the working tree.
      GATEHOUSE_SNAPSHOT: join(dir, 'snapshot.json'),
      ...scenario.env,
      ...env,
    },
    discardStdout: true,
    ownSession: true,
  });
  const adminUrl = `http://127.0.0.1:${adminPort}`;
  await waitForHttp(`${adminUrl}/status/ready`);
  return { child, url: `http://127.0.0.1:${port}`, adminUrl };
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

async function startScenario(scenario: GatehouseScenario, upstreamUrl: string): Promise<Target> {
  const setup = await scenario.setup?.();
  try {
    const { child, url } = await startGatehouse(scenario, { ...setup?.replacements, UPSTREAM: upstreamUrl }, setup?.env ?? {});
    return {
      url: `${url}${scenario.path}`,
      pid: child.pid,
      headers: { ...scenario.headers, ...setup?.headers },
      stop: async () => {
        await stop(child);
        await setup?.close();
      },
    };
  } catch (error) {
    await setup?.close();
    throw error;
  }
}

const measuredAlone = new Set<string>();

/**
 * The ratio of `subject`'s requests/s to `baseline`'s, from ROUNDS paired rounds: both proxies share
 * one CPU, each in a session of its own so the scheduler splits it evenly, and both are loaded at the
 * same time. This machine's speed drifts by tens of percent from one second to the next (one process
 * under the same load: 2.6k–6.6k requests/s in consecutive 1 s runs), which made ratios of
 * back-to-back runs swing by ±30%; in a paired round the drift hits both sides at once and cancels
 * (two identical processes: within ±3% once warm). The median of the rounds is the figure. The
 * subject is then measured alone for its printed row (requests/s, latency, RSS at a whole CPU).
 */
async function compare(label: string, baselineName: string, baseline: Target, subjectName: string, subject: Target): Promise<number> {
  await warmUp(baseline.url, baseline.headers);
  await warmUp(subject.url, subject.headers);
  const load = (target: Target) => runLoad({ url: target.url, seconds: PAIRED_SECONDS, connections: CONNECTIONS, headers: target.headers, cpu: LOAD_CPU });
  const pair = () => Promise.all([load(baseline), load(subject)]);
  const roundRatios: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const [base, measured] = await pair();
    roundRatios.push(measured.requestsPerSecond / base.requestsPerSecond);
    console.log(`  paired round ${round + 1}: ${subjectName} ${measured.requestsPerSecond.toFixed(0)} req/s, ${baselineName} ${base.requestsPerSecond.toFixed(0)} req/s`);
  }
  const middle = median(roundRatios);
  const range = `${Math.min(...roundRatios).toFixed(3)}–${Math.max(...roundRatios).toFixed(3)}`;
  if (!measuredAlone.has(subjectName)) {
    measuredAlone.add(subjectName);
    await measure(subjectName, subject.url, subject.pid, subject.headers);
  }
  const line = `${label}: ${middle.toFixed(3)} (median of ${ROUNDS} paired rounds, range ${range})`;
  ratios.push(`  ${line}`);
  console.log(`  → ${line}\n`);
  return middle;
}

const ratios: string[] = [];

async function scrapeWith1000Routes(upstreamUrl: string): Promise<string> {
  const config = { ...manyRoutes(SCRAPE_ROUTES), plugins: [{ name: 'prometheus', config: { status_code_metrics: true, latency_metrics: true, bandwidth_metrics: true } }] };
  const { child, url, adminUrl } = await startGatehouse({ name: 'metrics scrape', config, path: '/' }, { UPSTREAM: upstreamUrl }, {});
  try {
    const scrape = await measureScrape(url, adminUrl);
    return `metrics scrape after traffic on ${SCRAPE_ROUTES} routes: median ${scrape.medianMs.toFixed(1)} ms, max ${scrape.maxMs.toFixed(1)} ms, ${(scrape.bytes / 1024).toFixed(0)} KiB, ${scrape.series} request-count series`;
  } finally {
    await stop(child);
  }
}

async function main(): Promise<void> {
  console.log(
    `Gatehouse benchmark: ${loadTool}, ${CONNECTIONS} connections per target, ${SECONDS}s solo runs after a warm-up of ${WARMUP_REQUESTS} requests (at most ${WARMUP_MAX_SECONDS}s); each ratio the median of ${ROUNDS} rounds of ${PAIRED_SECONDS}s with both targets loaded at once; proxies under test on CPU ${PROXY_CPU}, upstream and load on CPU ${LOAD_CPU}.\nThe rows are single runs of one process alone, made at different moments on a machine whose speed drifts: compare processes by the paired ratios, not by rows.\n`,
  );
  const upstream = spawnPinned(LOAD_CPU, process.execPath, [here('./upstream.js')]);
  const upstreamUrl = `http://127.0.0.1:${await firstLine(upstream)}`;
  const running = new Map<string, Target>();
  const targetFor = async (scenario: GatehouseScenario): Promise<Target> => {
    let target = running.get(scenario.name);
    if (!target) {
      target = await startScenario(scenario, upstreamUrl);
      running.set(scenario.name, target);
    }
    return target;
  };
  try {
    await measure('direct upstream', `${upstreamUrl}/pass/hello`, upstream.pid);

    const minimalChild = spawnPinned(PROXY_CPU, process.execPath, [here('./minimal-proxy.js'), upstreamUrl], { ownSession: true });
    const minimal: Target = { url: `http://127.0.0.1:${await firstLine(minimalChild)}/pass/hello`, pid: minimalChild.pid, headers: {}, stop: () => stop(minimalChild) };
    const byName = new Map(scenarios.map((s) => [s.name, s]));
    await measure('minimal node:http + undici proxy', minimal.url, minimal.pid);
    const passthrough = await targetFor(byName.get(PASSTHROUGH)!);
    await compare('gatehouse/minimal-proxy', 'minimal node:http + undici proxy', minimal, PASSTHROUGH, passthrough);
    await minimal.stop();

    for (const scenario of scenarios) {
      if (!scenario.baseline) continue;
      const baseline = await targetFor(byName.get(scenario.baseline)!);
      const subject = await startScenario(scenario, upstreamUrl);
      try {
        await compare(`${scenario.name} / ${scenario.baseline}`, scenario.baseline, baseline, scenario.name, subject);
      } finally {
        await subject.stop();
      }
    }
    // Last, so the 100 MB transfers cannot disturb the throughput runs.
    await streamThrough(passthrough.url.replace(/\/pass\/hello$/, ''), passthrough.pid);
    const scrapeLine = await scrapeWith1000Routes(upstreamUrl);
    console.log(`\n  ${scrapeLine}`);
    const propagation = await measurePropagation(async (env) => {
      const { child, url, adminUrl } = await startGatehouse(byName.get(PASSTHROUGH)!, { UPSTREAM: upstreamUrl }, env);
      return { proxyUrl: url, adminUrl, stop: () => stop(child) };
    });
    const propagationLine = `config propagation, write response → served by all 3 instances: median ${propagation.medianMs.toFixed(1)} ms, p95 ${propagation.p95Ms.toFixed(1)} ms, max ${propagation.maxMs.toFixed(1)} ms (target < ${PROPAGATION_TARGET_MS} ms)`;
    console.log(`\n  ${propagationLine}`);
    console.log('\nRatios (requests/s, paired rounds):');
    for (const line of ratios) console.log(line);
    console.log(`  ${scrapeLine}`);
    console.log(`  ${propagationLine}`);
  } finally {
    for (const target of running.values()) await target.stop();
    await stop(upstream);
  }
}

await main();
