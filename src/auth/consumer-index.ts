/**
 * Lookup tables over a config version's consumers and their credentials, built once per
 * GatewayConfig object and shared by every auth plugin instance of that version.
 */
import type { BasicAuthCredential, ConsumerEntity, GatewayConfig, JwtSecret, KeyAuthCredential } from '../config/types.js';
import { hashKey } from './credential-hash.js';

export interface Owned<C> {
  consumer: ConsumerEntity;
  credential: C;
}

export interface ConsumerIndex {
  byId: ReadonlyMap<string, ConsumerEntity>;
  byUsername: ReadonlyMap<string, ConsumerEntity>;
  /** At-rest key form (`sha256:…`, whether the config held it plain or hashed) → owner. */
  keys: ReadonlyMap<string, Owned<KeyAuthCredential>>;
  /** Basic-auth username → its credentials (usernames are unique in Kong, but a list costs nothing). */
  basicUsers: ReadonlyMap<string, readonly Owned<BasicAuthCredential>[]>;
  /** jwt_secret `key` → owner. */
  jwtSecrets: ReadonlyMap<string, Owned<JwtSecret>>;
  /** Consumer id → its ACL groups. */
  groups: ReadonlyMap<string, readonly string[]>;
}

const indexes = new WeakMap<GatewayConfig, ConsumerIndex>();

export function consumerIndex(config: GatewayConfig): ConsumerIndex {
  let index = indexes.get(config);
  if (!index) {
    index = buildIndex(config);
    indexes.set(config, index);
  }
  return index;
}

function buildIndex(config: GatewayConfig): ConsumerIndex {
  const byId = new Map<string, ConsumerEntity>();
  const byUsername = new Map<string, ConsumerEntity>();
  const keys = new Map<string, Owned<KeyAuthCredential>>();
  const basicUsers = new Map<string, Owned<BasicAuthCredential>[]>();
  const jwtSecrets = new Map<string, Owned<JwtSecret>>();
  const groups = new Map<string, string[]>();
  for (const consumer of config.consumers) {
    byId.set(consumer.id, consumer);
    if (consumer.username !== undefined) byUsername.set(consumer.username, consumer);
    for (const credential of consumer.keyauth_credentials) keys.set(hashKey(credential.key), { consumer, credential });
    for (const credential of consumer.basicauth_credentials) {
      const list = basicUsers.get(credential.username);
      if (list) list.push({ consumer, credential });
      else basicUsers.set(credential.username, [{ consumer, credential }]);
    }
    for (const credential of consumer.jwt_secrets) jwtSecrets.set(credential.key, { consumer, credential });
    groups.set(
      consumer.id,
      consumer.acls.map((acl) => acl.group),
    );
  }
  return { byId, byUsername, keys, basicUsers, jwtSecrets, groups };
}

/** Kong's `anonymous` option names a consumer by id or username. */
export function findConsumer(index: ConsumerIndex, idOrUsername: string): ConsumerEntity | undefined {
  return index.byId.get(idOrUsername) ?? index.byUsername.get(idOrUsername);
}
