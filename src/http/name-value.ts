/**
 * Kong's `name:value` option entries (the transformers' `add.headers: ["x-api-version:2"]`): the name
 * runs to the first colon, any further colons right after it are skipped, and the rest is the value
 * (which may itself hold colons, as a URL does). One reading for every plugin that takes such lists.
 */

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

export interface NameValue {
  name: string;
  /** "" when the entry has no value. */
  value: string;
}

export function splitNameValue(entry: string): NameValue {
  const colon = entry.indexOf(':');
  if (colon === -1) return { name: entry, value: '' };
  let start = colon + 1;
  while (entry.charCodeAt(start) === 0x3a /* : */) start++;
  return { name: entry.slice(0, colon), value: entry.slice(start) };
}

/** An RFC 9110 field name (a token). */
export function isHeaderName(name: string): boolean {
  return HEADER_NAME.test(name);
}
