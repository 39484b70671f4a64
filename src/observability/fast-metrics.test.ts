/** The directly rendered scrape text of fast metrics says exactly what prom-client's formatter says. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Registry } from 'prom-client';
import { FastCounter, FastHistogram, fastMetricsText } from './fast-metrics.js';

describe('fastMetricsText', () => {
  it('renders the same samples, labels and escaping as prom-client', async () => {
    const registry = new Registry();
    const counter = new FastCounter('test_requests_total', 'Requests, with a \\ and a\nnewline in the help.', ['service', 'route'], registry);
    const histogram = new FastHistogram('test_latency_ms', 'Latency.', ['route'], [1, 10, 100], registry);
    counter.series('quote " backslash \\ newline \n', 'r1').inc(3);
    counter.series('plain', '').inc();
    for (const value of [0.5, 1, 7, 1e6]) histogram.series('r1').observe(value);
    histogram.series('r2');

    const lines = (text: string) => text.split('\n').filter((line) => line !== '');
    assert.deepEqual(lines(fastMetricsText(registry)), lines(await registry.metrics()));
  });
});
