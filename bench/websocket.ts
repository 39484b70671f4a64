/**
 * The WebSocket message relay comparison of `npm run bench`: Gatehouse's tunnel (a plain socket pipe)
 * and, for what following frames costs, a tunnel of a route with websocket-size-limit, each against a
 * minimal relay that pipes the two sockets (minimal-websocket-relay.ts), over one echo upstream. As
 * the HTTP comparisons: the relays under test share their CPU, each in a session of its own, the
 * upstream and load generators share the other; each round loads a subject and the minimal relay at
 * once, and the figure is the median of the rounds' ratios of messages relayed per second.
 */
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { endProcess } from '../support/end-process.js';
import { median } from '../support/quantile.js';
import { firstLine, LOAD_CPU, PROXY_CPU, spawnPinned } from './processes.js';
import type { GatehouseScenario } from './scenarios.js';
import { PAYLOAD_BYTES } from './websocket-frames.js';

export const WEBSOCKET_RELAY = 'gatehouse websocket relay';
const SIZE_LIMITED = 'gatehouse websocket relay, websocket-size-limit';
const MINIMAL_RELAY = 'minimal websocket relay';
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const ROUND_SECONDS = 2;
const WARMUP_SECONDS = 3;
const CONNECTIONS = 50;
/** Messages in flight per connection. */
const WINDOW = 8;

const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));

export interface StartedGatehouse {
  url: string;
  stop(): Promise<void>;
}

function relayScenario(name: string, plugins: Record<string, unknown>[]): GatehouseScenario {
  return {
    name,
    path: '/ws',
    config: { _format_version: '3.0', services: [{ name: 'ws', url: 'WS_UPSTREAM', routes: [{ name: 'ws', paths: ['/ws'], plugins }] }] },
  };
}

/** Messages relayed per second through `url` over `seconds`, by a load generator on the load CPU. */
async function load(url: string, seconds: number): Promise<number> {
  const child = spawnPinned(LOAD_CPU, process.execPath, [here('./websocket-load.js'), url, String(seconds), String(CONNECTIONS), String(WINDOW)]);
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const rate = Number(await firstLine(child));
  await exited;
  return rate;
}

async function started(child: ChildProcess): Promise<{ port: string; stop: () => Promise<void> }> {
  try {
    return { port: await firstLine(child), stop: () => endProcess(child) };
  } catch (error) {
    await endProcess(child);
    throw error;
  }
}

/** Runs the comparison; returns the ratio lines (the rounds are printed as they go). */
export async function compareWebSocketRelay(startGatehouse: (scenario: GatehouseScenario, replacements: Record<string, string>) => Promise<StartedGatehouse>): Promise<string[]> {
  console.log(`WebSocket message relay: ${CONNECTIONS} connections × ${WINDOW} binary messages of ${PAYLOAD_BYTES} bytes in flight, echoed by the upstream; each ratio the median of ${ROUNDS} paired rounds of ${ROUND_SECONDS}s`);
  const upstream = await started(spawnPinned(LOAD_CPU, process.execPath, [here('./websocket-upstream.js')]));
  const upstreamUrl = `http://127.0.0.1:${upstream.port}`;
  const stops: (() => Promise<void>)[] = [upstream.stop];
  const lines: string[] = [];
  try {
    const minimal = await started(spawnPinned(PROXY_CPU, process.execPath, [here('./minimal-websocket-relay.js'), upstreamUrl], { ownSession: true }));
    stops.push(minimal.stop);
    const baselineUrl = `ws://127.0.0.1:${minimal.port}/ws`;
    await load(baselineUrl, WARMUP_SECONDS);
    const subjects: [string, Record<string, unknown>[]][] = [
      [WEBSOCKET_RELAY, []],
      [SIZE_LIMITED, [{ name: 'websocket-size-limit', config: { client_max_payload: 1_048_576, upstream_max_payload: 1_048_576 } }]],
    ];
    for (const [name, plugins] of subjects) {
      const gatehouse = await startGatehouse(relayScenario(name, plugins), { WS_UPSTREAM: upstreamUrl });
      try {
        const subjectUrl = `${gatehouse.url.replace('http://', 'ws://')}/ws`;
        await load(subjectUrl, WARMUP_SECONDS);
        const ratios: number[] = [];
        for (let round = 0; round < ROUNDS; round++) {
          const [subject, baseline] = await Promise.all([load(subjectUrl, ROUND_SECONDS), load(baselineUrl, ROUND_SECONDS)]);
          ratios.push(subject / baseline);
          console.log(`  paired round ${round + 1}: ${name} ${subject} messages/s; ${MINIMAL_RELAY} ${baseline} messages/s`);
        }
        const line = `${name} / ${MINIMAL_RELAY}: messages/s ${median(ratios).toFixed(3)} (range ${Math.min(...ratios).toFixed(3)}–${Math.max(...ratios).toFixed(3)})`;
        console.log(`  → ${line}, medians of ${ROUNDS} paired rounds\n`);
        lines.push(line);
      } finally {
        await gatehouse.stop();
      }
    }
    return lines;
  } finally {
    for (const stop of stops.reverse()) await stop();
  }
}
