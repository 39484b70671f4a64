/**
 * What changes between two configs, entity by entity, the way decK reports it: entities are matched
 * by kind and name (a plugin by name and scope), not by id, and compared without ids, so a file
 * without ids diffs cleanly against what the admin API created. Credential secrets compare by their
 * hashed form, so a plaintext key equals its stored hash.
 */
import { hashKey, isHashedPassword, verifyPassword } from '../auth/credential-hash.js';
import type { BasicAuthCredential, ConsumerEntity, GatewayConfig } from './types.js';

export interface EntityChange {
  kind: 'service' | 'route' | 'upstream' | 'consumer' | 'plugin' | 'certificate' | 'sni' | 'ca_certificate';
  /** The name decK would show: entity name, else id; plugins as `name (scope)`. */
  name: string;
}

export interface ConfigDiff {
  created: EntityChange[];
  updated: EntityChange[];
  deleted: EntityChange[];
}

type Comparable = Map<string, { change: EntityChange; form: string }>;

/** JSON with sorted keys and without `id` fields (references are replaced by names first). */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) => {
    if (inner === null || typeof inner !== 'object' || Array.isArray(inner)) return inner;
    return Object.fromEntries(
      Object.entries(inner)
        .filter(([field]) => field !== 'id')
        .sort(([a], [b]) => a.localeCompare(b)),
    );
  });
}

function entitiesOf(config: GatewayConfig): Comparable {
  const label = new Map<string, string>();
  for (const s of config.services) label.set(s.id, `service ${s.name ?? s.id}`);
  for (const r of config.routes) label.set(r.id, `route ${r.name ?? r.id}`);
  for (const c of config.consumers) label.set(c.id, `consumer ${c.username ?? c.custom_id}`);
  const ref = (entity: { id: string } | null) => (entity ? label.get(entity.id) ?? entity.id : null);

  const out: Comparable = new Map();
  const add = (kind: EntityChange['kind'], name: string, form: unknown) => out.set(`${kind}:${name}`, { change: { kind, name }, form: canonical(form) });
  for (const s of config.services) add('service', s.name ?? s.id, s);
  for (const r of config.routes) add('route', r.name ?? r.id, { ...r, service: ref(r.service) });
  for (const u of config.upstreams) add('upstream', u.name, u);
  for (const c of config.consumers) add('consumer', c.username ?? `custom_id:${c.custom_id}`, c);
  for (const p of config.plugins) {
    const scope = [p.service, p.route, p.consumer].map(ref).filter(Boolean).join(', ') || 'global';
    add('plugin', p.instance_name ?? `${p.name} (${scope})`, { ...p, service: ref(p.service), route: ref(p.route), consumer: ref(p.consumer) });
  }
  // Certificates have no name: decK shows their id. An SNI names its certificate by id too.
  for (const c of config.certificates) add('certificate', c.id, c);
  for (const sni of config.snis) add('sni', sni.name, { ...sni, certificate: sni.certificate.id });
  for (const ca of config.ca_certificates) add('ca_certificate', ca.id, ca);
  return out;
}

function samePassword(next: string, current: string): boolean {
  if (next === current) return true;
  return isHashedPassword(current) && !isHashedPassword(next) && verifyPassword(next, current);
}

/** `next` with each secret that equals the current one written exactly as the current one is. */
function alignSecrets(current: GatewayConfig, next: GatewayConfig): GatewayConfig {
  const byName = new Map(current.consumers.map((c) => [c.username ?? c.custom_id, c]));
  const align = (consumer: ConsumerEntity): ConsumerEntity => {
    const before = byName.get(consumer.username ?? consumer.custom_id);
    if (!before) return consumer;
    const keys = new Map(before.keyauth_credentials.map((k) => [hashKey(k.key), k.key]));
    const passwords = new Map(before.basicauth_credentials.map((b) => [b.username, b.password]));
    const password = (b: BasicAuthCredential) => {
      const stored = passwords.get(b.username);
      return stored !== undefined && samePassword(b.password, stored) ? stored : b.password;
    };
    return {
      ...consumer,
      keyauth_credentials: consumer.keyauth_credentials.map((k) => ({ ...k, key: keys.get(hashKey(k.key)) ?? k.key })),
      basicauth_credentials: consumer.basicauth_credentials.map((b) => ({ ...b, password: password(b) })),
    };
  };
  return { ...next, consumers: next.consumers.map(align) };
}

export function diffConfigs(current: GatewayConfig, next: GatewayConfig): ConfigDiff {
  const before = entitiesOf(current);
  const after = entitiesOf(alignSecrets(current, next));
  const diff: ConfigDiff = { created: [], updated: [], deleted: [] };
  for (const [key, entity] of after) {
    const old = before.get(key);
    if (!old) diff.created.push(entity.change);
    else if (old.form !== entity.form) diff.updated.push(entity.change);
  }
  for (const [key, entity] of before) if (!after.has(key)) diff.deleted.push(entity.change);
  return diff;
}
