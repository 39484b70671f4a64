/**
 * acl: allows or denies an authenticated consumer by its ACL groups (Kong's plugin). It runs after
 * the authentication plugins; each consumer's decision is computed once per config version.
 */
import { consumerIndex, definePlugin, Errors, GatewayError } from '../../src/plugin-kit/index.js';
import { configSchema } from './schema.js';

const GROUPS_HEADER = 'x-consumer-groups';
/** Kong's acl answers 401 without a challenge; the contract wants one on every 401. */
const CHALLENGE = 'Bearer realm="gatehouse"';

export default definePlugin({
  name: 'acl',
  priority: 950,
  version: '1.0.0',
  configSchema,
  instantiate(config, { config: gateway }) {
    const index = consumerIndex(gateway);
    const listed = new Set(config.allow ?? config.deny);
    const allowList = config.allow !== undefined;
    const allowed = new Map<string, boolean>();
    const isAllowed = (consumerId: string): boolean => {
      let answer = allowed.get(consumerId);
      if (answer === undefined) {
        const member = (index.groups.get(consumerId) ?? []).some((group) => listed.has(group));
        answer = allowList ? member : !member;
        allowed.set(consumerId, answer);
      }
      return answer;
    };
    return {
      access(ctx) {
        const consumer = ctx.consumer;
        if (consumer === null) {
          // An authorizer without consumers (e.g. forward-auth) authenticated, but there is nothing to check groups of.
          if (ctx.credential !== null) throw new GatewayError(Errors.forbidden, { cause: 'acl: credential without consumer' });
          throw new GatewayError(Errors.unauthorized, { headers: { 'WWW-Authenticate': CHALLENGE }, cause: 'acl: no authenticated consumer' });
        }
        if (!isAllowed(consumer.id)) throw new GatewayError(Errors.forbidden, { cause: `acl: consumer ${consumer.id} not allowed` });
        const groups = index.groups.get(consumer.id) ?? [];
        ctx.setUpstreamHeader(GROUPS_HEADER, config.hide_groups_header || groups.length === 0 ? null : groups.join(', '));
      },
    };
  },
});
