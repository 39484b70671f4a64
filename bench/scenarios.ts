/**
 * What `npm run bench` measures: each scenario is a config for a Gatehouse process and the request
 * to load it with. Issues that add plugins add their scenario here.
 */
import { startTestRedis } from '../test/helpers/redis.js';

/** A resource a scenario needs while it runs (e.g. its own Redis), with the env that points Gatehouse at it. */
export interface ScenarioResources {
  env: Record<string, string>;
  stop(): Promise<void>;
}
export interface GatehouseScenario {
  name: string;
  /** Declarative config; `UPSTREAM` in strings is replaced by the upstream's URL. */
  config: Record<string, unknown>;
  path: string;
  headers?: Record<string, string>;
  env?: Record<string, string>;
  /** Compared with this scenario's requests/s, printed as a ratio. */
  baseline?: string;
  /** Started before the Gatehouse process and stopped after it. */
  setup?: () => Promise<ScenarioResources>;
}

function manyRoutes(count: number): Record<string, unknown> {
  const routes = Array.from({ length: count }, (_, i) => ({ name: `r${i}`, paths: [`/svc${i}/items`], methods: ['GET'] }));
  return { _format_version: '3.0', services: [{ name: 'bench', url: 'UPSTREAM', routes }] };
}

export const PASSTHROUGH = 'gatehouse passthrough';

/** A private redis-server on a free port (never a shared one), nothing persisted. */
async function privateRedis(): Promise<ScenarioResources> {
  const redis = await startTestRedis();
  return { env: { GATEHOUSE_REDIS_URL: redis.url }, stop: redis.close };
}

/** One route limited through Redis, with limits far above what the load can reach. */
function rateLimited(extra: Record<string, unknown>): Record<string, unknown> {
  const plugin = { name: 'rate-limiting', config: { second: 1e9, minute: 1e10, policy: 'redis', limit_by: 'ip', ...extra } };
  return { _format_version: '3.0', services: [{ name: 'bench', url: 'UPSTREAM', routes: [{ name: 'limited', paths: ['/limited'], plugins: [plugin] }] }] };
}

export const scenarios: GatehouseScenario[] = [
  {
    name: PASSTHROUGH,
    config: { _format_version: '3.0', services: [{ name: 'bench', url: 'UPSTREAM', routes: [{ name: 'pass', paths: ['/pass'] }] }] },
    path: '/pass/hello',
  },
  {
    name: 'gatehouse 10,000 routes',
    config: manyRoutes(10_000),
    path: '/svc7777/items/1',
    baseline: PASSTHROUGH,
  },
  {
    name: 'rate-limiting (redis)',
    config: rateLimited({}),
    path: '/limited/hello',
    baseline: PASSTHROUGH,
    setup: privateRedis,
  },
  {
    name: 'rate-limiting (redis, sync_rate)',
    config: rateLimited({ sync_rate: 0.5 }),
    path: '/limited/hello',
    baseline: PASSTHROUGH,
    setup: privateRedis,
  },
];
