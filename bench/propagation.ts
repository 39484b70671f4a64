/**
 * Config propagation in Redis mode: three Gatehouse processes share one private Redis, as replicas
 * would; each admin write (through the instances in turn) is timed from its response until every
 * instance's proxy serves the new route. Issue 5's target is under 100 ms.
 */
import { performance } from 'node:perf_hooks';
import { request } from 'undici';
import { quantile } from '../support/quantile.js';
import { startTestRedis } from '../support/redis.js';
import { servedEverywhere } from '../support/served.js';

const INSTANCES = 3;
const WRITES = 20;
export const PROPAGATION_TARGET_MS = 100;

export interface Instance {
  proxyUrl: string;
  adminUrl: string;
  stop(): Promise<void>;
}

export interface PropagationResult {
  medianMs: number;
  p95Ms: number;
  maxMs: number;
}

/** `start` runs one instance with the given environment, on the seed config holding a service named `bench`. */
export async function measurePropagation(start: (env: Record<string, string>) => Promise<Instance>): Promise<PropagationResult> {
  const redis = await startTestRedis();
  const instances: Instance[] = [];
  try {
    for (let i = 0; i < INSTANCES; i++) instances.push(await start({ GATEHOUSE_REDIS_URL: redis.url }));
    const times: number[] = [];
    for (let i = 0; i < WRITES; i++) {
      const path = `/propagated-${i}`;
      const res = await request(`${instances[i % INSTANCES]!.adminUrl}/services/bench/routes`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: `propagated-${i}`, paths: [path] }),
      });
      await res.body.dump();
      if (res.statusCode !== 201) throw new Error(`admin write answered ${res.statusCode}`);
      times.push(await servedEverywhere(instances.map((instance) => instance.proxyUrl + path), performance.now()));
    }
    return { medianMs: quantile(times, 0.5), p95Ms: quantile(times, 0.95), maxMs: quantile(times, 1) };
  } finally {
    await Promise.all(instances.map((instance) => instance.stop()));
    await redis.close();
  }
}
