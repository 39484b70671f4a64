/** Test helpers for the config units: validate a document against the fake registry and get the config or the issue lines. */
import assert from 'node:assert/strict';
import type { GatewayConfig } from '../../src/config/types.js';
import { validateConfig } from '../../src/config/validate.js';
import { testRegistry } from '../fixtures/test-plugins.js';

/** A minimal valid document plus `extra` top-level sections. */
export function doc(extra: Record<string, unknown>): Record<string, unknown> {
  return { _format_version: '3.0', ...extra };
}

export function configOf(input: unknown): GatewayConfig {
  const result = validateConfig(input, testRegistry);
  assert.ok(result.ok, result.ok ? '' : result.issues.map((i) => `${i.path}: ${i.message}`).join('\n'));
  return result.config;
}

/** The `path: message` lines of an invalid document. */
export function issuesOf(input: unknown): string[] {
  const result = validateConfig(input, testRegistry);
  assert.ok(!result.ok, 'expected the document to be invalid');
  return result.issues.map((issue) => `${issue.path}: ${issue.message}`);
}
