/** Unit: Kong's healthchecks fields on an upstream — defaults, fractions of seconds, and bad values named by path. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { at } from '../../test/helpers/at.js';
import { configOf, doc, issuesOf } from '../../test/helpers/config-assertions.js';

const upstream = (healthchecks: unknown) => doc({ upstreams: [{ name: 'u', healthchecks, targets: [{ target: '10.0.0.1:80' }] }] });

describe('upstream healthchecks', () => {
  it("fills Kong's defaults, with passive checks on (3 TCP failures or 3 timeouts, 10 s cool-down)", () => {
    const { healthchecks } = at(configOf(doc({ upstreams: [{ name: 'u' }] })).upstreams, 0);
    assert.deepEqual(healthchecks, {
      active: {
        type: 'http',
        timeout: 1,
        concurrency: 10,
        http_path: '/',
        https_verify_certificate: true,
        healthy: { interval: 0, http_statuses: [200, 302], successes: 0 },
        unhealthy: { interval: 0, http_statuses: [429, 404, 500, 501, 502, 503, 504, 505], tcp_failures: 0, timeouts: 0, http_failures: 0 },
      },
      passive: {
        type: 'http',
        healthy: { http_statuses: [200, 201, 202, 203, 204, 205, 206, 207, 208, 226, 300, 301, 302, 303, 304, 305, 306, 307, 308], successes: 0 },
        unhealthy: { http_statuses: [429, 500, 503], tcp_failures: 3, timeouts: 3, http_failures: 0 },
        circuit_breaker: { cooldown: 10, failure_ratio: 0, window: 10, minimum_requests: 20 },
      },
      threshold: 0,
    });
  });

  it('accepts every Kong field, with intervals and timeouts in fractions of seconds', () => {
    const healthchecks = {
      active: {
        type: 'https',
        http_path: '/healthz',
        https_sni: 'orders.internal',
        https_verify_certificate: false,
        headers: { 'x-probe': ['1'] },
        timeout: 0.25,
        concurrency: 4,
        healthy: { interval: 0.5, successes: 2, http_statuses: [200] },
        unhealthy: { interval: 0.5, http_failures: 2, tcp_failures: 1, timeouts: 3, http_statuses: [500] },
      },
      passive: { type: 'http', healthy: { successes: 1, http_statuses: [200] }, unhealthy: { http_failures: 5, tcp_failures: 2, timeouts: 2, http_statuses: [502] } },
      threshold: 50,
    };
    const parsed = at(configOf(upstream(healthchecks)).upstreams, 0).healthchecks;
    assert.equal(parsed.active.healthy.interval, 0.5);
    assert.equal(parsed.active.timeout, 0.25);
    assert.deepEqual(parsed.active.headers, { 'x-probe': ['1'] });
    assert.equal(parsed.passive.unhealthy.http_failures, 5);
    assert.equal(parsed.threshold, 50);
  });

  it('rejects bad values with the path of each field', () => {
    assert.deepEqual(
      issuesOf(
        upstream({
          active: { type: 'grpc', timeout: -1, concurrency: 0, http_path: 'health', healthy: { interval: 70000, http_statuses: [99] }, unhealthy: { tcp_failures: 256 } },
          passive: { unhealthy: { timeouts: 1.5 }, circuit_breaker: { failure_ratio: 2, cooldown: 0 } },
          threshold: 101,
          bogus: true,
        }),
      ).sort(),
      [
        'upstreams[0].healthchecks.active.type: Invalid option: expected one of "http"|"https"|"tcp"',
        'upstreams[0].healthchecks.active.timeout: Too small: expected number to be >=0',
        'upstreams[0].healthchecks.active.concurrency: Too small: expected number to be >=1',
        'upstreams[0].healthchecks.active.http_path: should start with: /',
        'upstreams[0].healthchecks.active.healthy.interval: Too big: expected number to be <=65535',
        'upstreams[0].healthchecks.active.healthy.http_statuses[0]: Too small: expected number to be >=100',
        'upstreams[0].healthchecks.active.unhealthy.tcp_failures: Too big: expected number to be <=255',
        'upstreams[0].healthchecks.passive.unhealthy.timeouts: Invalid input: expected int, received number',
        'upstreams[0].healthchecks.passive.circuit_breaker.cooldown: Too small: expected number to be >=0.001',
        'upstreams[0].healthchecks.passive.circuit_breaker.failure_ratio: Too big: expected number to be <=1',
        'upstreams[0].healthchecks.threshold: Too big: expected number to be <=100',
        'upstreams[0].healthchecks.bogus: unknown field',
      ].sort(),
    );
  });
});
