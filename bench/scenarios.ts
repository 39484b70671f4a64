/**
 * What `npm run bench` measures: each scenario is a config for a Gatehouse process and the request
 * to load it with. Issues that add plugins add their scenario here.
 */
import { startJwtIssuer } from './jwt-issuer.js';
import { startTestRedis } from '../test/helpers/redis.js';
import { LOAD_CPU } from './processes.js';

/** What a scenario's setup step started (a JWKS server, a private Redis), how to use it and how to stop it. */
export interface ScenarioSetup {
  /** Placeholder → value, replaced in the config's strings like `UPSTREAM`. */
  replacements?: Record<string, string>;
  /** Request headers added to the load (e.g. a token made during setup). */
  headers?: Record<string, string>;
  /** Environment for the Gatehouse process (e.g. GATEHOUSE_REDIS_URL). */
  env?: Record<string, string>;
  close(): Promise<void>;
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
  /** Runs before the gateway starts; closed after the scenario. */
  setup?: () => Promise<ScenarioSetup>;
}

export function manyRoutes(count: number): Record<string, unknown> {
  const routes = Array.from({ length: count }, (_, i) => ({ name: `r${i}`, paths: [`/svc${i}/items`], methods: ['GET'] }));
  return { _format_version: '3.0', services: [{ name: 'bench', url: 'UPSTREAM', routes }] };
}

export const PASSTHROUGH = 'gatehouse passthrough';
const BENCH_API_KEY = 'bench-api-key-0123456789abcdef';

/** A private redis-server on a free port (never a shared one), nothing persisted. */
async function privateRedis(): Promise<ScenarioSetup> {
  // On the load generator's CPU: Redis work must not be taken from the gateway under test.
  const redis = await startTestRedis({ cpu: LOAD_CPU });
  return { env: { GATEHOUSE_REDIS_URL: redis.url }, close: redis.close };
}

/**
 * One route limited through Redis, with limits far above what the load can reach, yet below 2³¹ as
 * every real limit is: a larger one (1e10 before) made V8 format a double for X-RateLimit-Remaining
 * on each request, the costliest line of that scenario's profile and a cost no real configuration pays.
 */
function rateLimited(extra: Record<string, unknown>): Record<string, unknown> {
  const plugin = { name: 'rate-limiting', config: { second: 1e8, minute: 1e9, policy: 'redis', limit_by: 'ip', ...extra } };
  return { _format_version: '3.0', services: [{ name: 'bench', url: 'UPSTREAM', routes: [{ name: 'limited', paths: ['/limited'], plugins: [plugin] }] }] };
}

export const PASSTHROUGH_QUIET = 'gatehouse passthrough, no access log';

const passthroughService = { name: 'bench', url: 'UPSTREAM', routes: [{ name: 'pass', paths: ['/pass'] }] };

export const scenarios: GatehouseScenario[] = [
  {
    name: PASSTHROUGH,
    config: { _format_version: '3.0', services: [passthroughService] },
    path: '/pass/hello',
  },
  {
    name: PASSTHROUGH_QUIET,
    config: { _format_version: '3.0', services: [passthroughService] },
    path: '/pass/hello',
    env: { GATEHOUSE_ACCESS_LOG: 'off' },
  },
  {
    // Issue 6's target: ≥ 0.9× the same route with neither metrics nor access log.
    name: 'gatehouse passthrough + prometheus + access log',
    config: {
      _format_version: '3.0',
      services: [passthroughService],
      plugins: [{ name: 'prometheus', config: { status_code_metrics: true, latency_metrics: true, bandwidth_metrics: true } }],
    },
    path: '/pass/hello',
    baseline: PASSTHROUGH_QUIET,
  },
  {
    name: 'gatehouse 10,000 routes',
    config: manyRoutes(10_000),
    path: '/svc7777/items/1',
    baseline: PASSTHROUGH,
  },
  {
    name: 'gatehouse rate-limiting (redis)',
    config: rateLimited({}),
    path: '/limited/hello',
    baseline: PASSTHROUGH,
    setup: privateRedis,
  },
  {
    name: 'gatehouse rate-limiting (redis, sync_rate)',
    config: rateLimited({ sync_rate: 0.5 }),
    path: '/limited/hello',
    baseline: PASSTHROUGH,
    setup: privateRedis,
  },
  {
    name: 'gatehouse jwt (RS256, issuer mode)',
    config: {
      _format_version: '3.0',
      services: [
        {
          name: 'bench',
          url: 'UPSTREAM',
          routes: [
            {
              name: 'jwt',
              paths: ['/jwt'],
              plugins: [{ name: 'jwt', config: { jwks_uri: 'JWKS_URI', issuer: 'ISSUER', audiences: ['bench'], allowed_algorithms: ['RS256'] } }],
            },
          ],
        },
      ],
    },
    path: '/jwt/hello',
    // One token reused by every request: the verified-token cache is what is measured.
    setup: startJwtIssuer,
    baseline: PASSTHROUGH,
  },
  {
    name: 'gatehouse key-auth',
    config: {
      _format_version: '3.0',
      consumers: [{ username: 'bench', keyauth_credentials: [{ key: BENCH_API_KEY }] }],
      services: [{ name: 'bench', url: 'UPSTREAM', routes: [{ name: 'key', paths: ['/key'], plugins: [{ name: 'key-auth' }] }] }],
    },
    path: '/key/hello',
    headers: { apikey: BENCH_API_KEY },
    baseline: PASSTHROUGH,
  },
];
