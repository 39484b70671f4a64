/** Unit: the drain and worker settings — defaults, `auto`, and one clear line per bad value. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { usableCpuCount } from '../runtime/cpu-count.js';
import { DEFAULT_DRAIN_DELAY_MS, DEFAULT_DRAIN_TIMEOUT_MS, settingsFrom } from './schema.js';

function parsed(input: Parameters<typeof settingsFrom>[0]) {
  const result = settingsFrom(input);
  assert.ok(result.ok, result.ok ? '' : result.errors.join('\n'));
  return result.settings;
}

describe('settings', () => {
  it('drains with a delay long enough for Kubernetes endpoints to catch up, then the in-flight timeout', () => {
    const settings = parsed({});
    assert.equal(settings.DRAIN_DELAY_MS, DEFAULT_DRAIN_DELAY_MS);
    assert.equal(settings.DRAIN_TIMEOUT_MS, DEFAULT_DRAIN_TIMEOUT_MS);
    assert.equal(parsed({ DRAIN_DELAY_MS: '0' }).DRAIN_DELAY_MS, 0);
  });

  it('reads WORKERS as a count or auto (the CPUs this process may use)', () => {
    assert.equal(parsed({}).WORKERS, 1);
    assert.equal(parsed({ WORKERS: '3' }).WORKERS, 3);
    assert.equal(parsed({ WORKERS: 'auto' }).WORKERS, usableCpuCount());
  });

  it('refuses a bad worker count or drain time with one line each', () => {
    assert.deepEqual(settingsFrom({ WORKERS: 'many', DRAIN_DELAY_MS: '-1' }), {
      ok: false,
      errors: ['GATEHOUSE_WORKERS: must be auto or a whole number from 1 to 64', 'GATEHOUSE_DRAIN_DELAY_MS: Too small: expected number to be >=0'],
    });
    for (const bad of ['0', '65', '1.5']) assert.equal(settingsFrom({ WORKERS: bad }).ok, false, bad);
  });
});
