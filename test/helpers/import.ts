/**
 * Runs `gatehouse import` in-process as the CLI does (the bundled plugins, argv, an output file and a
 * JSON report), for suites that then serve what it wrote; fixtures with `{{NAME}}` placeholders
 * (local ports a test only knows at run time) are filled in first.
 */
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { runImport } from '../../src/cli/import.js';
import { bundledRegistry } from '../../src/pipeline/plugin-loader.js';

export const IMPORT_FIXTURES = fileURLToPath(new URL('../fixtures/import/', import.meta.url));

export interface ReportEntry {
  kind: 'mapped' | 'partial' | 'unmapped';
  path: string;
  to?: string;
  message: string;
}

export interface Imported {
  code: number;
  /** The YAML written, parsed. */
  config: any;
  yaml: string;
  report: { from: string; summary: Record<string, number>; entries: ReportEntry[] };
  stderr: string;
}

/** A copy of fixture `name` with each `{{KEY}}` replaced; returns its path. */
export async function fillFixture(name: string, values: Record<string, string>): Promise<string> {
  let text = await readFile(join(IMPORT_FIXTURES, name), 'utf8');
  for (const [key, value] of Object.entries(values)) text = text.replaceAll(`{{${key}}}`, value);
  const dir = await mkdtemp(join(tmpdir(), 'gatehouse-import-'));
  const path = join(dir, basename(name));
  await writeFile(path, text);
  return path;
}

/** `gatehouse import --from <from> <file> <args...> -o … --report …`. */
export async function runImportCommand(from: string, file: string, args: string[] = []): Promise<Imported> {
  const dir = await mkdtemp(join(tmpdir(), 'gatehouse-import-out-'));
  const output = join(dir, 'gatehouse.yaml');
  const reportFile = join(dir, 'report.json');
  let stderr = '';
  const out = { stdout: { write: () => true }, stderr: { write: (text: string) => (stderr += text) } };
  const path = file.includes('/') ? file : join(IMPORT_FIXTURES, file);
  const code = await runImport(['--from', from, path, '-o', output, '--report', reportFile, ...args], bundledRegistry, out);
  const yaml = await readFile(output, 'utf8').catch(() => '');
  const report = JSON.parse(await readFile(reportFile, 'utf8').catch(() => '{"entries":[]}'));
  return { code, config: parse(yaml), yaml, report, stderr };
}

/** Every plugin of the imported config named `name`, wherever it is. */
export function pluginsNamed(config: any, name: string): any[] {
  const found: any[] = [];
  const visit = (node: unknown) => {
    if (Array.isArray(node)) node.forEach(visit);
    else if (node && typeof node === 'object') {
      const record = node as Record<string, unknown>;
      if (record.name === name && 'config' in record) found.push(record);
      Object.values(record).forEach(visit);
    }
  };
  visit(config);
  return found;
}
