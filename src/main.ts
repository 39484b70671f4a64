#!/usr/bin/env node
/**
 * The `gatehouse` command: dispatches `start`, `validate` and the other subcommands.
 */
import { runStart } from './cli/start.js';
import { runValidate } from './cli/validate.js';
import { bundledRegistry } from '../plugins/index.js';

const USAGE = `usage: gatehouse <command>

  start [--demo]           run the gateway (GATEHOUSE_* settings; --demo also runs the demo echo upstream)
  validate FILE            check a declarative config file; prints every error with its path
`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'start':
      return runStart({ demo: rest.includes('--demo') });
    case 'validate':
      if (rest.length !== 1) break;
      return runValidate(rest[0]!, bundledRegistry, { stdout: process.stdout, stderr: process.stderr });
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
