/**
 * The file config store (the embedded default): loads the declarative file, applies it, and reloads
 * it on demand (SIGHUP) or when it changes (with watching on). An invalid file is rejected with its
 * errors logged; the running version keeps serving.
 */
import { watch, type FSWatcher } from 'node:fs';
import type { Logger } from 'pino';
import { loadConfigFile } from '../config/load-file.js';
import type { ConfigIssue } from '../config/types.js';
import type { PluginRegistry } from '../pipeline/registry.js';
import type { GatewayRuntime } from './runtime.js';

export type ReloadResult = { ok: true; version: number } | { ok: false; issues: ConfigIssue[] };

/** Editors write files in bursts; one reload per burst. */
const WATCH_DEBOUNCE_MS = 200;

export class FileConfigSource {
  private watcher: FSWatcher | null = null;
  private pending: NodeJS.Timeout | null = null;

  constructor(
    readonly path: string,
    private readonly registry: PluginRegistry,
    private readonly runtime: GatewayRuntime,
    private readonly logger: Logger,
  ) {}

  async load(): Promise<ReloadResult> {
    const result = await loadConfigFile(this.path, this.registry);
    if (!result.ok) {
      this.logger.error({ file: this.path, issues: result.issues }, 'config rejected; the running config keeps serving');
      return result;
    }
    try {
      return { ok: true, version: this.runtime.apply(result.config).version };
    } catch (error) {
      const issues = [{ path: '', message: error instanceof Error ? error.message : String(error) }];
      this.logger.error({ file: this.path, issues }, 'config rejected; the running config keeps serving');
      return { ok: false, issues };
    }
  }

  watch(): void {
    this.watcher = watch(this.path, () => {
      if (this.pending) clearTimeout(this.pending);
      this.pending = setTimeout(() => void this.load(), WATCH_DEBOUNCE_MS);
    });
  }

  close(): void {
    this.watcher?.close();
    if (this.pending) clearTimeout(this.pending);
  }
}
