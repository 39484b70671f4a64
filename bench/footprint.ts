/**
 * A sidecar's footprint, multiplied by every pod that runs one: time from process start to
 * `/status/ready` = 200, idle RSS on the bundled config, and RSS per idle keep-alive client
 * connection. The start's CPU time (the process is pinned to one CPU) is printed beside its wall
 * time: on a machine other work keeps busy, wall time mostly measures that work. Idle RSS is read twice: 1 s after ready, and once V8's memory reducer has run — what
 * a pod holds from then on. The reducer shrinks the heap the start grew, but when is V8's choice
 * (seen between 10 and 30 s after ready), so the reading waits for the drop, up to a minute, and
 * then until RSS stops falling. Per
 * connection is the RSS 2 s after 1,000 connections opened (one request each, then idle) minus the
 * RSS just before, after a first round of 1,000 was made and closed: the heap growth that serving
 * 1,000 requests brings is then in both readings, not in the difference. The idle RSS is also split
 * into anonymous memory (this process's own) and file pages (mostly the node binary's code and
 * data, shared through the page cache with every other Node process on the host, other pods'
 * sidecars included).
 * Runnable alone: `node dist-bench/bench/footprint.js [path/to/main.js]`.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { endProcess } from '../support/end-process.js';
import { freePort } from '../support/free-port.js';
import { median } from '../support/quantile.js';
import { anonymousMiB, cpuMs, firstLine, LOAD_CPU, PROXY_CPU, rssMiB, spawnPinned } from './processes.js';

export const FOOTPRINT_TARGETS = { readyMs: 400, idleRssMiB: 60, perConnectionKiB: 30 };

const STARTS = 5;
const CONNECTIONS = 1000;
/** Opened this many at a time, under the listen backlog. */
const CONNECT_BATCH = 100;
/** How long the idle reading waits for V8's memory reducer, and what counts as its drop. */
const REDUCER_WAIT_MS = 60_000;
const REDUCED = 0.9;
/** RSS that falls less than this in a second has settled. */
const SETTLED_MIB = 0.1;
/** After connections opened or closed, before RSS is read. */
const SETTLE_MS = 2_000;
const POLL_MS = 5;

const root = (file: string) => fileURLToPath(new URL(`../../${file}`, import.meta.url));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface Footprint {
  readyMs: number[];
  /** CPU time each start used until ready: what the start costs, whatever else the machine runs. */
  readyCpuMs: number[];
  rssAtReadyMiB: number;
  idleRssMiB: number;
  /** How long after ready the idle reading was taken (when the reducer's drop was seen). */
  idleAfterMs: number;
  /** The idle RSS's anonymous part: the process's own memory. */
  idleAnonymousMiB: number;
  peakRssMiB: number;
  /** After a first round of connections was made and closed. */
  baselineRssMiB: number;
  heldRssMiB: number;
  perConnectionKiB: number;
}

/** 200 from a fresh connection, or the error's code. */
function statusOf(url: string): Promise<number> {
  return new Promise((resolve) => {
    get(url, { agent: false }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    }).on('error', () => resolve(0));
  });
}

/** The bundled config, its demo service pointed at the bench upstream instead of the demo echo. */
function bundledConfig(upstreamUrl: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-footprint-'));
  const path = join(dir, 'gatehouse.yaml');
  writeFileSync(path, readFileSync(root('config/gatehouse.yaml'), 'utf8').replace('http://127.0.0.1:9000', upstreamUrl));
  return path;
}

interface Started {
  child: ChildProcess;
  proxyPort: number;
  readyMs: number;
  readyCpuMs: number;
}

async function startAndTime(mainJs: string, configPath: string): Promise<Started> {
  const [proxyPort, adminPort] = [await freePort(), await freePort()];
  const ready = `http://127.0.0.1:${adminPort}/status/ready`;
  const started = performance.now();
  const child = spawnPinned(PROXY_CPU, process.execPath, [mainJs, 'start'], {
    env: {
      GATEHOUSE_CONFIG: configPath,
      GATEHOUSE_PROXY_LISTEN: `127.0.0.1:${proxyPort}`,
      GATEHOUSE_ADMIN_LISTEN: `127.0.0.1:${adminPort}`,
      GATEHOUSE_DRAIN_DELAY_MS: '0',
    },
    discardStdout: true,
  });
  while ((await statusOf(ready)) !== 200) {
    if (child.exitCode !== null) throw new Error(`gatehouse exited with ${child.exitCode} before it was ready`);
    await sleep(POLL_MS);
  }
  return { child, proxyPort, readyMs: performance.now() - started, readyCpuMs: cpuMs(child.pid) };
}

/** A client connection that made one request and keeps the connection open, idle. */
function keptConnection(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let text = '';
    socket.setEncoding('latin1');
    socket.once('connect', () => socket.write('GET /demo/hello HTTP/1.1\r\nHost: footprint.bench\r\n\r\n'));
    socket.on('data', (chunk: string) => {
      text += chunk;
      const head = text.indexOf('\r\n\r\n');
      const length = /content-length: (\d+)/i.exec(text);
      if (head !== -1 && length && text.length >= head + 4 + Number(length[1])) {
        if (!text.startsWith('HTTP/1.1 200')) reject(new Error(`unexpected answer: ${text.slice(0, 60)}`));
        else resolve(socket);
      }
    });
    socket.once('error', reject);
  });
}

export async function measureFootprint(mainJs: string, upstreamUrl: string): Promise<Footprint> {
  const configPath = bundledConfig(upstreamUrl);
  const readyMs: number[] = [];
  const readyCpuMs: number[] = [];
  for (let i = 0; i < STARTS - 1; i++) {
    const started = await startAndTime(mainJs, configPath);
    readyMs.push(started.readyMs);
    readyCpuMs.push(started.readyCpuMs);
    await endProcess(started.child);
  }
  const { child, proxyPort, readyMs: last, readyCpuMs: lastCpu } = await startAndTime(mainJs, configPath);
  readyMs.push(last);
  readyCpuMs.push(lastCpu);
  const sockets: Socket[] = [];
  const openAll = async () => {
    while (sockets.length < CONNECTIONS) {
      sockets.push(...(await Promise.all(Array.from({ length: Math.min(CONNECT_BATCH, CONNECTIONS - sockets.length) }, () => keptConnection(proxyPort)))));
    }
  };
  try {
    const readyAt = performance.now();
    await sleep(1000);
    const rssAtReadyMiB = rssMiB(child.pid);
    let idleRssMiB = rssAtReadyMiB;
    while (idleRssMiB > REDUCED * rssAtReadyMiB && performance.now() - readyAt < REDUCER_WAIT_MS) {
      await sleep(1000);
      idleRssMiB = rssMiB(child.pid);
    }
    // The reducer's GCs and the release of the pages they free take a few seconds: the reading is the
    // one at which RSS stopped falling (one run read 63.5 MiB mid-way, against 60.4–60.6 in others).
    for (let previous = Infinity; previous - idleRssMiB > SETTLED_MIB && performance.now() - readyAt < REDUCER_WAIT_MS; ) {
      previous = idleRssMiB;
      await sleep(1000);
      idleRssMiB = rssMiB(child.pid);
    }
    const idleAfterMs = performance.now() - readyAt;
    const idleAnonymousMiB = anonymousMiB(child.pid);
    const peakRssMiB = rssMiB(child.pid, 'VmHWM');
    await openAll();
    for (const socket of sockets.splice(0)) socket.destroy();
    await sleep(SETTLE_MS);
    const baselineRssMiB = rssMiB(child.pid);
    await openAll();
    await sleep(SETTLE_MS);
    const heldRssMiB = rssMiB(child.pid);
    return {
      readyMs,
      readyCpuMs,
      rssAtReadyMiB,
      idleRssMiB,
      idleAfterMs,
      idleAnonymousMiB,
      peakRssMiB,
      baselineRssMiB,
      heldRssMiB,
      perConnectionKiB: ((heldRssMiB - baselineRssMiB) * 1024) / CONNECTIONS,
    };
  } finally {
    for (const socket of sockets) socket.destroy();
    await endProcess(child);
  }
}

/** The lines `npm run bench` prints. */
export function footprintLines(result: Footprint): string[] {
  const targets = FOOTPRINT_TARGETS;
  const range = `${Math.min(...result.readyMs).toFixed(0)}–${Math.max(...result.readyMs).toFixed(0)}`;
  return [
    `start → /status/ready 200: median ${median(result.readyMs).toFixed(0)} ms (range ${range}, ${result.readyMs.length} starts; target ≤ ${targets.readyMs} ms), using a median ${median(result.readyCpuMs).toFixed(0)} ms of CPU (what the wall time comes down to on an idle CPU)`,
    `idle RSS, bundled config: ${result.idleRssMiB.toFixed(1)} MiB ${(result.idleAfterMs / 1000).toFixed(0)} s after ready, ${result.idleRssMiB <= REDUCED * result.rssAtReadyMiB ? "once V8's memory reducer ran" : "V8's memory reducer had not run yet"} (${result.rssAtReadyMiB.toFixed(1)} MiB 1 s after ready, peak during the start ${result.peakRssMiB.toFixed(1)} MiB; target ≤ ${targets.idleRssMiB} MiB)`,
    `  of which ${result.idleAnonymousMiB.toFixed(1)} MiB anonymous (the process's own) and ${(result.idleRssMiB - result.idleAnonymousMiB).toFixed(1)} MiB file pages (the node binary's, shared with every Node process on the host)`,
    `${CONNECTIONS} idle keep-alive connections: ${result.heldRssMiB.toFixed(1)} MiB held vs ${result.baselineRssMiB.toFixed(1)} MiB before → ${result.perConnectionKiB.toFixed(1)} KiB per connection (target ≤ ${targets.perConnectionKiB} KiB)`,
  ];
}

// Alone: the product's build (or the main.js given), against the bench upstream.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const mainJs = process.argv[2] ?? root('dist/bundle/main.js');
  const upstream = spawnPinned(LOAD_CPU, process.execPath, [fileURLToPath(new URL('./upstream.js', import.meta.url))]);
  try {
    const upstreamUrl = `http://127.0.0.1:${await firstLine(upstream)}`;
    for (const line of footprintLines(await measureFootprint(mainJs, upstreamUrl))) console.log(`  ${line}`);
  } finally {
    await endProcess(upstream);
  }
}
