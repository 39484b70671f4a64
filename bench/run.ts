/**
 * `npm run bench`: starts an upstream, a minimal node:http + undici proxy and Gatehouse (one process
 * each, the proxy under test pinned to its own CPU), loads each in turn with the same tool, and
 * prints requests/s, p50/p99 latency, RSS and the ratios the issues set targets for; then streams a
 * 100 MB body up and down through Gatehouse and reports throughput and RSS.
 */
import type { ChildProcess } from 'node:child_process';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { request } from 'undici';
import { loadTool, runLoad, type LoadResult } from './load.js';
import { firstLine, freePort, rssMiB, spawnPinned, stop, waitForHttp } from './processes.js';
import { PASSTHROUGH, scenarios, type GatehouseScenario } from './scenarios.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const WARMUP_SECONDS = 2;
const CONNECTIONS = 50;
const STREAM_MIB = 100;
const PROXY_CPU = 1;
const LOAD_CPU = 0;
const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));
const mainJs = fileURLToPath(new URL('../src/main.js', import.meta.url));

interface Row extends LoadResult {
  name: string;
  rssMiB: number;
}

const rows: Row[] = [];

async function measure(name: string, url: string, pid: number | undefined, headers?: Record<string, string>): Promise<Row> {
  await runLoad({ url, seconds: WARMUP_SECONDS, connections: CONNECTIONS, headers, cpu: LOAD_CPU });
  const result = await runLoad({ url, seconds: SECONDS, connections: CONNECTIONS, headers, cpu: LOAD_CPU });
  const row = { name, ...result, rssMiB: rssMiB(pid) };
  rows.push(row);
  console.log(`  ${name.padEnd(34)} ${result.requestsPerSecond.toFixed(0).padStart(8)} req/s  p50 ${result.p50Ms.toFixed(2)}ms  p99 ${result.p99Ms.toFixed(2)}ms  rss ${row.rssMiB.toFixed(0)}MiB  errors ${result.errors}`);
  return row;
}

async function startGatehouse(scenario: GatehouseScenario, replacements: Record<string, string>, env: Record<string, string>): Promise<{ child: ChildProcess; url: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-bench-'));
  const configPath = join(dir, 'config.json');
  let config = JSON.stringify(scenario.config);
  for (const [placeholder, value] of Object.entries(replacements)) config = config.replaceAll(placeholder, value);
  writeFileSync(configPath, config);
  const [port, adminPort] = [await freePort(), await freePort()];
  const child = spawnPinned(PROXY_CPU, process.execPath, [mainJs, 'start'], {
    GATEHOUSE_CONFIG: configPath,
    GATEHOUSE_PROXY_LISTEN: `127.0.0.1:${port}`,
    GATEHOUSE_ADMIN_LISTEN: `127.0.0.1:${adminPort}`,
    ...scenario.env,
    ...env,
  });
  // The access log is part of what is measured; its lines are discarded.
  child.stdout!.resume();
  await waitForHttp(`http://127.0.0.1:${adminPort}/status/ready`);
  return { child, url: `http://127.0.0.1:${port}` };
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

async function main(): Promise<void> {
  console.log(`Gatehouse benchmark: ${loadTool}, ${CONNECTIONS} connections, ${SECONDS}s per run after ${WARMUP_SECONDS}s warm-up; proxy under test on CPU ${PROXY_CPU}, upstream and load on CPU ${LOAD_CPU}\n`);
  const upstream = spawnPinned(LOAD_CPU, process.execPath, [here('./upstream.js')]);
  const upstreamUrl = `http://127.0.0.1:${await firstLine(upstream)}`;
  try {
    await measure('direct upstream', `${upstreamUrl}/pass/hello`, upstream.pid);

    const minimal = spawnPinned(PROXY_CPU, process.execPath, [here('./minimal-proxy.js'), upstreamUrl]);
    const minimalUrl = `http://127.0.0.1:${await firstLine(minimal)}`;
    const minimalRow = await measure('minimal node:http + undici proxy', `${minimalUrl}/pass/hello`, minimal.pid);
    await stop(minimal);

    for (const scenario of scenarios) {
      const setup = await scenario.setup?.();
      try {
        const { child, url } = await startGatehouse(scenario, { ...setup?.replacements, UPSTREAM: upstreamUrl }, setup?.env ?? {});
        await measure(scenario.name, `${url}${scenario.path}`, child.pid, { ...scenario.headers, ...setup?.headers });
        if (scenario.name === PASSTHROUGH) await streamThrough(url, child.pid);
        await stop(child);
      } finally {
        await setup?.close();
      }
    }

    console.log('\nRatios (requests/s):');
    const byName = new Map(rows.map((r) => [r.name, r]));
    const passthrough = byName.get(PASSTHROUGH)!;
    console.log(`  gatehouse/minimal-proxy: ${(passthrough.requestsPerSecond / minimalRow.requestsPerSecond).toFixed(3)}`);
    for (const scenario of scenarios) {
      if (!scenario.baseline) continue;
      const ratio = byName.get(scenario.name)!.requestsPerSecond / byName.get(scenario.baseline)!.requestsPerSecond;
      console.log(`  ${scenario.name} / ${scenario.baseline}: ${ratio.toFixed(3)}`);
    }
  } finally {
    await stop(upstream);
  }
}

await main();
