/** Unit: a target's circuit breaker (thresholds, cool-down, one trial, failure ratio) and active verdicts, on a mocked clock. */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it, mock } from 'node:test';
import { healthchecksSchema } from '../config/healthcheck-schema.js';
import { HealthPolicy } from './health-policy.js';
import { TargetHealth, type CircuitListener } from './target-health.js';

function targetWith(healthchecks: unknown = {}) {
  const events: string[] = [];
  const target = new TargetHealth('u', '10.0.0.1:80', new HealthPolicy(healthchecksSchema.parse(healthchecks)));
  const listener: CircuitListener = {
    circuitOpened: (_t, cause, forMs) => void events.push(`open ${forMs}ms: ${cause}`),
    circuitClosed: () => void events.push('closed'),
  };
  target.listener = listener;
  return { target, events };
}

/** A request's identity, as the proxy passes its context object. */
const request = () => ({});

describe('TargetHealth', () => {
  beforeEach(() => mock.timers.enable({ apis: ['Date'], now: 1_000_000 }));
  afterEach(() => mock.timers.reset());

  it('opens after 3 TCP failures in a row by default, and a success in between resets the count', () => {
    const { target, events } = targetWith();
    target.observeFailure(request(), 'tcp', 'ECONNREFUSED');
    target.observeFailure(request(), 'tcp', 'ECONNREFUSED');
    target.observeStatus(request(), 200);
    target.observeFailure(request(), 'tcp', 'ECONNREFUSED');
    target.observeFailure(request(), 'tcp', 'ECONNREFUSED');
    assert.equal(target.circuit, 'closed');
    assert.ok(target.admit(request()));
    target.observeFailure(request(), 'tcp', 'ECONNREFUSED');
    assert.equal(target.circuit, 'open');
    assert.equal(target.admit(request()), false);
    assert.deepEqual(events, ['open 10000ms: 3 TCP failures in a row (last: ECONNREFUSED)']);
  });

  it('lets exactly one trial through after the cool-down; its success closes the circuit', () => {
    const { target, events } = targetWith({ passive: { circuit_breaker: { cooldown: 0.5 } } });
    for (let i = 0; i < 3; i++) target.observeFailure(request(), 'timeout', 'UND_ERR_HEADERS_TIMEOUT');
    mock.timers.tick(499);
    assert.equal(target.admit(request()), false);
    mock.timers.tick(1);
    const trial = request();
    assert.ok(target.admit(trial));
    assert.equal(target.circuit, 'half_open');
    assert.equal(target.admit(request()), false, 'a second request waits for the trial');
    target.observeStatus(request(), 500);
    assert.equal(target.circuit, 'half_open', 'only the trial decides');
    target.observeStatus(trial, 200);
    assert.equal(target.circuit, 'closed');
    assert.ok(target.admit(request()));
    assert.deepEqual(events, ['open 500ms: 3 timeouts in a row (last: UND_ERR_HEADERS_TIMEOUT)', 'closed']);
  });

  it('re-opens when the trial fails, and hands the trial on when its client left', () => {
    const { target, events } = targetWith({ passive: { unhealthy: { http_failures: 2 } } });
    target.observeStatus(request(), 503);
    target.observeStatus(request(), 500);
    assert.equal(target.circuit, 'open');
    mock.timers.tick(10_000);
    const gone = request();
    assert.ok(target.admit(gone));
    target.observeAbandoned(gone);
    assert.equal(target.circuit, 'open');
    const trial = request();
    assert.ok(target.admit(trial), 'the next request is the trial');
    target.observeStatus(trial, 503);
    assert.equal(target.circuit, 'open');
    assert.equal(target.admit(request()), false);
    assert.equal(events.length, 2);
    assert.match(events[1]!, /^open 10000ms: trial request failed: HTTP 503/);
  });

  it('counts only the statuses listed, and none with a tcp passive type', () => {
    const http = targetWith({ passive: { unhealthy: { http_failures: 1 } } }).target;
    http.observeStatus(request(), 404);
    assert.equal(http.circuit, 'closed');
    http.observeStatus(request(), 429);
    assert.equal(http.circuit, 'open');
    const tcp = targetWith({ passive: { type: 'tcp', unhealthy: { http_failures: 1 } } }).target;
    tcp.observeStatus(request(), 500);
    assert.equal(tcp.circuit, 'closed');
  });

  it('opens on a failure ratio once the window holds enough requests', () => {
    const { target } = targetWith({ passive: { unhealthy: { tcp_failures: 0, timeouts: 0 }, circuit_breaker: { failure_ratio: 0.5, window: 10, minimum_requests: 10 } } });
    for (let i = 0; i < 4; i++) {
      target.observeStatus(request(), 200);
      target.observeFailure(request(), 'tcp', 'ECONNRESET');
    }
    assert.equal(target.circuit, 'closed', '8 requests are below the minimum');
    target.observeStatus(request(), 200);
    target.observeFailure(request(), 'tcp', 'ECONNRESET');
    assert.equal(target.circuit, 'open');
  });

  it('forgets requests older than the window', () => {
    const { target } = targetWith({ passive: { unhealthy: { tcp_failures: 0, timeouts: 0 }, circuit_breaker: { failure_ratio: 0.5, window: 2, minimum_requests: 4 } } });
    target.observeFailure(request(), 'tcp', 'ECONNRESET');
    target.observeFailure(request(), 'tcp', 'ECONNRESET');
    target.observeFailure(request(), 'tcp', 'ECONNRESET');
    mock.timers.tick(3000);
    target.observeStatus(request(), 200);
    target.observeStatus(request(), 200);
    target.observeStatus(request(), 200);
    target.observeFailure(request(), 'tcp', 'ECONNRESET');
    assert.equal(target.circuit, 'closed', '1 failure in the last 4 requests');
  });

  it('keeps a target down on an active verdict, whatever its circuit, until the verdict is lifted', () => {
    const { target } = targetWith();
    target.applyActive(true, 'probe timeouts');
    assert.equal(target.admit(request()), false);
    assert.equal(target.healthy, false);
    assert.equal(target.report(Date.now()).unhealthy_reason, 'probe timeouts');
    target.applyActive(false, null);
    assert.ok(target.admit(request()));
  });

  it('follows a circuit opened elsewhere until the time it was given, then trials like its own', () => {
    const { target, events } = targetWith();
    target.applyCircuitOpen(Date.now() + 2000, 'seen by another instance');
    assert.equal(target.admit(request()), false);
    assert.equal(target.report(Date.now()).unhealthy_until, new Date(Date.now() + 2000).toISOString());
    mock.timers.tick(2000);
    const trial = request();
    assert.ok(target.admit(trial));
    target.observeStatus(trial, 204);
    assert.equal(target.circuit, 'closed');
    assert.deepEqual(events, ['closed'], 'a mirrored change is not announced again; the trial outcome is');
  });
});
