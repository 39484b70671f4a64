/**
 * Black-box: Kong declarative files of each format version, written in decK's test-data style,
 * converted by `gatehouse import --from kong` (ids and tags kept, pre-3.0 regex paths prefixed, what
 * Gatehouse lacks reported by path) into files `gatehouse validate` accepts; and the CLI's contract
 * (exit codes, the report on stderr) through the real command.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { validateWithBundledPlugins } from './helpers/bundled-plugins.js';
import { IMPORT_FIXTURES, runImportCommand, type Imported } from './helpers/import.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

function reported(imported: Imported, kind: string, path: string): string {
  const entry = imported.report.entries.find((e) => e.kind === kind && e.path === path);
  assert.ok(entry, `no ${kind} entry at ${path}:\n${JSON.stringify(imported.report.entries, null, 1)}`);
  return entry.message;
}

function gatehouse(...args: string[]) {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('GATEHOUSE_')));
  return spawnSync(process.execPath, ['--import', 'tsx', 'src/main.ts', ...args], { cwd: ROOT, env, encoding: 'utf8' });
}

describe('import --from kong', () => {
  it('1.1: regex paths get "~", ids and tags are kept, a 1.x field and a missing plugin are reported', async () => {
    const imported = await runImportCommand('kong', 'kong-1.1.yaml');
    assert.equal(imported.code, 0, imported.stderr);
    assert.ok(validateWithBundledPlugins(imported.config).ok);
    const [service] = imported.config.services;
    assert.equal(service.id, '58076db2-28b6-423b-ba39-a797193017f7');
    assert.deepEqual(service.tags, ['team-a']);
    assert.equal(service.routes[0].id, '87b6a97e-f3f7-4c47-857a-7464cb9e202b');
    assert.deepEqual(service.routes[0].paths, ['~/status/\\d+', '~/code/\\d+', '/plain']);
    assert.equal(imported.config._format_version, '3.0');
    assert.match(reported(imported, 'unmapped', 'services[0].routes[0].plugins[0]'), /post-function is not available/);
    assert.match(reported(imported, 'unmapped', 'services[0].routes[0].plugins[1].run_on'), /unknown field/);
    assert.deepEqual(service.routes[0].plugins.map((p: { name: string }) => p.name), ['correlation-id']);
  });

  it('2.1: an auth plugin Gatehouse lacks closes its route instead of opening it', async () => {
    const imported = await runImportCommand('kong', 'kong-2.1.yaml');
    assert.equal(imported.code, 0, imported.stderr);
    assert.ok(validateWithBundledPlugins(imported.config).ok);
    const [service] = imported.config.services;
    assert.deepEqual(service.routes[0].paths, ['~/orders/(?<id>\\d+)$']);
    assert.equal(service.routes[0].path_handling, 'v1');
    assert.deepEqual(service.routes[1].plugins, [{ name: 'request-termination', config: { status_code: 403, message: 'Forbidden: an access-control plugin of this scope is not supported by Gatehouse' } }]);
    assert.match(reported(imported, 'unmapped', 'services[0].routes[1].plugins[0]'), /oauth2 .* request-termination 403/);
    assert.match(reported(imported, 'unmapped', 'services[0].plugins[0]'), /datadog/);
    assert.equal(imported.config.upstreams[0].targets.length, 2);
  });

  it('3.0 as decK dumps it: no _format_version, consumer groups, deprecated shorthands, vaults', async () => {
    const imported = await runImportCommand('kong', 'kong-3.0.yaml');
    assert.equal(imported.code, 0, imported.stderr);
    assert.ok(validateWithBundledPlugins(imported.config).ok);
    const [rateLimiting, httpLog] = imported.config.services[0].plugins;
    assert.deepEqual(rateLimiting.config, { minute: 100, policy: 'redis', redis: { host: 'redis.internal', port: 6380, database: 2, password: 's3cret', timeout: 250, ssl: false } });
    assert.deepEqual(httpLog.config, { http_endpoint: 'http://logs.internal:9000/ingest', queue: { max_batch_size: 5 } });
    assert.match(reported(imported, 'partial', '_format_version'), /read as "3.0"/);
    assert.match(reported(imported, 'partial', 'consumer_groups'), /ignored/);
    assert.match(reported(imported, 'partial', 'plugins[0]'), /scoped to a consumer group/);
    assert.match(reported(imported, 'partial', 'services[0].plugins[0].config.redis_host'), /read as redis.host/);
    assert.match(reported(imported, 'partial', 'services[0].plugins[1].config.retry_count'), /queue.max_retry_time/);
    assert.match(reported(imported, 'unmapped', 'vaults'), /unknown field/);
    assert.deepEqual(imported.config.plugins, [], 'the consumer-group plugin is not applied to everyone');
  });

  it('gatehouse validate reads the shorthands and a missing _format_version itself, with warnings', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-kong-'));
    const out = gatehouse('import', '--from', 'kong', join(IMPORT_FIXTURES, 'kong-3.0.yaml'), '-o', join(dir, 'out.yaml'));
    assert.equal(out.status, 0, out.stderr);
    assert.match(out.stderr, /^unmapped vaults: unknown field: removed$/m);
    assert.match(out.stderr, /^\d+ mapped, \d+ partial, 1 unmapped$/m);
    const text = readFileSync(join(dir, 'out.yaml'), 'utf8').replace('_format_version: "3.0"\n', '');
    const file = join(dir, 'no-version.yaml');
    spawnSync('sh', ['-c', `cat > ${file}`], { input: `${text}\nconsumer_groups: [{name: gold}]\n` });
    const validated = gatehouse('validate', file);
    assert.equal(validated.status, 0, validated.stderr);
    assert.match(validated.stderr, /^warning: _format_version: missing; read as "3\.0"/m);
    assert.match(validated.stderr, /^warning: consumer_groups: /m);
  });

  it('exit codes: 1 for an unreadable input, 2 for a bad command line', () => {
    const missing = gatehouse('import', '--from', 'kong', 'no/such/file.yaml');
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /cannot read file/);
    const bad = gatehouse('import', '--from', 'tyk', 'x.yaml');
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /--from must be aws, openapi or kong/);
  });
});
