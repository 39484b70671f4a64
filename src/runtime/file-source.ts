/**
 * The file config store (the embedded default): loads the declarative file, applies it, and reloads
 * it on demand (SIGHUP) or when it changes (with watching on). An invalid file is rejected with its
 * errors logged; the running version keeps serving.
 */
import { statSync, watch, type FSWatcher } from 'node:fs';
import { dirname } from 'node:path';
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
    if (result.warnings?.length) this.logger.warn({ file: this.path, warnings: result.warnings }, 'config read with Kong compatibility changes');
    if (!result.ok) {
      this.logger.error({ file: this.path, issues: result.issues }, 'config rejected; the running config keeps serving');
      return result;
    }
    try {
      return { ok: true, version: (await this.runtime.apply(result.config)).version };
    } catch (error) {
      const issues = [{ path: '', message: error instanceof Error ? error.message : String(error) }];
      this.logger.error({ file: this.path, issues }, 'config rejected; the running config keeps serving');
      return { ok: false, issues };
    }
  }

  /**
   * Watches the file's directory, not the file: editors (and Kubernetes ConfigMap symlink swaps)
   * replace the file by a rename, which would leave a watch on the file itself on the old inode.
   * Any event in the directory triggers a check; only a file whose identity or content stamp
   * changed is reloaded.
   */
  watch(): void {
    let seen = fileStamp(this.path);
    this.watcher = watch(dirname(this.path), () => {
      if (this.pending) clearTimeout(this.pending);
      this.pending = setTimeout(() => {
        const stamp = fileStamp(this.path);
        if (stamp === seen) return;
        seen = stamp;
        void this.load();
      }, WATCH_DEBOUNCE_MS);
    });
  }

  close(): void {
    this.watcher?.close();
    if (this.pending) clearTimeout(this.pending);
  }
}

/** Identity and version of the file the path resolves to now (symlinks followed). */
function fileStamp(path: string): string {
  try {
    const stat = statSync(path);
    return `${stat.dev}:${stat.ino}:${stat.size}:${stat.mtimeMs}`;
  } catch (error) {
    return `missing:${(error as NodeJS.ErrnoException).code}`;
  }
}
