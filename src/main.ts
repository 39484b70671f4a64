#!/usr/bin/env node
/**
 * The `gatehouse` command: dispatches `start`, `validate` and the other subcommands.
 */
import { parseAdminArgs } from './cli/admin-client.js';
import { runConfigSync } from './cli/config-sync.js';
import { runExport } from './cli/export.js';
import { runStart } from './cli/start.js';
import { runValidate } from './cli/validate.js';
import { bundledRegistry } from '../plugins/index.js';

const USAGE = `usage: gatehouse <command>

  start [--demo]           run the gateway (GATEHOUSE_* settings; --demo also runs the demo echo upstream)
  validate FILE            check a declarative config file; prints every error with its path
  diff FILE                show what applying FILE would create, update and delete
  apply FILE               apply FILE through the admin API as one new config version
  export [--format yaml|openapi]
                           the running config as declarative YAML, or its routes as OpenAPI 3

  diff, apply and export talk to a running admin API:
    --admin-url URL        default http://127.0.0.1:8001
    --token TOKEN          default $GATEHOUSE_ADMIN_TOKEN
`;

const output = { stdout: process.stdout, stderr: process.stderr };

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'start':
      return runStart({ demo: rest.includes('--demo') });
    case 'validate':
      if (rest.length !== 1) break;
      return runValidate(rest[0]!, bundledRegistry, output);
    case 'diff':
    case 'apply':
      return runConfigSync(command, parseAdminArgs(rest, process.env), output);
    case 'export':
      return runExport(parseAdminArgs(rest, process.env, ['format']), output);
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
