/**
 * Hop-by-hop header handling (RFC 9110 §7.6.1): these headers, and any header a `Connection`
 * header names, describe one connection and are never forwarded in either direction.
 */

const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

/** The lower-case header names a `Connection` header lists, or null when it lists none beyond the usual. */
export function connectionListed(connection: string | string[] | undefined): Set<string> | null {
  // The values nearly every request and response carry, answered without splitting.
  if (connection === undefined || connection === 'keep-alive' || connection === 'close') return null;
  let listed: Set<string> | null = null;
  for (const token of (Array.isArray(connection) ? connection.join(',') : connection).split(',')) {
    const name = token.trim().toLowerCase();
    if (name === '' || name === 'keep-alive' || name === 'close') continue;
    (listed ??= new Set()).add(name);
  }
  return listed;
}

/** The lengths of the names in HOP_BY_HOP: most names are ruled out without hashing them. */
const HOP_BY_HOP_LENGTHS = new Uint8Array(32);
for (const name of HOP_BY_HOP) HOP_BY_HOP_LENGTHS[name.length] = 1;

export function isHopByHop(lowerCaseName: string, listed: Set<string> | null): boolean {
  const length = lowerCaseName.length;
  return (length < 32 && HOP_BY_HOP_LENGTHS[length] === 1 && HOP_BY_HOP.has(lowerCaseName)) || (listed !== null && listed.has(lowerCaseName));
}

/**
 * Appends `headers` to a flat [name, value, …] list, leaving out hop-by-hop headers, those `listed`
 * in Connection, and `skip` (a header the gateway sets itself).
 */
export function appendEndToEnd(
  out: string[],
  headers: Readonly<Record<string, string | string[] | undefined>>,
  listed: Set<string> | null,
  skip: string | null,
): void {
  for (const name in headers) {
    if (name === skip || isHopByHop(name, listed)) continue;
    const value = headers[name];
    if (value === undefined) continue;
    if (typeof value === 'string') out.push(name, value);
    else for (const item of value) out.push(name, item);
  }
}
