/**
 * cors: Kong's plugin — answers browsers' preflight requests at the gateway (before authentication:
 * browsers send no credentials on them), and adds Access-Control-Allow-Origin and the headers that go
 * with it to every other answer, proxied or gateway-made. An origin that is not allowed gets no CORS
 * headers (its browser refuses the answer); it is not an error. Everything but the request's origin is
 * joined into header values once per config version.
 */
import { definePlugin, type ResponseHead } from '../../src/plugin-kit/index.js';
import { OriginPolicy } from './origins.js';
import { configSchema } from './schema.js';

const NAME = 'cors';
/** ctx.vars mark of a preflight this plugin answered or let through: the response phase leaves it alone. */
const PREFLIGHT = 'preflight';

/** Adds Origin to Vary, keeping what the upstream listed. */
function varyOnOrigin(headers: ResponseHead['headers']): void {
  const vary = headers.vary;
  if (vary === undefined) headers.vary = 'Origin';
  else if (Array.isArray(vary)) headers.vary = [...vary, 'Origin'];
  else if (!/(?:^|,)\s*(?:origin|\*)\s*(?:,|$)/i.test(vary)) headers.vary = `${vary}, Origin`;
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

export default definePlugin({
  name: NAME,
  priority: 2000,
  version: '1.0.0',
  configSchema,
  instantiate(config) {
    const policy = new OriginPolicy(config.origins);
    const allowMethods = config.methods.join(',');
    const allowHeaders = config.headers?.length ? config.headers.join(',') : null;
    const exposeHeaders = config.exposed_headers?.length ? config.exposed_headers.join(',') : null;
    const maxAge = config.max_age == null ? null : String(config.max_age);

    /**
     * Access-Control-Allow-Origin and -Credentials for a request, into `headers`; false when the origin
     * is not allowed. With credentials a `*` cannot stand (browsers refuse it): the origin is echoed.
     */
    const allowOrigin = (headers: ResponseHead['headers'], origin: string | undefined): boolean => {
      let allowed = policy.allowed(origin);
      if (policy.varies) varyOnOrigin(headers);
      if (allowed === null) return false;
      if (config.credentials) {
        if (allowed === '*' && origin) {
          allowed = origin;
          if (!policy.varies) varyOnOrigin(headers);
        }
        if (allowed !== '*') headers['access-control-allow-credentials'] = 'true';
      }
      headers['access-control-allow-origin'] = allowed;
      return true;
    };

    return {
      access(ctx) {
        if (ctx.method !== 'OPTIONS') return;
        const origin = single(ctx.headers.origin);
        if (!origin || ctx.headers['access-control-request-method'] === undefined) return;
        ctx.vars[NAME] = PREFLIGHT;
        if (config.preflight_continue) return;
        const headers: ResponseHead['headers'] = {};
        if (allowOrigin(headers, origin)) {
          const requested = ctx.headers['access-control-request-headers'];
          if (allowHeaders !== null || requested !== undefined) headers['access-control-allow-headers'] = allowHeaders ?? requested;
          headers['access-control-allow-methods'] = allowMethods;
          if (maxAge !== null) headers['access-control-max-age'] = maxAge;
          if (config.private_network && ctx.headers['access-control-request-private-network'] === 'true') {
            headers['access-control-allow-private-network'] = 'true';
          }
        }
        return { status: 200, headers: headers as Record<string, string | string[]> };
      },
      response(ctx, head) {
        if (ctx.vars[NAME] === PREFLIGHT) return;
        const origin = single(ctx.headers.origin);
        if (!origin && !config.allow_origin_absent) return;
        if (!allowOrigin(head.headers, origin)) {
          // Kong's rule: an upstream's own allowance does not stand for an origin the plugin refuses.
          delete head.headers['access-control-allow-origin'];
          return;
        }
        if (exposeHeaders !== null) head.headers['access-control-expose-headers'] = exposeHeaders;
      },
    };
  },
});
