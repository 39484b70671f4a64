/**
 * Who a request counts for (`limit_by`), as Kong: consumer, credential, service, header and path fall
 * back to the client IP when absent. The IP is the proxy's client address, which believes
 * X-Forwarded-For only from GATEHOUSE_TRUSTED_PROXIES, so a client cannot choose its own key.
 */
import type { RequestContext } from '../../src/pipeline/contract.js';
import type { RateLimitingConfig } from './schema.js';

export type Identify = (ctx: RequestContext) => string;

const byIp: Identify = (ctx) => `ip:${ctx.clientIp}`;

export function identityOf(config: RateLimitingConfig): Identify {
  switch (config.limit_by) {
    case 'ip':
      return byIp;
    case 'consumer':
      return (ctx) => (ctx.consumer ? `consumer:${ctx.consumer.id}` : ctx.credential ? `credential:${ctx.credential.id}` : byIp(ctx));
    case 'credential':
      return (ctx) => (ctx.credential ? `credential:${ctx.credential.id}` : byIp(ctx));
    case 'service':
      return (ctx) => (ctx.service ? `service:${ctx.service.id}` : byIp(ctx));
    case 'header': {
      const name = config.header_name!.toLowerCase();
      return (ctx) => {
        const value = ctx.headers[name];
        const first = Array.isArray(value) ? value[0] : value;
        return first ? `header:${first}` : byIp(ctx);
      };
    }
    case 'path': {
      const path = config.path!;
      return (ctx) => (ctx.path === path ? `path:${path}` : byIp(ctx));
    }
  }
}
