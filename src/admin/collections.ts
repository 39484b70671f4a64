/**
 * The Kong admin API's entity collections over a GatewayConfig: top-level lists (`/services`),
 * lists nested by reference (`/services/{s}/routes`) and lists held by their parent
 * (`/upstreams/{u}/targets`, `/consumers/{c}/key-auth`), each resolved to the array that holds it.
 */
import type { GatewayConfig } from '../config/types.js';
import { notFound } from './admin-errors.js';

export type Entity = { id: string } & Record<string, unknown>;

export interface CollectionSpec {
  /** URL segment. */
  segment: string;
  /** Fields besides `id` that find an entity from the URL (e.g. a service's name). */
  nameFields: readonly string[];
  /** Never shown in responses: credential secrets, and nested lists served by their own paths. */
  hidden: readonly string[];
  /** Plugins scoped to a deleted entity of this kind are deleted with it, as in Kong. */
  pluginRef?: 'service' | 'route' | 'consumer';
  /**
   * Entities of another list that belong to one of this kind (a certificate's SNIs): deleted with it,
   * and replaced when a write gives the shorthand field (`snis: [names]`), as in Kong.
   */
  dependents?: { list: ListKey; ref: string; shorthand: string };
  /** Fields a response shows beside the stored ones, derived from the config (a certificate's SNI names). */
  derived?: (entity: Entity, config: GatewayConfig) => Record<string, unknown>;
}

type ListKey = 'services' | 'routes' | 'consumers' | 'plugins' | 'upstreams' | 'certificates' | 'snis' | 'ca_certificates';

export interface TopLevel extends CollectionSpec {
  segment: ListKey;
}

export const SERVICES: TopLevel = { segment: 'services', nameFields: ['name'], hidden: [], pluginRef: 'service' };
export const ROUTES: TopLevel = { segment: 'routes', nameFields: ['name'], hidden: [], pluginRef: 'route' };
export const CONSUMERS: TopLevel = {
  segment: 'consumers',
  nameFields: ['username', 'custom_id'],
  hidden: ['keyauth_credentials', 'jwt_secrets', 'basicauth_credentials', 'acls'],
  pluginRef: 'consumer',
};
export const PLUGINS: TopLevel = { segment: 'plugins', nameFields: ['instance_name'], hidden: [] };
export const UPSTREAMS: TopLevel = { segment: 'upstreams', nameFields: ['name'], hidden: ['targets'] };
export const CERTIFICATES: TopLevel = {
  segment: 'certificates',
  nameFields: [],
  // A private key goes in and never comes out (Kong shows it; Gatehouse's contract does not).
  hidden: ['key', 'key_alt'],
  dependents: { list: 'snis', ref: 'certificate', shorthand: 'snis' },
  derived: (entity, config) => ({ snis: config.snis.filter((sni) => sni.certificate.id === entity.id).map((sni) => sni.name) }),
};
export const SNIS: TopLevel = { segment: 'snis', nameFields: ['name'], hidden: [] };
export const CA_CERTIFICATES: TopLevel = { segment: 'ca_certificates', nameFields: [], hidden: [] };
export const TOP_LEVEL: readonly TopLevel[] = [SERVICES, ROUTES, CONSUMERS, PLUGINS, UPSTREAMS, CERTIFICATES, SNIS, CA_CERTIFICATES];

/** A nested list: children in a top-level list pointing at the parent, or in an array of the parent. */
export interface Nested {
  parent: TopLevel;
  child: CollectionSpec;
  holder: { list: ListKey; ref: 'service' | 'route' | 'consumer' | 'certificate' } | { field: string; parentKey: string };
}

const child = (segment: string, nameFields: string[], hidden: string[] = []): CollectionSpec => ({ segment, nameFields, hidden });

export const NESTED: readonly Nested[] = [
  { parent: SERVICES, child: ROUTES, holder: { list: 'routes', ref: 'service' } },
  { parent: SERVICES, child: PLUGINS, holder: { list: 'plugins', ref: 'service' } },
  { parent: ROUTES, child: PLUGINS, holder: { list: 'plugins', ref: 'route' } },
  { parent: CONSUMERS, child: PLUGINS, holder: { list: 'plugins', ref: 'consumer' } },
  { parent: CERTIFICATES, child: SNIS, holder: { list: 'snis', ref: 'certificate' } },
  { parent: UPSTREAMS, child: child('targets', ['target']), holder: { field: 'targets', parentKey: 'upstream' } },
  // key-auth keys are stored hashed, so a key cannot name its credential in a URL: by id only.
  { parent: CONSUMERS, child: child('key-auth', [], ['key']), holder: { field: 'keyauth_credentials', parentKey: 'consumer' } },
  { parent: CONSUMERS, child: child('jwt', ['key'], ['secret']), holder: { field: 'jwt_secrets', parentKey: 'consumer' } },
  { parent: CONSUMERS, child: child('basic-auth', ['username'], ['password']), holder: { field: 'basicauth_credentials', parentKey: 'consumer' } },
  { parent: CONSUMERS, child: child('acls', ['group']), holder: { field: 'acls', parentKey: 'consumer' } },
];

/** One collection resolved against a config. */
export interface Scope {
  spec: CollectionSpec;
  /** The array holding the entities; writes change it in place. */
  items: Entity[];
  /** Document path of `items`, e.g. `upstreams[2].targets`. */
  path: string;
  belongs: (entity: Entity) => boolean;
  /** Fields a created entity takes from its parent (e.g. `service: {id}`). */
  parentFields: Record<string, unknown>;
  /** Shown on each entity, as Kong does (e.g. `consumer: {id}` on a credential). */
  renderFields: Record<string, unknown>;
  /** The config the scope was resolved against. */
  config: GatewayConfig;
}

export function topLevelScope(spec: TopLevel, config: GatewayConfig): Scope {
  return { spec, items: config[spec.segment] as unknown as Entity[], path: spec.segment, belongs: () => true, parentFields: {}, renderFields: {}, config };
}

export function nestedScope(nested: Nested, config: GatewayConfig, parentKey: string): Scope {
  const parents = topLevelScope(nested.parent, config);
  const parent = find(parents, parentKey);
  if (!parent) throw notFound();
  const { holder } = nested;
  if ('list' in holder) {
    const ref = { [holder.ref]: { id: parent.id } };
    return {
      spec: nested.child,
      items: config[holder.list] as unknown as Entity[],
      path: holder.list,
      belongs: (entity) => (entity[holder.ref] as { id: string } | null)?.id === parent.id,
      parentFields: ref,
      renderFields: {},
      config,
    };
  }
  return {
    spec: nested.child,
    items: parent[holder.field] as Entity[],
    path: `${parents.path}[${parents.items.indexOf(parent)}].${holder.field}`,
    belongs: () => true,
    parentFields: {},
    renderFields: { [holder.parentKey]: { id: parent.id } },
    config,
  };
}

/** The entity named `key` (its id, else one of its name fields) in the scope. */
export function find(scope: Scope, key: string): Entity | undefined {
  const members = scope.items.filter(scope.belongs);
  return members.find((entity) => entity.id === key) ?? members.find((entity) => scope.spec.nameFields.some((field) => entity[field] === key));
}

/** The entity as a response shows it: secrets and nested lists left out. */
export function render(scope: Scope, entity: Entity): Record<string, unknown> {
  const shown: Record<string, unknown> = { ...scope.renderFields, ...entity, ...scope.spec.derived?.(entity, scope.config) };
  for (const field of scope.spec.hidden) delete shown[field];
  return shown;
}
