/**
 * ip-restriction: Kong's plugin — refuses clients by address: a client in `deny` is refused, and when
 * `allow` is set, so is every client not in it. The address is the one the gateway derived (the peer,
 * or behind GATEHOUSE_TRUSTED_PROXIES the right-most untrusted X-Forwarded-For entry), never a header
 * an untrusted client sent. The lists are compiled once per config version.
 */
import { definePlugin, Errors, GatewayError } from '../../src/plugin-kit/index.js';
import { AddressRanges } from './address-ranges.js';
import { configSchema, DEFAULT_STATUS } from './schema.js';

export default definePlugin({
  name: 'ip-restriction',
  priority: 990,
  version: '1.0.0',
  configSchema,
  instantiate(config) {
    const deny = config.deny?.length ? new AddressRanges(config.deny) : null;
    const allow = config.allow?.length ? new AddressRanges(config.allow) : null;
    const status = config.status ?? DEFAULT_STATUS;
    const refuse = (clientIp: string, message: string) =>
      new GatewayError(Errors.forbidden, { status, message: config.message ?? message, cause: `ip-restriction: client ${clientIp || '(unknown)'} refused` });
    return {
      access(ctx) {
        const client = ctx.clientIp;
        const denied = deny?.includes(client);
        const allowed = allow?.includes(client);
        if (denied === null || allowed === null) throw refuse(client, 'Cannot identify the client IP address');
        if (denied === true || allowed === false) throw refuse(client, `IP address not allowed: ${client}`);
      },
    };
  },
});
