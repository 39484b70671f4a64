/** Unit: a container's CPU quota read as whole CPUs, rounded up; no quota is no cap. */
import assert from 'node:assert/strict';
import { availableParallelism } from 'node:os';
import { describe, it } from 'node:test';
import { quotaCpus, usableCpuCount } from './cpu-count.js';

describe('CPU count for GATEHOUSE_WORKERS=auto', () => {
  it('reads a quota as whole CPUs, rounding a fraction up', () => {
    assert.equal(quotaCpus('200000', '100000'), 2);
    assert.equal(quotaCpus('150000', '100000'), 2);
    assert.equal(quotaCpus('50000', '100000'), 1);
  });

  it('reads "max" (cgroup v2) and -1 (cgroup v1) as no quota', () => {
    assert.equal(quotaCpus('max', '100000'), null);
    assert.equal(quotaCpus('-1', '100000'), null);
  });

  it('never counts more CPUs than the process may run on', () => {
    const count = usableCpuCount();
    assert.ok(count >= 1 && count <= availableParallelism(), `counted ${count}`);
  });
});
