/**
 * Reading a declarative config file (YAML or JSON) from disk and validating it; unreadable files and
 * syntax errors become issues like any other, with line and column where the parser gives them.
 */
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import type { PluginRegistry } from '../pipeline/registry.js';
import type { ConfigIssue, ValidationResult } from './types.js';
import { validateConfig } from './validate.js';

/** A file that could not be read or parsed; `issue.path` is the file name. */
export class ConfigFileError extends Error {
  constructor(readonly issue: ConfigIssue) {
    super(`${issue.path}: ${issue.message}`);
    this.name = 'ConfigFileError';
  }
}

/** Parses file text as JSON for `.json` files and as YAML otherwise (YAML is a superset of JSON). */
export function parseConfigText(text: string, file: string): unknown {
  if (extname(file).toLowerCase() === '.json') {
    try {
      return JSON.parse(text);
    } catch (error) {
      throw new ConfigFileError({ path: file, message: `invalid JSON: ${(error as Error).message}` });
    }
  }
  try {
    return parseYaml(text);
  } catch (error) {
    if (!(error instanceof YAMLParseError)) throw error;
    const where = error.linePos ? ` at line ${error.linePos[0].line}, column ${error.linePos[0].col}` : '';
    throw new ConfigFileError({ path: file, message: `invalid YAML${where}: ${error.message.split('\n')[0]}` });
  }
}

/** Reads and parses a config file into an untyped document. */
export async function readConfigFile(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new ConfigFileError({ path: file, message: `cannot read file: ${(error as Error).message}` });
  }
  return parseConfigText(text, file);
}

/** Reads, parses and validates a config file; file problems come back as issues, never as a throw. */
export async function loadConfigFile(file: string, registry: PluginRegistry): Promise<ValidationResult> {
  try {
    return validateConfig(await readConfigFile(file), registry, 'file');
  } catch (error) {
    if (error instanceof ConfigFileError) return { ok: false, issues: [error.issue] };
    throw error;
  }
}
