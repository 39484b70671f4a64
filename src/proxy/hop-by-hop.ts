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

export function isHopByHop(lowerCaseName: string, listed: Set<string> | null): boolean {
  return HOP_BY_HOP.has(lowerCaseName) || (listed !== null && listed.has(lowerCaseName));
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
