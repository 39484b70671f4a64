/**
 * What `npm run bench` measures: each scenario is a config for a Gatehouse process and the request
 * to load it with. Issues that add plugins add their scenario here.
 */
export interface GatehouseScenario {
  name: string;
  /** Declarative config; `UPSTREAM` in strings is replaced by the upstream's URL. */
  config: Record<string, unknown>;
  path: string;
  headers?: Record<string, string>;
  env?: Record<string, string>;
  /** Compared with this scenario's requests/s, printed as a ratio. */
  baseline?: string;
}

function manyRoutes(count: number): Record<string, unknown> {
  const routes = Array.from({ length: count }, (_, i) => ({ name: `r${i}`, paths: [`/svc${i}/items`], methods: ['GET'] }));
  return { _format_version: '3.0', services: [{ name: 'bench', url: 'UPSTREAM', routes }] };
}

export const PASSTHROUGH = 'gatehouse passthrough';
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
];
