/** `gatehouse validate FILE`: loads a declarative file and prints a summary, or every issue with its path (and any compatibility warning). */
import { loadConfigFile } from '../config/load-file.js';
import type { GatewayConfig } from '../config/types.js';
import type { PluginRegistry } from '../pipeline/registry.js';

/** Where the command writes; process.stdout/stderr in the CLI, buffers in tests. */
export interface CommandOutput {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
}

/** Validates `file`; returns the exit code (0 valid, 1 invalid). */
export async function runValidate(file: string, registry: PluginRegistry, out: CommandOutput): Promise<number> {
  const result = await loadConfigFile(file, registry);
  for (const warning of result.warnings ?? []) out.stderr.write(`warning: ${warning.path || file}: ${warning.message}\n`);
  if (!result.ok) {
    for (const issue of result.issues) out.stderr.write(`${issue.path || file}: ${issue.message}\n`);
    return 1;
  }
  out.stdout.write(`OK: ${file} (${summarize(result.config)})\n`);
  return 0;
}

function summarize(config: GatewayConfig): string {
  const count = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;
  const targets = config.upstreams.reduce((sum, upstream) => sum + upstream.targets.length, 0);
  return [
    count(config.services.length, 'service'),
    count(config.routes.length, 'route'),
    count(config.upstreams.length, 'upstream'),
    count(targets, 'target'),
    count(config.consumers.length, 'consumer'),
    count(config.plugins.length, 'plugin'),
  ].join(', ');
}
