/**
 * Assembles a running gateway from settings: plugins initialised, config loaded and compiled, proxy
 * and admin listeners (and the status listener when set) started, and the drain that stops them.
 * Never reads the environment itself, so tests start it directly.
 */
import { readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { buildAdminServer } from './admin/admin-server.js';
import { buildStatusServer } from './admin/status-server.js';
import type { ConfigStore } from './config-store/config-store.js';
import { FileConfigStore } from './config-store/file-store.js';
import type { RedisConfigStore } from './config-store/redis-store.js';
import type { ConfigIssue } from './config/types.js';
import { HealthService } from './health/health-service.js';
import { AccessLog, type LineSink } from './observability/access-log.js';
import { FdWriter } from './observability/fd-writer.js';
import { createLogger } from './observability/logger.js';
import { bindGatewayState } from './observability/metrics.js';
import { loadPluginRegistry } from './pipeline/plugin-loader.js';
import type { PluginRegistry } from './pipeline/registry.js';
import { TrustedProxies } from './proxy/client-address.js';
import { PoolRegistry } from './proxy/pools.js';
import { ProxyHandler } from './proxy/proxy-handler.js';
import { buildProxyServer, proxyTlsOptions, refreshDefaultCertificate } from './proxy/proxy-server.js';
import { Drain } from './runtime/drain.js';
import { CertificateTable, servedCertificate } from './tls/certificate-table.js';
import { checkCertificatePem } from './tls/pem-material.js';
import { ServedCertificates } from './tls/served-certificates.js';
import { FileConfigSource, type ReloadResult } from './runtime/file-source.js';
import { GatewayRuntime } from './runtime/runtime.js';
import { retainTickShape } from './runtime/tick-shape.js';
import { OpenTunnels } from './websocket/open-tunnels.js';
import type { ListenAddress, Settings } from './settings/schema.js';

export interface GatewayOptions {
  settings: Settings;
  /** Where log lines, the access log's included, are written; stdout by default. */
  logDestination?: LineSink;
  /** The plugins to run; by default those GATEHOUSE_PLUGINS names. */
  registry?: PluginRegistry;
  /**
   * What the admin API's `POST /drain` (`gatehouse stop`) does; by default this gateway drains. The
   * CLI passes its own, so the process exits afterwards and a worker asks the primary to drain all.
   */
  requestDrain?: () => void;
  /** A worker's: resolves once every worker drained its requests (see DrainOptions). */
  everyProcessDrained?: () => Promise<void>;
}

export interface Gateway {
  readonly proxyUrl: string;
  readonly proxyTlsUrl: string | null;
  readonly adminUrl: string;
  /** The status listener (GATEHOUSE_STATUS_LISTEN), or null when it is off. */
  readonly statusUrl: string | null;
  readonly runtime: GatewayRuntime;
  readonly logger: Logger;
  readonly store: ConfigStore;
  /** Re-reads the config file (or re-checks Redis); an invalid one is rejected and the old version keeps serving. */
  reload(): Promise<ReloadResult>;
  /** True once a drain started (readiness answers 503). */
  readonly draining: boolean;
  /**
   * Readiness 503 at once, listeners accepting for the drain delay (`delayMs`, GATEHOUSE_DRAIN_DELAY_MS
   * by default), then as close(). A second call joins the drain under way.
   */
  drain(reason: string, delayMs?: number): Promise<void>;
  /** Stops accepting now, lets in-flight requests finish (up to the drain timeout), releases everything. */
  close(): Promise<void>;
  /** For an exit that cannot wait: cuts every connection and flushes the logs. */
  terminate(reason: string): void;
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

/** GATEHOUSE_TLS_CERT/TLS_KEY: the certificate served when no certificate entity matches. */
async function readDefaultCertificate(certPath: string, keyPath: string) {
  const pem = { cert: (await readPem('TLS_CERT', certPath)).toString(), key: (await readPem('TLS_KEY', keyPath)).toString() };
  try {
    checkCertificatePem(pem);
  } catch (error) {
    throw new Error(`GATEHOUSE_TLS_CERT/TLS_KEY: ${(error as Error).message}`, { cause: error });
  }
  return servedCertificate(pem);
}

interface OpenedStore {
  store: ConfigStore;
  reload: () => Promise<ReloadResult>;
  closeSource: () => void;
}

/**
 * Loads the first config version from Redis (GATEHOUSE_REDIS_URL) or from the file. The Redis store
 * (and with it ioredis) is imported only in Redis mode: a sidecar on a file never loads it.
 */
async function openConfigStore(settings: Settings, registry: PluginRegistry, runtime: GatewayRuntime, logger: Logger): Promise<OpenedStore> {
  if (settings.REDIS_URL) {
    const { RedisConfigStore, SeedRejectedError } = await import('./config-store/redis-store.js');
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
  const destination = options.logDestination ?? new FdWriter(1);
  const logger = createLogger({ level: settings.LOG_LEVEL, destination });
  const registry = options.registry ?? (await loadPluginRegistry(settings.PLUGINS));
  const pools = new PoolRegistry();
  const health = new HealthService({ redisUrl: settings.REDIS_URL, logger });
  const runtime = new GatewayRuntime(registry, pools, logger, settings, health.registry);
  runtime.onSwap(() => health.refreshProbers());
  const accessLog = new AccessLog(settings.ACCESS_LOG && logger.isLevelEnabled('info') ? destination : null);
  let opened: OpenedStore | null = null;
  let unbindMetrics: () => void = () => undefined;

  const release = async () => {
    opened?.closeSource();
    await opened?.store.close();
    await runtime.close();
    await health.close();
    await pools.closeAll();
  };
  const proxies: FastifyInstance[] = [];
  const probes: FastifyInstance[] = [];
  const tunnels = new OpenTunnels();
  const drain = new Drain({
    proxies,
    probes,
    tunnels,
    delayMs: settings.DRAIN_DELAY_MS,
    timeoutMs: settings.DRAIN_TIMEOUT_MS,
    logger,
    release,
    everyProcessDrained: options.everyProcessDrained,
    flush: () => {
      accessLog.flush();
      logger.flush();
    },
  });

  let proxy: FastifyInstance;
  /** Built with the first certificate to serve: a gateway that serves none has no HTTPS instance (nor its TLS context). */
  let proxyTls: FastifyInstance | null = null;
  let buildTlsProxy: () => FastifyInstance;
  let certificates: ServedCertificates;
  let tlsListening = false;
  let defaultCertificate: string | null = null;
  /**
   * The HTTPS listener starts once there is a certificate to serve (at start, or when a version brings
   * the first one) and then stays; its no-SNI default follows each version.
   */
  const followCertificates = async () => {
    if (proxyTls) defaultCertificate = refreshDefaultCertificate(proxyTls, certificates, defaultCertificate);
    if (tlsListening || !certificates.available) return;
    if (!proxyTls) {
      proxyTls = buildTlsProxy();
      defaultCertificate = certificates.forNoName()?.fingerprint ?? null;
      proxies.push(proxyTls);
    }
    tlsListening = true;
    try {
      await listen(proxyTls, 'TLS proxy', settings.PROXY_TLS_LISTEN);
    } catch (error) {
      tlsListening = false;
      throw error;
    }
  };
  let admin: FastifyInstance;
  let status: FastifyInstance | null = null;
  try {
    opened = await openConfigStore(settings, registry, runtime, logger);
    const store = opened.store;

    const handler = new ProxyHandler({
      current: () => runtime.current,
      trustedProxies: new TrustedProxies(settings.TRUSTED_PROXIES),
      latencyHeaders: settings.LATENCY_HEADERS,
      accessLog,
      logger,
      tunnels,
    });
    const fallback = settings.TLS_CERT && settings.TLS_KEY ? await readDefaultCertificate(settings.TLS_CERT, settings.TLS_KEY) : null;
    certificates = new ServedCertificates(() => runtime.current?.certificates ?? CertificateTable.EMPTY, fallback);
    proxy = buildProxyServer({ handler, logger, maxHeaderBytes: settings.MAX_HEADER_BYTES, http2: settings.PROXY_H2C });
    buildTlsProxy = () => buildProxyServer({ handler, logger, maxHeaderBytes: settings.MAX_HEADER_BYTES, tls: proxyTlsOptions(certificates), http2: true });
    const requestDrain = options.requestDrain ?? (() => void drain.drain('admin API'));
    const proxyListeners = () =>
      proxies
        .filter((app) => app.server.listening)
        .map((app) => {
          const address = app.server.address() as AddressInfo;
          return { ip: address.address, port: address.port, ssl: app === proxyTls };
        });
    admin = buildAdminServer(settings, { runtime, store, registry, logger, health, drain, requestDrain, proxyListeners });
    unbindMetrics = bindGatewayState({
      configVersion: () => runtime.version,
      datastoreReachable: () => ['connected', 'not_configured'].includes(store.redisState()),
      upstreams: () => health.registry.upstreams(),
    });

    // The HTTPS listener joins the proxies when it is built, at start or with a later version.
    proxies.push(proxy);
    await listen(proxy, 'proxy', settings.PROXY_LISTEN);
    await followCertificates();
    probes.push(admin);
    await listen(admin, 'admin', settings.ADMIN_LISTEN);
    if (settings.STATUS_LISTEN) {
      status = buildStatusServer({ runtime, store, health, drain }, logger);
      probes.push(status);
      await listen(status, 'status', settings.STATUS_LISTEN);
    }
  } catch (error) {
    // A start that fails half-way must not leave a listener or a plugin connection holding the process.
    await Promise.all([...proxies, ...probes].map((app) => app.close()));
    await release();
    accessLog.flush();
    throw error;
  }
  const started = opened!;
  runtime.onSwap(() => {
    followCertificates().catch((error: Error) => logger.error({ err: error.message }, 'the HTTPS listener cannot start; retried with the next config version'));
  });
  const statusUrl = status ? urlOf(status, 'http') : null;
  logger.info({ proxy: urlOf(proxy, 'http'), proxy_tls: tlsListening && proxyTls ? urlOf(proxyTls, 'https') : null, admin: urlOf(admin, 'http'), status: statusUrl }, 'gatehouse started');

  const stopped = (finished: Promise<void>) => finished.finally(unbindMetrics);

  return {
    proxyUrl: urlOf(proxy, 'http'),
    get proxyTlsUrl() {
      return tlsListening && proxyTls?.server.listening ? urlOf(proxyTls, 'https') : null;
    },
    adminUrl: urlOf(admin, 'http'),
    statusUrl,
    runtime,
    store: started.store,
    logger,
    reload: started.reload,
    get draining() {
      return drain.draining;
    },
    drain: (reason, delayMs) => stopped(drain.drain(reason, delayMs)),
    close: () => stopped(drain.close()),
    terminate: (reason) => drain.terminate(reason),
  };
}
