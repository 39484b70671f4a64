/**
 * A cached upstream answer — status, end-to-end headers, body, when it was stored and how long it is
 * fresh — and its byte form for Redis: a 4-byte length, the head as JSON, then the body as it came
 * (no base64: a 1 MiB body costs 1 MiB in Redis and one copy to read).
 */

/** Bumped when the layout changes; an entry of another version is treated as absent. */
export const ENTRY_VERSION = 1;

export interface StoredResponse {
  status: number;
  headers: Record<string, string | string[]>;
  body: Buffer;
  /** Epoch milliseconds when it was stored. */
  storedAt: number;
  /** Seconds it is fresh for, from storedAt. */
  ttl: number;
  /** Epoch milliseconds when a shared store drops it (its storage TTL), when known. */
  keptUntil?: number;
}

interface Head {
  version: number;
  status: number;
  headers: Record<string, string | string[]>;
  storedAt: number;
  ttl: number;
  keptUntil?: number;
}

/** The byte form; `keptUntil` (epoch ms) is when the store will drop it, read back with the entry. */
export function encodeStored(entry: StoredResponse, keptUntil?: number): Buffer {
  const head: Head = { version: ENTRY_VERSION, status: entry.status, headers: entry.headers, storedAt: entry.storedAt, ttl: entry.ttl, keptUntil };
  const headBytes = Buffer.from(JSON.stringify(head));
  const out = Buffer.allocUnsafe(4 + headBytes.length + entry.body.length);
  out.writeUInt32BE(headBytes.length, 0);
  headBytes.copy(out, 4);
  entry.body.copy(out, 4 + headBytes.length);
  return out;
}

/** The entry, or null when the bytes are not one of this version's. */
export function decodeStored(bytes: Buffer): StoredResponse | null {
  if (bytes.length < 4) return null;
  const headLength = bytes.readUInt32BE(0);
  if (4 + headLength > bytes.length) return null;
  let head: Head;
  try {
    head = JSON.parse(bytes.toString('utf8', 4, 4 + headLength)) as Head;
  } catch {
    return null;
  }
  if (head.version !== ENTRY_VERSION) return null;
  const entry: StoredResponse = { status: head.status, headers: head.headers, body: bytes.subarray(4 + headLength), storedAt: head.storedAt, ttl: head.ttl };
  if (typeof head.keptUntil === 'number') entry.keptUntil = head.keptUntil;
  return entry;
}

/** Bytes an entry holds, for the memory strategy's bound (the head counted roughly, by its text). */
export function storedSize(entry: StoredResponse): number {
  let size = entry.body.length + 64;
  for (const name in entry.headers) size += name.length + String(entry.headers[name]).length;
  return size;
}

/** Kong's shape for GET /proxy-cache/{key}: the body as text, timestamps in seconds. */
export function describeStored(entry: StoredResponse): Record<string, unknown> {
  return {
    status: entry.status,
    headers: entry.headers,
    body: entry.body.toString('utf8'),
    body_len: entry.body.length,
    timestamp: Math.floor(entry.storedAt / 1000),
    ttl: entry.ttl,
    version: ENTRY_VERSION,
  };
}
