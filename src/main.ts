#!/usr/bin/env node
/**
 * The `gatehouse` command: dispatches `start`, `validate` and the other subcommands. Each command's
 * module is imported when it runs, so `start` (every pod's start time) loads no other command's code.
 */
import { parseAdminArgs } from './cli/admin-client.js';

const USAGE = `usage: gatehouse <command>

  start [--demo]           run the gateway (GATEHOUSE_* settings; --demo also runs the demo echo upstream)
  validate FILE            check a declarative config file; prints every error with its path
  import --from aws|openapi|kong FILE [-o OUT] [--report REPORT.json]
         [--server N] [--stage-variables k=v,...] [--usage-plans FILE]
                           another product's API definition as declarative YAML, with a report
                           of what was mapped and what was not (stderr, or --report as JSON)
  diff FILE                show what applying FILE would create, update and delete
  apply FILE               apply FILE through the admin API as one new config version
  export [--format yaml|openapi]
                           the running config as declarative YAML, or its routes as OpenAPI 3
  stop                     drain the running instance (as SIGTERM does) and wait until it has;
                           for a Kubernetes preStop hook

  diff, apply, export and stop talk to a running admin API:
    --admin-url URL        default http://$GATEHOUSE_ADMIN_LISTEN, else http://127.0.0.1:8001
    --token TOKEN          default $GATEHOUSE_ADMIN_TOKEN
`;

const output = { stdout: process.stdout, stderr: process.stderr };

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'start':
      return (await import('./cli/start.js')).runStart({ demo: rest.includes('--demo') });
    case 'validate':
    case 'import': {
      if (command === 'validate' && rest.length !== 1) break;
      const { loadPluginRegistryFrom } = await import('./pipeline/plugin-loader.js');
      // Checked against the plugins GATEHOUSE_PLUGINS names, as `start` would load them.
      const registry = await loadPluginRegistryFrom(process.env).catch((error: Error) => error);
      if (registry instanceof Error) {
        process.stderr.write(`${registry.message}\n`);
        return 1;
      }
      if (command === 'import') return (await import('./cli/import.js')).runImport(rest, registry, output);
      return (await import('./cli/validate.js')).runValidate(rest[0]!, registry, output);
    }
    case 'diff':
    case 'apply':
      return (await import('./cli/config-sync.js')).runConfigSync(command, parseAdminArgs(rest, process.env), output);
    case 'export':
      return (await import('./cli/export.js')).runExport(parseAdminArgs(rest, process.env, ['format']), output);
    case 'stop':
      return (await import('./cli/stop.js')).runStop(parseAdminArgs(rest, process.env), output);
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(USAGE);
      return 0;
  }
  process.stderr.write(USAGE);
  return 2;
}

// `start` never resolves while serving: its signal handlers end the process.
process.exitCode = await main(process.argv.slice(2));
