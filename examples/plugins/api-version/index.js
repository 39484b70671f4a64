// @ts-check
/**
 * api-version: an example of a user's own plugin, run with GATEHOUSE_PLUGINS=bundled,./api-version/index.js.
 * Each request must name an API version the route serves (in a header, or the route's default): the
 * upstream gets it, the client sees it on the answer, the access log and a metric count it. Plain
 * JavaScript, so the gateway loads it as it is; `// @ts-check` still checks it against the kit's types.
 */
import { Counter, definePlugin, Errors, GatewayError, metricsRegistry, z } from 'gatehouse/plugin-kit';

const NAME = 'api-version';

/** Registered once, when the gateway loads this module; /metrics serves it with the gateway's own. */
const requests = new Counter({
  name: 'gatehouse_api_version_requests_total',
  help: 'Requests by the API version they asked for (api-version plugin).',
  labelNames: ['version'],
  registers: [metricsRegistry],
});

const configSchema = z
  .strictObject({
    header_name: z.string().min(1).default('X-Api-Version').describe('Header the client names the version in; the upstream and the answer get it too.'),
    versions: z.array(z.string().min(1)).min(1).describe('Versions this route serves.'),
    default_version: z.string().min(1).optional().describe('Version of a request that names none; without it such a request gets 400.'),
  })
  .refine((config) => config.default_version === undefined || config.versions.includes(config.default_version), {
    path: ['default_version'],
    error: 'must be one of versions',
  });

export default definePlugin({
  name: NAME,
  priority: 850,
  version: '1.0.0',
  configSchema,
  // Once per configured instance per config version: everything a request needs is prepared here.
  instantiate(config) {
    const header = config.header_name.toLowerCase();
    const served = new Set(config.versions);
    const counters = new Map(config.versions.map((version) => [version, requests.labels(version)]));
    return {
      access(ctx) {
        const asked = ctx.headers[header];
        const version = typeof asked === 'string' ? asked : config.default_version;
        if (version === undefined) {
          // The contract's error body: {message, error: "bad_request", request_id}.
          throw new GatewayError(Errors.badRequest, { message: `${config.header_name} is required`, cause: `${NAME}: no version asked` });
        }
        if (!served.has(version)) {
          // An answer of the plugin's own, instead of proxying.
          return { status: 400, body: { message: `API version ${JSON.stringify(version)} is not served here`, versions: config.versions } };
        }
        ctx.vars[NAME] = version;
        ctx.setUpstreamHeader(header, version);
        ctx.addLogField('api_version', version);
      },
      response(ctx, head) {
        const version = ctx.vars[NAME];
        if (typeof version === 'string') head.headers[header] = version;
      },
      log(ctx) {
        const version = ctx.vars[NAME];
        if (typeof version === 'string') counters.get(version)?.inc();
      },
    };
  },
});
