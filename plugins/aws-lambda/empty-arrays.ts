/**
 * Kong's `empty_arrays_mode: legacy`: Kong long answered a function's empty JSON arrays as `{}` (a
 * Lua table cannot tell the two apart), and kept that as an option for the configs that came to
 * depend on it. Gatehouse sends the function's JSON as it is unless a config asks for this.
 */
const JSON_TYPE = /^application\/(.*\+)?json\b/i;

function withEmptyArraysAsObjects(value: unknown): unknown {
  if (Array.isArray(value)) return value.length === 0 ? {} : value.map(withEmptyArraysAsObjects);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([name, member]) => [name, withEmptyArraysAsObjects(member)]));
  }
  return value;
}

/** The body with every empty array replaced by `{}`, when it is JSON; otherwise as it is. */
export function legacyEmptyArrays(contentType: string | string[] | undefined, body: Buffer): Buffer {
  const type = Array.isArray(contentType) ? contentType[0] : contentType;
  if (type === undefined || !JSON_TYPE.test(type)) return body;
  try {
    return Buffer.from(JSON.stringify(withEmptyArraysAsObjects(JSON.parse(body.toString('utf8')))));
  } catch {
    return body;
  }
}
