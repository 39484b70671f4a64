/**
 * A real Prometheus for the suites: Debian's `prometheus` binary on a free loopback port, with a
 * config and a data folder of its own in a temp folder. Fails with how to install it when missing.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { endProcess } from '../../support/end-process.js';
import { freePort } from '../../support/free-port.js';
import { waitUntil } from './cli.js';

const INSTALL_HINT = "prometheus was not found on PATH: the dashboard suite scrapes the gateways with a real Prometheus (Debian/Ubuntu: apt-get install --no-install-recommends prometheus; .ci/run does this)";

export interface Sample {
  metric: Record<string, string>;
  value: [number, string];
}

export interface TestPrometheus {
  url: string;
  /** An instant query's result vector (empty when the query returns no data). */
  query(expr: string): Promise<Sample[]>;
  /** The values a label takes on the series `match` selects (Grafana's label_values()). */
  labelValues(label: string, match: string): Promise<string[]>;
  close(): Promise<void>;
}

async function api<T>(url: string): Promise<T> {
  const res = await fetch(url);
  const body = (await res.json()) as { status: string; data: T; error?: string };
  if (body.status !== 'success') throw new Error(`${url}: ${body.error}`);
  return body.data;
}

export async function startPrometheus(config: object): Promise<TestPrometheus> {
  if (spawnSync('prometheus', ['--version']).error) throw new Error(INSTALL_HINT);
  const dir = await mkdtemp(join(tmpdir(), 'gatehouse-prometheus-'));
  await writeFile(join(dir, 'prometheus.yml'), stringify(config));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(
    'prometheus',
    [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk));
  await waitUntil(
    async () => {
      if (child.exitCode !== null) throw new Error(`prometheus exited with ${child.exitCode}:\n${stderr}`);
      return (await fetch(`${url}/-/ready`).catch(() => undefined))?.status === 200;
    },
    'Prometheus to be ready',
    30_000,
  );
  return {
    url,
    query: async (expr) => (await api<{ result: Sample[] }>(`${url}/api/v1/query?query=${encodeURIComponent(expr)}`)).result,
    labelValues: (label, match) => api<string[]>(`${url}/api/v1/label/${encodeURIComponent(label)}/values?match[]=${encodeURIComponent(match)}`),
    close: async () => {
      await endProcess(child);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
