/**
 * A request-transformer config made ready once per config version: entries split into names and
 * compiled templates, header names lower-cased, and what a request must read (its query, its values
 * for templates) known in advance, so a request only walks short arrays.
 */
import { splitNameValue } from '../../src/plugin-kit/index.js';
import type { RequestTransformerConfig } from './schema.js';
import { Template } from './template.js';

export interface Change {
  name: string;
  value: Template;
}

/** One part of the request (headers, query or body), edited in Kong's order: remove, rename, replace, add, append. */
export interface Edits {
  remove: readonly string[];
  rename: readonly (readonly [from: string, to: string])[];
  replace: readonly Change[];
  add: readonly Change[];
  append: readonly Change[];
  /**
   * No name is touched by two edits, so each edit sees the request as the client sent it and can be
   * made straight away (the usual config; otherwise edits go through a view of the ones before).
   */
  independent: boolean;
}

export interface Plan {
  method: string | null;
  uri: Template | null;
  /** Null when the config edits nothing there. */
  headers: Edits | null;
  query: Edits | null;
  body: Edits | null;
  /** Some template reads the request (otherwise every value is fixed text). */
  readsRequest: boolean;
}

type Section = 'headers' | 'querystring' | 'body';

function edits(config: RequestTransformerConfig, section: Section, normalise: (name: string) => string): Edits | null {
  const changes = (list: readonly string[]): Change[] =>
    list.map((entry) => {
      const { name, value } = splitNameValue(entry);
      return { name: normalise(name), value: Template.compile(value) };
    });
  const remove = config.remove[section].map(normalise);
  const rename = config.rename[section].map((entry) => {
    const { name, value } = splitNameValue(entry);
    return [normalise(name), normalise(value)] as const;
  });
  const replace = changes(config.replace[section]);
  const add = changes(config.add[section]);
  const append = changes(config.append[section]);
  const touched = [...remove, ...rename.flat(), ...[...replace, ...add, ...append].map((change) => change.name)];
  if (touched.length === 0) return null;
  return { remove, rename, replace, add, append, independent: new Set(touched).size === touched.length };
}

export function compilePlan(config: RequestTransformerConfig): Plan {
  const headers = edits(config, 'headers', (name) => name.toLowerCase());
  const query = edits(config, 'querystring', (name) => name);
  const body = edits(config, 'body', (name) => name);
  const uri = config.replace.uri ? Template.compile(config.replace.uri) : null;
  const templates = [uri, ...[headers, query, body].flatMap((part) => (part ? [...part.replace, ...part.add, ...part.append].map((change) => change.value) : []))];
  return {
    method: config.http_method ?? null,
    uri,
    headers,
    query,
    body,
    readsRequest: templates.some((template) => template !== null && template.fixed === null),
  };
}
