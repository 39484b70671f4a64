/**
 * Who a request counts for (`limit_by`), as Kong: consumer, credential, service, header and path fall
 * back to the client IP when absent. The IP is the proxy's client address, which believes
 * X-Forwarded-For only from GATEHOUSE_TRUSTED_PROXIES, so a client cannot choose its own key. The
 * answer is the identity's window keys, looked up by kind and value: the value strings (an address,
 * a consumer id) are the same objects request after request, so no key text is built per request.
 */
import type { RequestContext } from '../../src/plugin-kit/index.js';
import type { RateLimitingConfig } from './schema.js';
import type { SlotKeys } from './slot-keys.js';

/** The store keys of the request's identity, one per window. */
export type Identify = (ctx: RequestContext, keys: SlotKeys) => readonly string[];

const byIp: Identify = (ctx, keys) => keys.for('ip', ctx.clientIp);

export function identityOf(config: RateLimitingConfig): Identify {
  switch (config.limit_by) {
    case 'ip':
      return byIp;
    case 'consumer':
      return (ctx, keys) =>
        ctx.consumer ? keys.for('consumer', ctx.consumer.id) : ctx.credential ? keys.for('credential', ctx.credential.id) : byIp(ctx, keys);
    case 'credential':
      return (ctx, keys) => (ctx.credential ? keys.for('credential', ctx.credential.id) : byIp(ctx, keys));
    case 'service':
      return (ctx, keys) => (ctx.service ? keys.for('service', ctx.service.id) : byIp(ctx, keys));
    case 'header': {
      const name = config.header_name!.toLowerCase();
      return (ctx, keys) => {
        const value = ctx.headers[name];
        const first = Array.isArray(value) ? value[0] : value;
        return first ? keys.for('header', first) : byIp(ctx, keys);
      };
    }
    case 'path': {
      const path = config.path!;
      return (ctx, keys) => (ctx.path === path ? keys.for('path', path) : byIp(ctx, keys));
    }
  }
}
