/**
 * `gatehouse import --from aws|openapi|kong FILE`: another product's API definition as Gatehouse's
 * declarative YAML (stdout or `-o`), with a report of what was mapped and what was not (stderr, or
 * `--report` as JSON). Exit 0 when the output validates, 1 when the input cannot be read, nothing
 * could be mapped, or the output does not validate (it is still written, with its issues on stderr).
 */
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { stringify } from 'yaml';
import { ConfigFileError, readConfigFile } from '../config/load-file.js';
import { validateConfig } from '../config/validate.js';
import type { PluginRegistry } from '../pipeline/registry.js';
import { importKong } from '../import/import-kong.js';
import { importOpenApi } from '../import/import-openapi.js';
import type { Json } from '../import/openapi-document.js';
import type { ImportReport } from '../import/report.js';
import type { CommandOutput } from './validate.js';

const SOURCES = ['aws', 'openapi', 'kong'] as const;
const DISCOVERY_TIMEOUT_MS = 5000;

export const IMPORT_USAGE = `usage: gatehouse import --from aws|openapi|kong FILE [-o OUT] [--report REPORT.json]
         [--server N] [--stage-variables k=v,...] [--usage-plans FILE]
`;

/** An OpenID discovery document, or null when it cannot be fetched (the report says what was derived instead). */
async function discover(url: string): Promise<Json | null> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(DISCOVERY_TIMEOUT_MS) });
    if (!response.ok) return null;
    const body: unknown = await response.json();
    return typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Json) : null;
  } catch {
    return null;
  }
}

function stageVariables(text: string | undefined): Map<string, string> {
  const variables = new Map<string, string>();
  for (const pair of (text ?? '').split(',').filter(Boolean)) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new Error(`--stage-variables: "${pair}" is not k=v`);
    variables.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
  }
  return variables;
}

export async function runImport(argv: string[], registry: PluginRegistry, out: CommandOutput): Promise<number> {
  let values: Record<string, string | undefined>;
  let file: string;
  try {
    const parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        from: { type: 'string' },
        output: { type: 'string', short: 'o' },
        report: { type: 'string' },
        server: { type: 'string' },
        'stage-variables': { type: 'string' },
        'usage-plans': { type: 'string' },
      },
    });
    values = parsed.values as Record<string, string | undefined>;
    if (parsed.positionals.length !== 1) throw new Error('one FILE expected');
    file = parsed.positionals[0]!;
    if (!SOURCES.includes(values.from as (typeof SOURCES)[number])) throw new Error('--from must be aws, openapi or kong');
    if (values.server !== undefined && !/^\d+$/.test(values.server)) throw new Error('--server must be a number (0 is the first server)');
  } catch (error) {
    out.stderr.write(`gatehouse import: ${(error as Error).message}\n${IMPORT_USAGE}`);
    return 2;
  }

  let document: Record<string, unknown>;
  let report: ImportReport;
  try {
    const input = await readConfigFile(file);
    if (values.from === 'kong') {
      const result = importKong(input, registry, file);
      ({ document, report } = result);
    } else {
      if (typeof input !== 'object' || input === null || Array.isArray(input)) throw new Error(`${file}: not an OpenAPI document`);
      const plansFile = values['usage-plans'];
      const usagePlans = plansFile ? { file: plansFile, document: await readConfigFile(plansFile) } : undefined;
      ({ document, report } = await importOpenApi(input as Json, {
        from: values.from as 'aws' | 'openapi',
        file,
        server: Number(values.server ?? 0),
        stageVariables: stageVariables(values['stage-variables']),
        usagePlans,
        discover,
      }));
    }
  } catch (error) {
    out.stderr.write(`gatehouse import: ${error instanceof ConfigFileError ? error.message : (error as Error).message}\n`);
    return 1;
  }

  const validation = validateConfig(document, registry);
  const yaml = `# imported by gatehouse import --from ${values.from} ${file}\n${stringify(document, { aliasDuplicateObjects: false, lineWidth: 0 })}`;
  if (values.output) await writeFile(values.output, yaml);
  else out.stdout.write(yaml);
  if (values.report) await writeFile(values.report, `${JSON.stringify(report.toJSON(), null, 2)}\n`);
  else out.stderr.write(report.toText());

  const entities = ['services', 'routes', 'consumers', 'plugins'].some((key) => Array.isArray(document[key]) && (document[key] as unknown[]).length > 0);
  if (!entities) {
    out.stderr.write('gatehouse import: nothing could be mapped\n');
    return 1;
  }
  if (!validation.ok) {
    out.stderr.write('gatehouse import: the output does not validate:\n');
    for (const issue of validation.issues) out.stderr.write(`  ${issue.path}: ${issue.message}\n`);
    return 1;
  }
  return 0;
}
