/**
 * The Redis config store: loads the current version at start (or the local snapshot while Redis is
 * down), follows new versions by pub/sub, re-checks the pointer periodically and on every reconnect
 * to catch missed messages, and never switches to a version that fails validation. Every apply goes
 * through one queue, so versions are applied in order and only forwards.
 */
import { existsSync } from 'node:fs';
import type { Logger } from 'pino';
import { loadConfigFile } from '../config/load-file.js';
import type { ConfigIssue, GatewayConfig } from '../config/types.js';
import { validateConfig } from '../config/validate.js';
import type { PluginRegistry } from '../pipeline/registry.js';
import type { GatewayRuntime } from '../runtime/runtime.js';
import { StoreUnavailableError, type CommitResult, type ConfigStore, type VersionInfo } from './config-store.js';
import { hashCredentials, toDocument } from './document.js';
import { connectRedis, type RedisClient } from './redis-connection.js';
import { CONFIG_CHANNEL, RedisVersions } from './redis-versions.js';
import { readSnapshot, writeSnapshot } from './snapshot.js';

export interface RedisStoreOptions {
  url: string;
  registry: PluginRegistry;
  runtime: GatewayRuntime;
  logger: Logger;
  /** Where the last applied version is kept for starts while Redis is down. */
  snapshotPath: string;
  /** Period of the pointer check that catches missed pub/sub messages. */
  pollMs: number;
  /** Declarative file stored as version 1 when Redis holds no config yet. */
  seedFile: string;
}

/** How long a start waits for Redis before serving the snapshot instead. */
const START_WAIT_MS = 3000;

/** The seed file could not be used to initialise an empty store. */
export class SeedRejectedError extends Error {
  constructor(readonly issues: ConfigIssue[]) {
    super(`seed config rejected with ${issues.length} error(s)`);
  }
}

export class RedisConfigStore implements ConfigStore {
  readonly kind = 'redis';
  readonly readOnlyReason = null;
  private readonly versions_: RedisVersions;
  private readonly subscriber: RedisClient;
  private queue: Promise<void> = Promise.resolve();
  /** Versions that failed validation: logged once, never retried. */
  private readonly rejected = new Set<number>();
  private timer: NodeJS.Timeout | null = null;
  /** Set by close(): the connection closing then is not an outage. */
  private closed = false;
  /** The seed file's issues last logged by seedLate, so a poll does not repeat them every time. */
  private loggedSeedIssues = '';

  private constructor(
    private readonly client: RedisClient,
    private readonly options: RedisStoreOptions,
  ) {
    this.versions_ = new RedisVersions(client);
    this.subscriber = client.duplicate();
    const log = options.logger;
    client.on('error', (error: Error) => log.debug({ err: error.message }, 'redis connection error'));
    this.subscriber.on('error', () => undefined);
    client.on('close', () => {
      if (!this.closed) log.warn('redis unreachable; serving config version %d until it is back', options.runtime.version);
    });
    this.subscriber.on('ready', () => {
      this.subscriber.subscribe(CONFIG_CHANNEL).catch((error: Error) => log.warn({ err: error.message }, 'config channel subscription failed'));
    });
    this.subscriber.on('message', (_channel: string, message: string) => this.onMessage(message));
  }

  /**
   * Connects and loads the first version: from Redis, else from the snapshot, else none (not ready).
   * Throws SeedRejectedError when Redis is empty and the seed file is invalid.
   */
  static async start(options: RedisStoreOptions): Promise<RedisConfigStore> {
    const store = new RedisConfigStore(connectRedis(options.url), options);
    try {
      const connected = await Promise.race([
        // Not events.once: it would reject on the connection errors expected while Redis is down.
        new Promise<true>((resolve) => store.client.once('ready', () => resolve(true))),
        new Promise<false>((resolve) => setTimeout(resolve, START_WAIT_MS, false).unref()),
      ]);
      if (!connected || !(await store.loadFromRedis())) await store.loadSnapshot();
    } catch (error) {
      // Both connections would keep the process alive after its start failed.
      await store.close();
      throw error;
    }
    // Following starts once the first load is done, so a pointer check cannot race the start's own
    // load (and seed an empty store twice). A reconnect may have missed pub/sub messages: check at once.
    store.client.on('ready', () => void store.refresh().catch(() => undefined));
    store.timer = setInterval(() => void store.refresh().catch(() => undefined), options.pollMs);
    store.timer.unref();
    return store;
  }

  redisState(): string {
    const status = this.client.status;
    if (status === 'ready') return 'connected';
    if (status === 'connecting' || status === 'connect' || status === 'reconnecting') return 'connecting';
    return 'disconnected';
  }

  async refresh(): Promise<void> {
    const latest = await this.call(() => this.versions_.latest());
    if (latest > 0) await this.enqueue(() => this.applyVersion(latest));
    else if (this.options.runtime.current) await this.restore();
    else await this.seedLate();
  }

  async commit(config: GatewayConfig, base: number, source: string): Promise<CommitResult> {
    const hashed = hashCredentials(config);
    const document = toDocument(hashed);
    // Versions newer than the served one that failed validation here are replaced, not built upon.
    const rejectedAhead = Math.max(base, ...[...this.rejected].filter((version) => version > base));
    const result = await this.call(() => this.versions_.commit(document, rejectedAhead, source));
    if (result.ok) await this.enqueue(() => this.serve(result.version, hashed, document));
    return result;
  }

  versions(): Promise<VersionInfo[]> {
    return this.call(() => this.versions_.history());
  }

  read(version: number): Promise<unknown> {
    return this.call(() => this.versions_.read(version));
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    await this.queue;
    this.subscriber.disconnect();
    this.client.disconnect();
  }

  /** Runs a Redis command, turning connection failures into StoreUnavailableError. */
  private async call<T>(command: () => Promise<T>): Promise<T> {
    if (this.client.status !== 'ready') throw new StoreUnavailableError(`Redis is ${this.redisState()}`);
    try {
      return await command();
    } catch (error) {
      throw new StoreUnavailableError(`Redis command failed: ${(error as Error).message}`);
    }
  }

  private enqueue(task: () => Promise<void>): Promise<void> {
    const run = this.queue.then(task);
    this.queue = run.catch((error: Error) => this.options.logger.warn({ err: error.message }, 'config version not applied'));
    return run;
  }

  private onMessage(message: string): void {
    if (!/^[1-9]\d{0,15}$/.test(message)) {
      this.options.logger.warn({ message: message.slice(0, 100) }, 'ignored a malformed message on the config channel');
      return;
    }
    void this.enqueue(() => this.applyVersion(Number(message))).catch(() => undefined);
  }

  /** Fetches, validates and serves `version` when it is newer than the one served. */
  private async applyVersion(version: number): Promise<void> {
    const { runtime, logger, registry } = this.options;
    if (version <= runtime.version || this.rejected.has(version)) return;
    const document = await this.call(() => this.versions_.read(version));
    if (document === null) {
      logger.warn({ config_version: version }, 'ignored an unknown config version');
      return;
    }
    const result = validateConfig(document, registry);
    if (!result.ok) {
      this.reject(version, result.issues);
      return;
    }
    await this.serve(version, result.config, document);
  }

  private async serve(version: number, config: GatewayConfig, document: unknown): Promise<void> {
    if (version <= this.options.runtime.version) return;
    try {
      await this.options.runtime.apply(config, version);
    } catch (error) {
      this.reject(version, [{ path: '', message: (error as Error).message }]);
      return;
    }
    await writeSnapshot(this.options.snapshotPath, { version, document }).catch((error: Error) =>
      this.options.logger.warn({ err: error.message, snapshot: this.options.snapshotPath }, 'cannot write the config snapshot'),
    );
  }

  private reject(version: number, issues: ConfigIssue[]): void {
    this.rejected.add(version);
    this.options.logger.error({ config_version: version, issues }, 'config version rejected; the running version keeps serving');
  }

  /**
   * Redis came back empty (restarted without persistence, or flushed): the served version is stored
   * again under its own number, so every instance carries on from it. Concurrent restorers race on
   * the compare-and-set; the losers then follow the winner.
   */
  private async restore(): Promise<void> {
    const { runtime, logger } = this.options;
    const served = runtime.current!;
    const document = toDocument(served.config);
    const result = await this.call(() => this.versions_.commit(document, 0, `restored from a running instance (pid ${process.pid})`, served.version));
    if (result.ok) logger.warn({ config_version: served.version }, 'Redis held no config; stored the served version again');
    else await this.enqueue(() => this.applyVersion(result.current));
  }

  /** Loads the latest version, seeding an empty store from the file; false when nothing could be served. */
  private async loadFromRedis(): Promise<boolean> {
    try {
      const latest = await this.versions_.latest();
      if (latest === 0) await this.seed();
      else await this.enqueue(() => this.applyVersion(latest));
    } catch (error) {
      if (error instanceof SeedRejectedError) throw error;
      this.options.logger.warn({ err: (error as Error).message }, 'cannot load config from Redis');
    }
    return this.options.runtime.current !== null;
  }

  /** An empty store gets the config file (or an empty config) as version 1; a concurrent seeder may win. */
  private async seed(): Promise<void> {
    const { seedFile, registry } = this.options;
    const result = existsSync(seedFile) ? await loadConfigFile(seedFile, registry) : validateConfig({ _format_version: '3.0' }, registry);
    if (!result.ok) throw new SeedRejectedError(result.issues);
    const committed = await this.commit(result.config, 0, existsSync(seedFile) ? `seed from ${seedFile}` : 'seed (empty)');
    if (!committed.ok) await this.refresh();
    else this.options.logger.info({ config_version: committed.version }, 'initialised the Redis config store');
  }

  /**
   * Redis was unreachable at start and came up empty, with nothing served here: seed it now, as a
   * start would have. An invalid seed file cannot stop a process already serving, so it is logged
   * (again only when its errors change) and the instance stays not ready.
   */
  private async seedLate(): Promise<void> {
    try {
      await this.seed();
    } catch (error) {
      if (!(error instanceof SeedRejectedError)) throw error;
      const issues = JSON.stringify(error.issues);
      if (issues !== this.loggedSeedIssues) {
        this.options.logger.error({ file: this.options.seedFile, issues: error.issues }, 'Redis holds no config and the seed file is invalid; not ready until the file is fixed or a config is stored');
      }
      this.loggedSeedIssues = issues;
    }
  }

  private async loadSnapshot(): Promise<void> {
    const { snapshotPath, registry, runtime, logger } = this.options;
    const snapshot = await readSnapshot(snapshotPath);
    if (!snapshot) {
      logger.error({ snapshot: snapshotPath }, 'Redis is unreachable and there is no snapshot; not ready until Redis is back');
      return;
    }
    const result = validateConfig(snapshot.document, registry);
    if (!result.ok) {
      logger.error({ snapshot: snapshotPath, issues: result.issues }, 'snapshot rejected; not ready until Redis is back');
      return;
    }
    await runtime.apply(result.config, snapshot.version);
    logger.warn({ config_version: snapshot.version, snapshot: snapshotPath }, 'serving the local snapshot until Redis is reachable');
  }
}
