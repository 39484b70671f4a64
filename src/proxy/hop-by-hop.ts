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
  if (connection === undefined) return null;
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
