/**
 * The local snapshot of the last applied config version, so an instance can start and serve while
 * Redis is down. Written atomically (temp file + rename) so a crash never leaves half a file.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

export interface Snapshot {
  version: number;
  document: unknown;
}

export async function writeSnapshot(path: string, snapshot: Snapshot): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temp = `${path}.${process.pid}.tmp`;
  // The snapshot holds what the config holds, certificates' private keys included: owner-only.
  await writeFile(temp, JSON.stringify(snapshot), { mode: 0o600 });
  await rename(temp, path);
}

/** The snapshot at `path`, or null when there is none or it is not a snapshot. */
export async function readSnapshot(path: string): Promise<Snapshot | null> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(path, 'utf8'));
  } catch {
    return null;
  }
  const candidate = parsed as Partial<Snapshot> | null;
  if (!candidate || !Number.isInteger(candidate.version) || typeof candidate.document !== 'object') return null;
  return { version: candidate.version!, document: candidate.document };
}
