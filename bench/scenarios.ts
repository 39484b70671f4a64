/**
 * What `npm run bench` measures: each scenario is a config for a Gatehouse process and the request
 * to load it with. Issues that add plugins add their scenario here.
 */
import { startJwtIssuer } from './jwt-issuer.js';
import { TestPki, type Issued } from '../support/pki.js';
import { startTestRedis } from '../support/redis.js';
import { LOAD_CPU } from './processes.js';

/** The yardstick process (bench/minimal-proxy.ts), which a scenario may name as its baseline. */
export const MINIMAL_PROXY = 'minimal node:http + undici proxy';
/** The same yardstick behind node:https (TLS 1.3), for the HTTPS listener. */
export const MINIMAL_HTTPS_PROXY = 'minimal node:https + undici proxy';

let benchCertificate: Issued | null = null;

/** One certificate for 127.0.0.1 from a throwaway CA, shared by both HTTPS proxies of the run. */
export function httpsCertificate(): Issued {
  benchCertificate ??= new TestPki('Gatehouse Bench CA').leaf({ dns: ['localhost'], ips: ['127.0.0.1'] });
  return benchCertificate;
}

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

/**
 * Placeholders for the bench upstream's ports as `host:port` targets of an upstream entity (it listens
 * on one port per name); `UPSTREAM` is the first port's URL.
 */
export const UPSTREAM_TARGETS = ['TARGET_A', 'TARGET_B', 'TARGET_C'] as const;

export interface GatehouseScenario {
  name: string;
  /** Declarative config; `UPSTREAM` in strings is replaced by the upstream's URL, `TARGET_A`… by its ports' targets. */
  config: Record<string, unknown>;
  path: string;
  headers?: Record<string, string>;
  env?: Record<string, string>;
  /** What this scenario is compared with in paired rounds: another scenario's name, or MINIMAL_PROXY. */
  baseline?: string;
  /** Loaded through the HTTPS listener (https://127.0.0.1, TLS 1.3 with wrk) rather than the plain one. */
  https?: boolean;
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
 * Rate limiting through Redis, with limits far above what the load can reach, yet below 2³¹ as
 * every real limit is: a larger one (1e10 before) made V8 format a double for X-RateLimit-Remaining
 * on each request, the costliest line of that scenario's profile and a cost no real configuration pays.
 */
function rateLimitPlugin(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { name: 'rate-limiting', config: { second: 1e8, minute: 1e9, policy: 'redis', limit_by: 'ip', ...extra } };
}

/** One route limited by rateLimitPlugin. */
function rateLimited(extra: Record<string, unknown>): Record<string, unknown> {
  return { _format_version: '3.0', services: [{ name: 'bench', url: 'UPSTREAM', routes: [{ name: 'limited', paths: ['/limited'], plugins: [rateLimitPlugin(extra)] }] }] };
}

/** Issuer-mode jwt on the placeholders startJwtIssuer fills in. */
const jwtPlugin = { name: 'jwt', config: { jwks_uri: 'JWKS_URI', issuer: 'ISSUER', audiences: ['bench'], allowed_algorithms: ['RS256'] } };

/** Prometheus with every optional metric family on. */
export const allMetrics = { name: 'prometheus', config: { status_code_metrics: true, latency_metrics: true, bandwidth_metrics: true } };

/** Runs several setup steps as one: their replacements, headers and environments merged, all closed. */
function allOf(...steps: Array<() => Promise<ScenarioSetup>>): () => Promise<ScenarioSetup> {
  return async () => {
    const started: ScenarioSetup[] = [];
    const close = async () => {
      for (const setup of started.reverse()) await setup.close();
    };
    try {
      for (const step of steps) started.push(await step());
    } catch (error) {
      await close();
      throw error;
    }
    return {
      replacements: Object.assign({}, ...started.map((setup) => setup.replacements)),
      headers: Object.assign({}, ...started.map((setup) => setup.headers)),
      env: Object.assign({}, ...started.map((setup) => setup.env)),
      close,
    };
  };
}

export const PASSTHROUGH_QUIET = 'gatehouse passthrough, no access log';

const passthroughService = { name: 'bench', url: 'UPSTREAM', routes: [{ name: 'pass', paths: ['/pass'] }] };

export const BALANCED_UNCHECKED = 'gatehouse 3 targets, no health checks';

/** The passthrough route balanced (round-robin) over the upstream's three ports, with `healthchecks`. */
function balanced(healthchecks: Record<string, unknown>): Record<string, unknown> {
  return {
    _format_version: '3.0',
    upstreams: [{ name: 'bench.internal', healthchecks, targets: UPSTREAM_TARGETS.map((target) => ({ target })) }],
    services: [{ name: 'bench', host: 'bench.internal', routes: [{ name: 'pass', paths: ['/pass'] }] }],
  };
}

/** One route on the bench service carrying `plugins`, under /plugged. */
function plugged(plugins: Record<string, unknown>[]): Record<string, unknown> {
  return { _format_version: '3.0', services: [{ name: 'bench', url: 'UPSTREAM', routes: [{ name: 'plugged', paths: ['/plugged'], plugins }] }] };
}

/** Issue 17's ip-restriction load: 100 allowed ranges, the client's (loopback) among the last. */
const hundredRanges = [...Array.from({ length: 99 }, (_, i) => `10.${i}.0.0/16`), '127.0.0.0/8'];

/** Issue 17's cors load: an origin matched by a regex entry, with credentials and exposed headers. */
const corsPlugin = {
  name: 'cors',
  config: { origins: ['https://app.example.com', '(.*)\\.partner\\.example'], credentials: true, exposed_headers: ['X-Request-Id'], max_age: 3600 },
};

/**
 * Issue 17's request-transformer load: header edits only (no body, no query). The requests are the
 * passthrough's own, so the ratio is the plugin's cost: sending wrk three more headers cost 4% by
 * itself (a plugin-less control route with them: 0.963×). The remove, rename and replace find nothing
 * to change but still look; the add and append (one a template) give the upstream three headers.
 */
const headerTransformer = {
  name: 'request-transformer',
  config: {
    remove: { headers: ['x-debug'] },
    rename: { headers: ['x-client-version:x-api-version'] },
    replace: { headers: ['user-agent:gatehouse-bench'] },
    add: { headers: ['x-gateway:gatehouse', 'x-tenant:$(headers.host)'] },
    append: { headers: ['x-forwarded-by:gatehouse'] },
  },
};

export const scenarios: GatehouseScenario[] = [
  {
    name: PASSTHROUGH,
    config: { _format_version: '3.0', services: [passthroughService] },
    path: '/pass/hello',
    baseline: MINIMAL_PROXY,
  },
  {
    // Issue 14's target: ≥ 0.75× the minimal proxy (p99 ≤ 1.2×) with what a production route carries:
    // every plugin's per-request work, the access log included (on by default). One token, so the jwt
    // plugin's verified-token cache answers, as in the jwt scenario.
    name: 'gatehouse full chain',
    config: {
      _format_version: '3.0',
      services: [
        {
          name: 'bench',
          url: 'UPSTREAM',
          routes: [{ name: 'chain', paths: ['/chain'], plugins: [{ name: 'correlation-id' }, jwtPlugin, rateLimitPlugin()] }],
        },
      ],
      plugins: [allMetrics],
    },
    path: '/chain/hello',
    setup: allOf(startJwtIssuer, privateRedis),
    baseline: MINIMAL_PROXY,
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
      plugins: [allMetrics],
    },
    path: '/pass/hello',
    baseline: PASSTHROUGH_QUIET,
  },
  {
    // Issue 15's target: ≥ 0.9× node:https + undici, TLS 1.3 and keep-alive on both. The certificate is
    // the `*` SNI (wrk sends no server name to an address) and is read from files: cert_path/key_path.
    name: 'gatehouse HTTPS passthrough (TLS 1.3)',
    config: {
      _format_version: '3.0',
      certificates: [{ cert_path: 'CERT_PATH', key_path: 'KEY_PATH', snis: ['*'] }],
      services: [passthroughService],
    },
    path: '/pass/hello',
    https: true,
    setup: async () => ({ replacements: { CERT_PATH: httpsCertificate().certPath, KEY_PATH: httpsCertificate().keyPath }, close: async () => undefined }),
    baseline: MINIMAL_HTTPS_PROXY,
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
          routes: [{ name: 'jwt', paths: ['/jwt'], plugins: [jwtPlugin] }],
        },
      ],
    },
    path: '/jwt/hello',
    // One token reused by every request: the verified-token cache is what is measured.
    setup: startJwtIssuer,
    baseline: PASSTHROUGH,
  },
  {
    // Issue 16's baseline: every check off (Kong's passive counters at 0, no probes).
    name: BALANCED_UNCHECKED,
    config: balanced({ passive: { unhealthy: { tcp_failures: 0, timeouts: 0 } } }),
    path: '/pass/hello',
  },
  {
    // Issue 16's target: ≥ 0.97× the same route without checks — probes every second off the request
    // path, and the passive checks (on by default) observing every answer.
    name: 'gatehouse 3 targets, active + passive health checks',
    config: balanced({ active: { http_path: '/health', healthy: { interval: 1, successes: 2 }, unhealthy: { interval: 1, http_failures: 2, tcp_failures: 2, timeouts: 2 } } }),
    path: '/pass/hello',
    baseline: BALANCED_UNCHECKED,
  },
  {
    // Issue 16's target: ≥ 0.95× passthrough. Consumer hashing without an authenticated consumer hashes
    // the client IP (Kong's fallback), so the load generator's one address always lands on one side.
    name: 'gatehouse canary 50% (consumer hash)',
    config: {
      _format_version: '3.0',
      upstreams: [{ name: 'canary.bench', targets: [{ target: 'TARGET_B' }] }],
      services: [
        {
          name: 'bench',
          url: 'UPSTREAM',
          routes: [{ name: 'pass', paths: ['/pass'], plugins: [{ name: 'canary', config: { percentage: 50, hash: 'consumer', upstream_host: 'canary.bench' } }] }],
        },
      ],
    },
    path: '/pass/hello',
    baseline: PASSTHROUGH,
  },
  {
    // Issue 17: a hit makes no upstream call, so ≥ 2× passthrough. The bench upstream's text/plain
    // answer is cacheable by the defaults; the first request fills the cache, every other one hits.
    name: 'gatehouse proxy-cache hits (memory)',
    config: plugged([{ name: 'proxy-cache', config: { strategy: 'memory' } }]),
    path: '/plugged/hello',
    baseline: PASSTHROUGH,
  },
  {
    name: 'gatehouse proxy-cache hits (redis)',
    config: plugged([{ name: 'proxy-cache', config: { strategy: 'redis' } }]),
    path: '/plugged/hello',
    baseline: PASSTHROUGH,
    setup: privateRedis,
  },
  {
    // Issue 17's targets for the next three: ≥ 0.95× passthrough.
    name: 'gatehouse cors (actual request)',
    config: plugged([corsPlugin]),
    path: '/plugged/hello',
    headers: { origin: 'https://shop.partner.example' },
    baseline: PASSTHROUGH,
  },
  {
    name: 'gatehouse ip-restriction (100 ranges)',
    config: plugged([{ name: 'ip-restriction', config: { allow: hundredRanges } }]),
    path: '/plugged/hello',
    baseline: PASSTHROUGH,
  },
  {
    name: 'gatehouse request-transformer (headers)',
    config: plugged([headerTransformer]),
    path: '/plugged/hello',
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
  {
    // Issue 18: a route answered by a Lambda function (the bench upstream answers Lambda's Invoke API)
    // against passthrough: the body read, API Gateway's 2.0 event built, each call SigV4-signed, the
    // proxy-integration answer read back.
    name: 'gatehouse aws-lambda (API Gateway 2.0 event, SigV4)',
    config: {
      _format_version: '3.0',
      routes: [
        {
          name: 'lambda',
          paths: ['/lambda'],
          plugins: [
            {
              name: 'aws-lambda',
              config: {
                host: '127.0.0.1',
                port: 'FIRST_PORT',
                disable_https: true,
                aws_region: 'eu-west-1',
                aws_key: 'AKIDBENCH',
                aws_secret: 'bench-secret-not-checked',
                function_name: 'bench',
                awsgateway_compatible: true,
                awsgateway_compatible_payload_version: '2.0',
              },
            },
          ],
        },
      ],
    },
    path: '/lambda/hello',
    baseline: PASSTHROUGH,
  },
];
