/** Unit: the observability plugins' configs are validated with paths, and a Kong-style config loads with Kong's defaults. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { validateWithBundledPlugins } from '../test/helpers/bundled-plugins.js';

const withPlugins = (plugins: unknown[]) => ({ _format_version: '3.0', plugins });

describe('observability plugin schemas', () => {
  it('reports each bad option with its path', () => {
    const result = validateWithBundledPlugins(
      withPlugins([
        { name: 'http-log', config: { http_endpoint: 'ftp://sink', queue: { max_entries: 0 } } },
        { name: 'file-log', config: { path: '', max_body_bytes: -1 } },
        { name: 'opentelemetry', config: { traces_endpoint: 'http://c/v1/traces', sampling_rate: 2 } },
        { name: 'prometheus', config: { per_consumer: 'yes' } },
      ]),
    );
    assert.equal(result.ok, false);
    const paths = result.ok ? [] : result.issues.map((i) => i.path);
    for (const path of [
      'plugins[0].config.http_endpoint',
      'plugins[0].config.queue.max_entries',
      'plugins[1].config.path',
      'plugins[1].config.max_body_bytes',
      'plugins[2].config.sampling_rate',
      'plugins[3].config.per_consumer',
    ]) {
      assert.ok(paths.includes(path), `${path} in ${paths.join(', ')}`);
    }
  });

  it('fills Kong\'s defaults', () => {
    const result = validateWithBundledPlugins(
      withPlugins([
        { name: 'prometheus' },
        { name: 'http-log', config: { http_endpoint: 'http://sink:9000/logs' } },
        { name: 'opentelemetry', config: { traces_endpoint: 'http://collector:4318/v1/traces' } },
      ]),
    );
    assert.ok(result.ok, JSON.stringify(!result.ok && result.issues));
    const [prometheus, httpLog, otel] = result.config.plugins.map((p) => p.config);
    assert.equal(prometheus!.status_code_metrics, false);
    assert.equal(httpLog!.method, 'POST');
    assert.equal(httpLog!.timeout, 10_000);
    assert.equal((httpLog!.queue as { max_batch_size: number }).max_batch_size, 1);
    assert.equal(httpLog!.log_bodies, false);
    assert.equal((otel!.queue as { max_batch_size: number }).max_batch_size, 200);
  });
});
