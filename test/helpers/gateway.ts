/**
 * Starts the real gateway in-process for black-box tests: config written to a temp YAML file,
 * every listener on port 0, log lines captured so tests can read the access log.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { startGateway, type Gateway } from '../../src/app.js';
import type { PluginRegistry } from '../../src/pipeline/registry.js';
import { settingsFrom, type SettingsInput } from '../../src/settings/schema.js';

export interface LogLine {
  msg: string;
  level: string;
  [field: string]: unknown;
}

export interface TestGateway {
  gateway: Gateway;
  url: string;
  adminUrl: string;
  configPath: string;
  logs: LogLine[];
  /** Access-log lines only. */
  accessLogs(): LogLine[];
  /** Rewrites the config file (does not reload). */
  writeConfig(config: unknown): Promise<void>;
  close(): Promise<void>;
}

export async function writeTempConfig(config: unknown): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'gatehouse-test-'));
  const path = join(dir, 'gatehouse.yaml');
  await writeFile(path, typeof config === 'string' ? config : stringify(config));
  return path;
}

/** `registry` replaces the bundled plugins (e.g. to add a test-only plugin). */
export async function startTestGateway(config: unknown, settings: SettingsInput = {}, registry?: PluginRegistry): Promise<TestGateway> {
  const configPath = await writeTempConfig(config);
  const parsed = settingsFrom({
    CONFIG: configPath,
    PROXY_LISTEN: '127.0.0.1:0',
    ADMIN_LISTEN: '127.0.0.1:0',
    LOG_LEVEL: 'info',
    DRAIN_TIMEOUT_MS: '2000',
    ...settings,
  });
  if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
  const logs: LogLine[] = [];
  const logDestination = { write: (text: string) => void logs.push(...text.trimEnd().split('\n').map((line) => JSON.parse(line) as LogLine)) };
  const gateway = await startGateway({ settings: parsed.settings, logDestination, registry });
  return {
    gateway,
    url: gateway.proxyUrl,
    adminUrl: gateway.adminUrl,
    configPath,
    logs,
    accessLogs: () => logs.filter((line) => line.msg === 'access'),
    writeConfig: async (next) => writeFile(configPath, typeof next === 'string' ? next : stringify(next)),
    close: () => gateway.close(),
  };
}

/** Polls until `predicate` holds (for log lines written after the response reached the client). */
export async function eventually<T>(read: () => T | undefined, what: string, timeoutMs = 3000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** `eventually` for reads that are themselves asynchronous (a file, a scrape). */
export async function eventuallyAsync<T>(read: () => Promise<T | undefined>, what = 'condition', timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
