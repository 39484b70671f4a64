/**
 * basic-auth: authenticates a consumer by `Authorization: Basic` (or `Proxy-Authorization`) user and
 * password (Kong's plugin). Stored passwords may be plaintext (from a file) or scrypt hashes (the
 * Redis store); hashes are checked off the event loop.
 */
import {
  AuthGate,
  type BasicAuthCredential,
  checkPassword,
  consumerIndex,
  definePlugin,
  headerValue,
  type Owned,
  type RequestContext,
  setConsumer,
  unauthorized,
} from '../../src/plugin-kit/index.js';
import { configSchema } from './schema.js';

const NAME = 'basic-auth';
const BASIC = /^\s*basic\s+(\S+)\s*$/i;
const CREDENTIAL_HEADERS = ['authorization', 'proxy-authorization'];

interface Presented {
  username: string;
  password: string;
  header: string;
}

function presentedCredentials(ctx: RequestContext): Presented | undefined {
  for (const header of CREDENTIAL_HEADERS) {
    const encoded = BASIC.exec(headerValue(ctx.headers, header) ?? '')?.[1];
    if (encoded === undefined) continue;
    const decoded = Buffer.from(encoded, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon > 0) return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1), header };
  }
  return undefined;
}

export default definePlugin({
  name: NAME,
  priority: 1100,
  version: '1.0.0',
  configSchema,
  instantiate(config, { config: gateway }) {
    const index = consumerIndex(gateway);
    // Kong's basic-auth has no run_on_preflight option: preflights are authenticated too.
    const gate = new AuthGate({ anonymous: config.anonymous, run_on_preflight: true }, index);
    const challenge = `Basic realm="${config.realm}"`;
    const invalid = () => unauthorized('Invalid authentication credentials', challenge, 'wrong basic-auth username or password');

    const accept = (ctx: RequestContext, owner: Owned<BasicAuthCredential>): void =>
      setConsumer(ctx, owner.consumer, { id: owner.credential.id, type: NAME }, owner.credential.username);

    /** Tries the user's credentials in turn; synchronous while no scrypt check is needed. */
    const verify = (ctx: RequestContext, password: string, owners: readonly Owned<BasicAuthCredential>[], from = 0): void | Promise<void> => {
      for (const [i, owner] of owners.entries()) {
        if (i < from) continue;
        const ok = checkPassword(password, owner.credential.password);
        if (ok instanceof Promise) {
          return ok.then((matched) => (matched ? accept(ctx, owner) : verify(ctx, password, owners, i + 1)));
        }
        if (ok) return accept(ctx, owner);
      }
      gate.fail(ctx, invalid());
    };

    return {
      access(ctx) {
        if (gate.skips(ctx)) return;
        const presented = presentedCredentials(ctx);
        if (presented === undefined) {
          gate.fail(ctx, unauthorized('Unauthorized', challenge, 'no basic-auth credentials'));
          return;
        }
        if (config.hide_credentials) ctx.setUpstreamHeader(presented.header, null);
        const owners = index.basicUsers.get(presented.username);
        if (owners === undefined) {
          gate.fail(ctx, invalid());
          return;
        }
        return verify(ctx, presented.password, owners);
      },
    };
  },
});
