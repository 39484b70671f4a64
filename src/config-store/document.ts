/**
 * The stored form of a config version: the normalized GatewayConfig as a flat declarative document
 * (every entity with its id, references as `{id}`), which validateConfig accepts unchanged, with
 * key-auth keys and basic-auth passwords in their hashed at-rest form.
 */
import { hashKey, hashPassword } from '../auth/credential-hash.js';
import type { GatewayConfig } from '../config/types.js';

/** A plain JSON object: what YAML/JSON parsing and the admin API hand around. */
export type Json = Record<string, unknown>;

/** Drops null references (the declarative schema takes a reference or nothing). */
function withoutNullRefs<T extends object>(entity: T, refs: readonly string[]): Json {
  const out: Json = { ...(entity as Json) };
  for (const ref of refs) if (out[ref] === null) delete out[ref];
  return out;
}

/** The declarative document for a normalized config. */
export function toDocument(config: GatewayConfig): Json {
  return {
    _format_version: config._format_version,
    services: config.services,
    routes: config.routes.map((route) => withoutNullRefs(route, ['service'])),
    upstreams: config.upstreams,
    consumers: config.consumers,
    plugins: config.plugins.map((plugin) => withoutNullRefs(plugin, ['service', 'route', 'consumer'])),
    certificates: config.certificates,
    snis: config.snis,
    ca_certificates: config.ca_certificates,
  };
}

/** The config with credential secrets in their at-rest form (already hashed ones are kept). */
export function hashCredentials(config: GatewayConfig): GatewayConfig {
  return {
    ...config,
    consumers: config.consumers.map((consumer) => ({
      ...consumer,
      keyauth_credentials: consumer.keyauth_credentials.map((credential) => ({ ...credential, key: hashKey(credential.key) })),
      basicauth_credentials: consumer.basicauth_credentials.map((credential) => ({ ...credential, password: hashPassword(credential.password) })),
    })),
  };
}
