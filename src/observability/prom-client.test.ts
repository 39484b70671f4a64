/** Unit: the kit's metric classes and the gateway's registry load prom-client on first use, and are then prom-client's own. */
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';
import { Counter, Gauge, Histogram, metricsRegistry } from '../plugin-kit/index.js';

const require = createRequire(import.meta.url);
const promClientLoaded = () => Object.keys(require.cache).some((file) => /[\\/]node_modules[\\/]prom-client[\\/]/.test(file));

describe('prom-client on first use', () => {
  it('is not loaded by importing the kit and the metrics, and is by the first metric', async () => {
    assert.equal(promClientLoaded(), false);
    const counter = new Counter({ name: 'test_first_use_total', help: 'A test counter.', registers: [metricsRegistry] });
    assert.equal(promClientLoaded(), true);
    const real = require('prom-client') as typeof import('prom-client');
    assert.ok(counter instanceof real.Counter && counter instanceof Counter);
    assert.ok(metricsRegistry instanceof real.Registry);
    counter.inc(2);
    const text = await metricsRegistry.metrics();
    // The gateway's own metrics come first, then the plugin's.
    assert.ok(text.indexOf('gatehouse_log_entries_dropped_total') < text.indexOf('test_first_use_total 2'), text);
    assert.equal(metricsRegistry.contentType, real.Registry.PROMETHEUS_CONTENT_TYPE);
  });

  it('keeps subclasses, statics and the other classes working', async () => {
    class Doubled extends Gauge {
      double(): void {
        this.inc(2);
      }
    }
    const gauge = new Doubled({ name: 'test_doubled', help: 'A test gauge.', registers: [metricsRegistry] });
    gauge.double();
    assert.ok(gauge instanceof Gauge);
    assert.equal((await gauge.get()).values[0]?.value, 2);
    const histogram = new Histogram({ name: 'test_seconds', help: 'A test histogram.', buckets: [1], registers: [metricsRegistry] });
    histogram.observe(0.5);
    assert.match(await metricsRegistry.metrics(), /test_seconds_bucket\{le="1"\} 1/);
  });
});
