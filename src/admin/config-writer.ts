/**
 * Every admin write goes through here: take the served version, apply the change to a copy, validate
 * the whole result, and store it as the next version with an optimistic check on the version. With
 * `If-Match` a conflict answers 409; without it the change is re-applied on the newer version, so two
 * writers never lose each other's changes.
 */
import type { ConfigStore } from '../config-store/config-store.js';
import { hashCredentials, toDocument } from '../config-store/document.js';
import { withStoredPrivateKeys } from '../config-store/private-keys.js';
import type { ConfigIssue, GatewayConfig } from '../config/types.js';
import { validateConfig } from '../config/validate.js';
import type { PluginRegistry } from '../pipeline/registry.js';
import type { GatewayRuntime } from '../runtime/runtime.js';
import { AdminError, conflict, invalidConfig } from './admin-errors.js';

/** Attempts before a write without If-Match gives up on a busy store. */
const MAX_ATTEMPTS = 5;

export interface ChangeOutcome {
  /** Where the changed entity sits in the document, so its issues are reported relative to it. */
  focus?: string;
  /** A whole new document replacing the draft. */
  config?: unknown;
}

/** Mutates the draft, or returns a whole new document. */
export type Change = (draft: GatewayConfig) => ChangeOutcome;

export interface WriteResult {
  version: number;
  config: GatewayConfig;
}

/** `If-Match: 5`, `"5"` or `W/"5"` → 5; `*` or none → undefined. */
export function parseIfMatch(header: string | undefined): number | undefined {
  if (header === undefined || header.trim() === '*') return undefined;
  const value = header.trim().replace(/^W\//, '').replace(/^"(.*)"$/, '$1');
  if (!/^\d+$/.test(value)) throw new AdminError(400, 'If-Match must be a config version number');
  return Number(value);
}

/** Issue paths inside `focus` become relative to the entity (`services[2].name` → `name`). */
function relativeTo(issues: ConfigIssue[], focus: string | undefined): ConfigIssue[] {
  if (!focus) return issues;
  return issues.map((issue) => {
    if (issue.path === focus) return { ...issue, path: '' };
    if (issue.path.startsWith(`${focus}.`)) return { ...issue, path: issue.path.slice(focus.length + 1) };
    return issue;
  });
}

export class ConfigWriter {
  constructor(
    private readonly store: ConfigStore,
    private readonly runtime: GatewayRuntime,
    private readonly registry: PluginRegistry,
  ) {}

  /** 405 in file mode. */
  assertWritable(): void {
    if (this.store.readOnlyReason) throw new AdminError(405, `writes are disabled: ${this.store.readOnlyReason}`);
  }

  async write(ifMatch: number | undefined, source: string, change: Change): Promise<WriteResult> {
    this.assertWritable();
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      await this.store.refresh();
      const served = this.runtime.current;
      if (!served) throw new AdminError(503, 'no config version loaded yet');
      if (ifMatch !== undefined && ifMatch !== served.version) throw conflict(ifMatch, served.version);
      const draft = structuredClone(served.config);
      const outcome = change(draft);
      const config = this.validate(withStoredPrivateKeys(outcome.config ?? toDocument(draft), served.config), outcome.focus);
      const committed = await this.store.commit(config, served.version, source);
      if (committed.ok) return { version: committed.version, config: this.runtime.current?.version === committed.version ? this.runtime.current.config : config };
      if (ifMatch !== undefined) throw conflict(ifMatch, committed.current);
    }
    throw new AdminError(409, 'the config kept changing under this write; retry');
  }

  /** The whole document validated, then again with credentials hashed (so hashed duplicates are caught too). */
  validate(document: unknown, focus?: string): GatewayConfig {
    const first = validateConfig(document, this.registry);
    if (!first.ok) throw invalidConfig(relativeTo(first.issues, focus));
    const hashed = validateConfig(toDocument(hashCredentials(first.config)), this.registry);
    if (!hashed.ok) throw invalidConfig(relativeTo(hashed.issues, focus));
    return hashed.config;
  }
}
