/**
 * How many CPUs this process may really use, for GATEHOUSE_WORKERS=auto: the CPUs it may run on
 * (affinity, as taskset or a cpuset sets it) and, in a container, its CPU quota. A Kubernetes pod
 * with `limits.cpu: 2` on a 32-core node sees 32 CPUs but gets 2 CPUs' worth of time: 32 workers there
 * would only add memory and context switches, so the quota decides, rounded up as Go's automaxprocs
 * and the JVM's container support do.
 */
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';

/** Where a cgroup v2 container's quota is (`cpu.max`: "<quota> <period>" or "max <period>"), then cgroup v1's. */
const CGROUP_V2_CPU_MAX = '/sys/fs/cgroup/cpu.max';
const CGROUP_V1_QUOTA = '/sys/fs/cgroup/cpu/cpu.cfs_quota_us';
const CGROUP_V1_PERIOD = '/sys/fs/cgroup/cpu/cpu.cfs_period_us';

function read(path: string): string | null {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return null;
  }
}

/** CPUs' worth of time a quota grants, rounded up (1.5 CPUs → 2); null when there is no quota. */
export function quotaCpus(quota: string, period: string): number | null {
  const [q, p] = [Number(quota), Number(period)];
  if (!Number.isFinite(q) || !Number.isFinite(p) || q <= 0 || p <= 0) return null;
  return Math.max(1, Math.ceil(q / p));
}

/** The quota of this process's cgroup (v2, else v1), or null when unlimited or not in a cgroup. */
function cgroupQuotaCpus(): number | null {
  const v2 = read(CGROUP_V2_CPU_MAX);
  if (v2 !== null) {
    const [quota = 'max', period = ''] = v2.split(/\s+/);
    return quotaCpus(quota, period);
  }
  const [quota, period] = [read(CGROUP_V1_QUOTA), read(CGROUP_V1_PERIOD)];
  return quota !== null && period !== null ? quotaCpus(quota, period) : null;
}

/** The CPUs this process may run on, capped by its container's CPU quota. */
export function usableCpuCount(): number {
  const cpus = availableParallelism();
  const quota = cgroupQuotaCpus();
  return quota === null ? cpus : Math.min(cpus, quota);
}
