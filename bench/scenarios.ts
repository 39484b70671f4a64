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
];
