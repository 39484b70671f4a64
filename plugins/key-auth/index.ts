/**
 * key-auth: authenticates a consumer by an API key in a header or query argument (Kong's plugin).
 * Keys are looked up by their SHA-256 at-rest form, so plaintext keys from a file and hashed keys
 * from the Redis store match alike. Each credential's identity (consumer headers) is resolved once per
 * config version, not per request.
 */
import {
  applyIdentity,
  AuthGate,
  consumerIndex,
  definePlugin,
  type Identity,
  identityOf,
  type KeyAuthCredential,
  keyDigest,
  type Owned,
  queryArg,
  type RequestContext,
  unauthorized,
} from '../../src/plugin-kit/index.js';
import { configSchema } from './schema.js';

const NAME = 'key-auth';

export default definePlugin({
  name: NAME,
  priority: 1250,
  version: '1.0.0',
  configSchema,
  instantiate(config, { config: gateway }) {
    const index = consumerIndex(gateway);
    const gate = new AuthGate(config, index);
    const challenge = `Key realm="${config.realm}"`;
    const headerNames = config.key_in_header ? config.key_names.map((name) => name.toLowerCase()) : [];
    const queryNames = config.key_in_query ? config.key_names : [];
    /** Bounded by the config's credentials; filled as keys are first used. */
    const identities = new Map<Owned<KeyAuthCredential>, Identity>();
    const identityFor = (owner: Owned<KeyAuthCredential>): Identity => {
      let identity = identities.get(owner);
      if (identity === undefined) {
        identity = identityOf(owner.consumer, { id: owner.credential.id, type: NAME }, owner.credential.id);
        identities.set(owner, identity);
      }
      return identity;
    };

    /** The presented key and where it was, or a 401 for a repeated header. */
    const findKey = (ctx: RequestContext): { key: string; header?: string; query?: string } | undefined => {
      for (const header of headerNames) {
        const value = ctx.headers[header];
        if (Array.isArray(value)) throw unauthorized('Duplicate API key found', challenge);
        if (value !== undefined) return { key: value, header };
      }
      for (const name of queryNames) {
        const value = queryArg(ctx.query, name);
        if (value !== undefined) return { key: value, query: name };
      }
      return undefined;
    };

    return {
      access(ctx) {
        if (gate.skips(ctx)) return;
        const found = findKey(ctx);
        if (found === undefined || found.key === '') {
          gate.fail(ctx, unauthorized('No API key found in request', challenge));
          return;
        }
        if (config.hide_credentials) {
          if (found.header) ctx.setUpstreamHeader(found.header, null);
          if (found.query) ctx.removeQueryArg(found.query);
        }
        const owner = index.keys.get(keyDigest(found.key));
        if (owner === undefined) {
          gate.fail(ctx, unauthorized('Invalid authentication credentials', challenge, 'unknown API key'));
          return;
        }
        applyIdentity(ctx, identityFor(owner));
      },
    };
  },
});
