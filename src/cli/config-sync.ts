/**
 * `gatehouse diff FILE` and `gatehouse apply FILE`, decK-style: the admin API computes what would be
 * created, updated and deleted; `apply` then replaces the whole config in one version, with If-Match
 * on the version the diff was made against, so a change made meanwhile is never overwritten.
 */
import { ConfigFileError, readConfigFile } from '../config/load-file.js';
import type { ConfigDiff } from '../config/diff.js';
import { AdminCallError, type AdminCommandArgs } from './admin-client.js';
import type { CommandOutput } from './validate.js';

type DiffAnswer = ConfigDiff & { config_version: number };

function printDiff(diff: ConfigDiff, out: CommandOutput): number {
  const lines = [
    ...diff.created.map((e) => `creating ${e.kind} ${e.name}`),
    ...diff.updated.map((e) => `updating ${e.kind} ${e.name}`),
    ...diff.deleted.map((e) => `deleting ${e.kind} ${e.name}`),
  ];
  for (const line of lines) out.stdout.write(`${line}\n`);
  out.stdout.write(`Summary: created ${diff.created.length}, updated ${diff.updated.length}, deleted ${diff.deleted.length}\n`);
  return lines.length;
}

/** Prints an admin or file error (with every field error) and returns exit code 1. */
export function reportFailure(error: unknown, out: CommandOutput): number {
  if (error instanceof ConfigFileError) {
    out.stderr.write(`${error.message}\n`);
    return 1;
  }
  if (!(error instanceof AdminCallError)) throw error;
  out.stderr.write(`gatehouse: ${error.message}\n`);
  for (const [path, reason] of Object.entries(error.fields)) out.stderr.write(`  ${path}: ${reason}\n`);
  return 1;
}

export async function runConfigSync(mode: 'diff' | 'apply', args: AdminCommandArgs, out: CommandOutput): Promise<number> {
  const [file] = args.positionals;
  if (!file || args.positionals.length > 1) {
    out.stderr.write(`usage: gatehouse ${mode} FILE [--admin-url URL] [--token TOKEN]\n`);
    return 2;
  }
  try {
    const document = await readConfigFile(file);
    const { body: diff } = await args.client.call<DiffAnswer>('POST', '/config/diff', document);
    const changes = printDiff(diff, out);
    if (mode === 'diff') return 0;
    if (changes === 0) {
      out.stdout.write(`nothing to apply; config version ${diff.config_version} stays\n`);
      return 0;
    }
    const { body } = await args.client.call<{ config_version: number }>('POST', '/config', document, { 'if-match': String(diff.config_version) });
    out.stdout.write(`applied as config version ${body.config_version}\n`);
    return 0;
  } catch (error) {
    return reportFailure(error, out);
  }
}
