/**
 * Assembles a running gateway from settings: plugins initialised, config loaded and compiled, proxy
 * and admin listeners started. Never reads the environment itself, so tests start it directly.
 */
import { readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { buildAdminServer } from './admin/admin-server.js';
import type { ConfigStore } from './config-store/config-store.js';
import { FileConfigStore } from './config-store/file-store.js';
import { RedisConfigStore, SeedRejectedError } from './config-store/redis-store.js';
import type { ConfigIssue } from './config/types.js';
import { AccessLog } from './observability/access-log.js';
import { createLogger } from './observability/logger.js';
import { bindGatewayState } from './observability/metrics.js';
import type { PluginDefinition } from './pipeline/contract.js';
import type { PluginRegistry } from './pipeline/registry.js';
import { TrustedProxies } from './proxy/client-address.js';
import { PoolRegistry } from './proxy/pools.js';
import { ProxyHandler } from './proxy/proxy-handler.js';
import { buildProxyServer } from './proxy/proxy-server.js';
import { FileConfigSource, type ReloadResult } from './runtime/file-source.js';
import { GatewayRuntime } from './runtime/runtime.js';
import { retainTickShape } from './runtime/tick-shape.js';
import type { ListenAddress, Settings } from './settings/schema.js';
import { bundledRegistry } from '../plugins/index.js';

export interface GatewayOptions {
  settings: Settings;
  logger?: Logger;
  registry?: PluginRegistry;
}

export interface Gateway {
  readonly proxyUrl: string;
  readonly proxyTlsUrl: string | null;
  readonly adminUrl: string;
  readonly runtime: GatewayRuntime;
  readonly logger: Logger;
  readonly store: ConfigStore;
  /** Re-reads the config file (or re-checks Redis); an invalid one is rejected and the old version keeps serving. */
  reload(): Promise<ReloadResult>;
  /** Stops accepting, lets in-flight requests finish (up to the drain timeout), releases everything. */
  close(): Promise<void>;
}

/** The config could not be loaded at start. */
export class ConfigLoadError extends Error {
  constructor(readonly issues: ConfigIssue[]) {
    super(`config rejected with ${issues.length} error(s)`);
  }
}

function urlOf(app: FastifyInstance, scheme: string): string {
  const address = app.server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return `${scheme}://${host === '0.0.0.0' ? '127.0.0.1' : host === '[::]' ? '[::1]' : host}:${address.port}`;
}

/** The error names the listener, so "address in use" says which setting to change. */
async function listen(app: FastifyInstance, name: string, address: ListenAddress): Promise<void> {
  try {
    await app.listen({ host: address.host, port: address.port });
  } catch (error) {
    throw new Error(`cannot listen for ${name} on ${address.host}:${address.port}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}

async function readPem(setting: string, path: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (error) {
    throw new Error(`GATEHOUSE_${setting}: cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, { cause: error });
  }
}

interface OpenedStore {
  store: ConfigStore;
  reload: () => Promise<ReloadResult>;
  closeSource: () => void;
}

/** Loads the first config version from Redis (GATEHOUSE_REDIS_URL) or from the file. */
async function openConfigStore(settings: Settings, registry: PluginRegistry, runtime: GatewayRuntime, logger: Logger): Promise<OpenedStore> {
  if (settings.REDIS_URL) {
    let store: RedisConfigStore;
    try {
      store = await RedisConfigStore.start({
        url: settings.REDIS_URL,
        registry,
        runtime,
        logger,
        snapshotPath: settings.SNAPSHOT,
        pollMs: settings.CONFIG_POLL_MS,
        seedFile: settings.CONFIG,
      });
    } catch (error) {
      if (error instanceof SeedRejectedError) throw new ConfigLoadError(error.issues);
      throw error;
    }
    const reload = async (): Promise<ReloadResult> => {
      try {
        await store.refresh();
        return { ok: true, version: runtime.version };
      } catch (error) {
        return { ok: false, issues: [{ path: '', message: (error as Error).message }] };
      }
    };
    return { store, reload, closeSource: () => undefined };
  }
  const source = new FileConfigSource(settings.CONFIG, registry, runtime, logger);
  const loaded = await source.load();
  if (!loaded.ok) throw new ConfigLoadError(loaded.issues);
  if (settings.WATCH_CONFIG) source.watch();
  return { store: new FileConfigStore(runtime, settings.CONFIG), reload: () => source.load(), closeSource: () => source.close() };
}

export async function startGateway(options: GatewayOptions): Promise<Gateway> {
  retainTickShape();
  const { settings } = options;
  const logger = options.logger ?? createLogger({ level: settings.LOG_LEVEL });
  const registry = options.registry ?? bundledRegistry;
  const pools = new PoolRegistry();
  const runtime = new GatewayRuntime(registry, pools, logger, settings);
  const accessLog = new AccessLog(settings.ACCESS_LOG ? logger : null);
  const initialised: PluginDefinition[] = [];
  const listeners: FastifyInstance[] = [];
  let opened: OpenedStore | null = null;
  let unbindMetrics: () => void = () => undefined;

  const release = async () => {
    opened?.closeSource();
    await opened?.store.close();
    runtime.close();
    await pools.closeAll();
    for (const plugin of initialised) await plugin.teardown?.();
    accessLog.flush();
  };

  let proxy: FastifyInstance;
  let proxyTls: FastifyInstance | null;
  let admin: FastifyInstance;
  try {
    for (const plugin of registry.ordered()) {
      await plugin.init?.({ logger: logger.child({ plugin: plugin.name }), settings });
      initialised.push(plugin);
    }
    opened = await openConfigStore(settings, registry, runtime, logger);
    const store = opened.store;

    const handler = new ProxyHandler({
      current: () => runtime.current,
      trustedProxies: new TrustedProxies(settings.TRUSTED_PROXIES),
      latencyHeaders: settings.LATENCY_HEADERS,
      accessLog,
      logger,
    });
    const tls = settings.TLS_CERT && settings.TLS_KEY ? { cert: await readPem('TLS_CERT', settings.TLS_CERT), key: await readPem('TLS_KEY', settings.TLS_KEY) } : null;
    proxy = buildProxyServer({ handler, logger, maxHeaderBytes: settings.MAX_HEADER_BYTES });
    proxyTls = tls ? buildProxyServer({ handler, logger, maxHeaderBytes: settings.MAX_HEADER_BYTES, tls }) : null;
    admin = buildAdminServer(settings, { runtime, store, registry, logger });
    unbindMetrics = bindGatewayState({
      configVersion: () => runtime.version,
      datastoreReachable: () => ['ready', 'not_configured'].includes(store.redisState()),
      upstreams: () => runtime.current?.upstreams ?? new Map(),
    });

    listeners.push(proxy);
    await listen(proxy, 'proxy', settings.PROXY_LISTEN);
    if (proxyTls) {
      listeners.push(proxyTls);
      await listen(proxyTls, 'TLS proxy', settings.PROXY_TLS_LISTEN);
    }
    listeners.push(admin);
    await listen(admin, 'admin', settings.ADMIN_LISTEN);
  } catch (error) {
    // A start that fails half-way must not leave a listener or a plugin connection holding the process.
    await Promise.all(listeners.map((app) => app.close()));
    await release();
    throw error;
  }
  const started = opened!;
  logger.info({ proxy: urlOf(proxy, 'http'), proxy_tls: proxyTls ? urlOf(proxyTls, 'https') : null, admin: urlOf(admin, 'http') }, 'gatehouse started');

  let closing: Promise<void> | null = null;
  const close = async () => {
    unbindMetrics();
    logger.info({ drain_timeout_ms: settings.DRAIN_TIMEOUT_MS }, 'draining: no new connections, waiting for in-flight requests');
    // close() ends only the connections idle right now; one that finishes its in-flight response
    // later would stay open for the whole keep-alive timeout, which Node reads when a response
    // ends — so a short one closes each connection as soon as its last response is done.
    for (const app of listeners) app.server.keepAliveTimeout = 1;
    const drain = Promise.all(listeners.map((app) => app.close()));
    const timer = setTimeout(() => {
      logger.warn({ drain_timeout_ms: settings.DRAIN_TIMEOUT_MS }, 'drain timeout reached; closing remaining connections');
      for (const app of listeners) app.server.closeAllConnections();
    }, settings.DRAIN_TIMEOUT_MS);
    await drain;
    clearTimeout(timer);
    await release();
    logger.info('gatehouse stopped');
    logger.flush();
  };

  return {
    proxyUrl: urlOf(proxy, 'http'),
    proxyTlsUrl: proxyTls ? urlOf(proxyTls, 'https') : null,
    adminUrl: urlOf(admin, 'http'),
    runtime,
    store: started.store,
    logger,
    reload: started.reload,
    close: () => (closing ??= close()),
  };
}
