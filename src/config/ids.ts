/**
 * Deterministic entity ids: a UUID v5-style hash of the entity kind and a natural key, so the same
 * declarative file always yields the same ids (stable across reloads, instances and diffs).
 */
import { createHash } from 'node:crypto';

/** The five groups of a UUID's 32 hex digits. */
const UUID_GROUPS = /^(.{8})(.{4})(.{4})(.{4})(.{12})$/;

/** Fixed namespace so Gatehouse ids never collide with v5 ids derived from other namespaces. */
const NAMESPACE = Buffer.from('9f1c2b7e4d3a5f60812c3e4b5a697d8e', 'hex');

/** The UUID (version 5 layout) for an entity of `kind` identified by `naturalKey`. */
export function deterministicId(kind: string, naturalKey: string): string {
  const bytes = createHash('sha1').update(NAMESPACE).update(`${kind}\0${naturalKey}`).digest().subarray(0, 16);
  bytes[6] = (bytes.readUInt8(6) & 0x0f) | 0x50;
  bytes[8] = (bytes.readUInt8(8) & 0x3f) | 0x80;
  // One flat string: a template of slices would keep a rope of nine pieces per id, for every entity.
  return bytes.toString('hex').replace(UUID_GROUPS, '$1-$2-$3-$4-$5');
}
