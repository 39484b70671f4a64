/**
 * hsts: answers sent over HTTPS carry Strict-Transport-Security, so browsers stop trying plain HTTP.
 * A plugin rather than a route field because that is what scoping already is: global, per service,
 * per route (the most specific wins), the same in the file and the admin API, and free on routes that
 * do not use it; Kong has no such field to stay compatible with. Sent only when the client's scheme
 * (the forwarded one behind a trusted proxy) is https, as RFC 6797 §7.2 requires; it replaces an
 * upstream's own header, so the gateway's policy is the one browsers see.
 */
import { definePlugin } from '../../src/plugin-kit/index.js';
import { configSchema } from './schema.js';

export default definePlugin({
  name: 'hsts',
  priority: 799,
  version: '1.0.0',
  configSchema,
  instantiate(config) {
    const value = `max-age=${config.max_age}${config.include_subdomains ? '; includeSubDomains' : ''}${config.preload ? '; preload' : ''}`;
    return {
      response(ctx, head) {
        if (ctx.forwardedScheme === 'https') head.headers['strict-transport-security'] = value;
      },
    };
  },
});
