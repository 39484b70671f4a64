/**
 * The admin API's view of file mode: the served version can be read, and writes are refused because
 * the file is the source of truth (edit it, then SIGHUP or GATEHOUSE_WATCH_CONFIG reloads it).
 */
import type { GatewayRuntime } from '../runtime/runtime.js';
import type { CommitResult, ConfigStore, VersionInfo } from './config-store.js';
import { toDocument } from './document.js';

export class FileConfigStore implements ConfigStore {
  readonly kind = 'file';
  readonly readOnlyReason: string;

  constructor(
    private readonly runtime: GatewayRuntime,
    file: string,
  ) {
    this.readOnlyReason = `the config is read from the file ${file} (file mode): edit the file and send SIGHUP, or set GATEHOUSE_REDIS_URL to manage the config through the admin API`;
  }

  redisState(): string {
    return 'not_configured';
  }

  async refresh(): Promise<void> {}

  commit(): Promise<CommitResult> {
    throw new Error(this.readOnlyReason);
  }

  async versions(): Promise<VersionInfo[]> {
    const loaded = this.runtime.loadedAt;
    return loaded ? [{ version: this.runtime.version, created_at: loaded.toISOString(), source: 'file' }] : [];
  }

  async read(version: number): Promise<unknown> {
    const current = this.runtime.current;
    return current && current.version === version ? toDocument(current.config) : null;
  }

  async close(): Promise<void> {}
}
