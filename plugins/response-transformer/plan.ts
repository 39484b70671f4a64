/**
 * A response-transformer config made ready once per config version: header names lower-cased, and
 * every JSON value turned into its JSON text by its `json_types` entry — a number that is not one, as
 * Kong's tonumber failing, makes its entry do nothing.
 */
import { splitNameValue } from '../../src/plugin-kit/index.js';
import { JSON_TYPES, type ResponseTransformerConfig } from './schema.js';

type JsonType = (typeof JSON_TYPES)[number];

export interface Change {
  name: string;
  /** Header value, or a JSON value's text. */
  value: string;
}

export interface Edits {
  remove: readonly string[];
  rename: readonly (readonly [from: string, to: string])[];
  replace: readonly Change[];
  add: readonly Change[];
  append: readonly Change[];
}

export interface Plan {
  /** Null when the config edits no header (or no JSON field). */
  headers: Edits | null;
  json: Edits | null;
}

/** As Kong's json_value: the text as a string, or cast to a number or boolean. */
function jsonText(value: string, type: JsonType): string | null {
  if (type === 'boolean') return value === 'true' ? 'true' : 'false';
  if (type === 'number') {
    const number = value.trim() === '' ? NaN : Number(value);
    return Number.isFinite(number) ? JSON.stringify(number) : null;
  }
  return JSON.stringify(value);
}

function nonEmpty(edits: Edits): Edits | null {
  return edits.remove.length + edits.rename.length + edits.replace.length + edits.add.length + edits.append.length === 0 ? null : edits;
}

export function compilePlan(config: ResponseTransformerConfig): Plan {
  const renames = (entries: readonly string[], normalise: (name: string) => string) =>
    entries.flatMap((entry) => {
      const { name, value } = splitNameValue(entry);
      return value === '' ? [] : [[normalise(name), normalise(value)] as const];
    });
  const headerChanges = (entries: readonly string[]): Change[] =>
    entries.flatMap((entry) => {
      const { name, value } = splitNameValue(entry);
      return value === '' ? [] : [{ name: name.toLowerCase(), value }];
    });
  const jsonChanges = (entries: readonly string[], types: readonly JsonType[]): Change[] =>
    entries.flatMap((entry, i) => {
      const { name, value } = splitNameValue(entry);
      const text = value === '' ? null : jsonText(value, types[i] ?? 'string');
      return text === null ? [] : [{ name, value: text }];
    });
  return {
    headers: nonEmpty({
      remove: config.remove.headers.map((name) => name.toLowerCase()),
      rename: renames(config.rename.headers, (name) => name.toLowerCase()),
      replace: headerChanges(config.replace.headers),
      add: headerChanges(config.add.headers),
      append: headerChanges(config.append.headers),
    }),
    json: nonEmpty({
      remove: config.remove.json,
      rename: renames(config.rename.json, (name) => name),
      replace: jsonChanges(config.replace.json, config.replace.json_types),
      add: jsonChanges(config.add.json, config.add.json_types),
      append: jsonChanges(config.append.json, config.append.json_types),
    }),
  };
}
