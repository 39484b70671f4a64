/**
 * The GATEHOUSE_* process settings: one zod schema, parsed once at start into a frozen object.
 * Every bad setting is reported on its own line and stops the start.
 */
import { isIP } from 'node:net';
import { z } from 'zod';
import { usableCpuCount } from '../runtime/cpu-count.js';

export const DEFAULT_CONFIG_PATH = 'config/gatehouse.yaml';
export const DEFAULT_PROXY_LISTEN = '0.0.0.0:8000';
export const DEFAULT_PROXY_TLS_LISTEN = '0.0.0.0:8443';
export const DEFAULT_ADMIN_LISTEN = '127.0.0.1:8001';
export const DEFAULT_DRAIN_TIMEOUT_MS = 30_000;
/**
 * Kubernetes takes a terminating pod out of a Service's endpoints while it already signals the pod:
 * kube-proxy, ingress controllers and cloud load balancers catch up over the next seconds and keep
 * sending new connections meanwhile (docker-kong #194, #259). 5 s covers kube-proxy and most
 * ingress controllers, and is Istio's default terminationDrainDuration; behind a cloud load balancer
 * with slow deregistration, raise it to that balancer's interval.
 */
export const DEFAULT_DRAIN_DELAY_MS = 5_000;
/** GATEHOUSE_WORKERS's word for "one per usable CPU". */
export const AUTO_WORKERS = 'auto';
const MAX_WORKERS = 64;
export const DEFAULT_SNAPSHOT_PATH = '.gatehouse/snapshot.json';
export const DEFAULT_CONFIG_POLL_MS = 2000;
/** GATEHOUSE_PLUGINS's name for the plugins shipped with Gatehouse (Kong's `plugins = bundled`). */
export const BUNDLED_PLUGINS = 'bundled';

/** host:port with a port from 0 to 65535 (0 = any free port, for tests). */
const hostPort = () =>
  z
    .string()
    .regex(/^(\[[0-9a-fA-F:.]+\]|[^:\s]+):\d{1,5}$/, { message: 'must be host:port, e.g. 0.0.0.0:8000', abort: true })
    .refine((value) => Number(value.slice(value.lastIndexOf(':') + 1)) <= 65535, 'port must be 0-65535');

function toListenAddress(value: string) {
  const at = value.lastIndexOf(':');
  const host = value.slice(0, at).replace(/^\[(.*)\]$/, '$1');
  return { host, port: Number(value.slice(at + 1)) };
}

function listenAddress(defaultValue: string) {
  return hostPort().default(defaultValue).transform(toListenAddress);
}

/** A listener that is off unless its address is set. */
function optionalListenAddress() {
  return hostPort().transform(toListenAddress).optional();
}

export type ListenAddress = ReturnType<typeof toListenAddress>;

const cidr = () =>
  z.string().refine(
    (value) => {
      const [address, bits, extra] = value.split('/');
      if (extra !== undefined || !address) return false;
      const family = isIP(address);
      if (family === 0) return false;
      if (bits === undefined) return true;
      const n = Number(bits);
      return Number.isInteger(n) && n >= 0 && n <= (family === 4 ? 32 : 128);
    },
    { error: (issue) => `${JSON.stringify(issue.input)} is not an IP address or CIDR, e.g. 10.0.0.0/8` },
  );

/** A worker count, or `auto`: the CPUs this process may use (affinity and container quota), at most MAX_WORKERS. */
const workerCount = () =>
  z.string().transform((value, ctx) => {
    const count = value === AUTO_WORKERS ? Math.min(usableCpuCount(), MAX_WORKERS) : Number(value);
    if (Number.isInteger(count) && count >= 1 && count <= MAX_WORKERS) return count;
    ctx.addIssue({ code: 'custom', message: `must be ${AUTO_WORKERS} or a whole number from 1 to ${MAX_WORKERS}` });
    return z.NEVER;
  });

const booleanFlag = () => z.enum(['true', 'false', '1', '0', 'on', 'off']).transform((v) => v === 'true' || v === '1' || v === 'on');

/**
 * The GATEHOUSE_* settings, as a schema built for each parse and then dropped: settings are read once,
 * at start, and its 50-odd zod schemas stayed in an idle gateway's heap (0.2 MiB) when it was a constant.
 */
export function settingsSchema() {
  return z.object({
    CONFIG: z.string().min(1).default(DEFAULT_CONFIG_PATH).describe('Path of the declarative config file (YAML or JSON).'),
    REDIS_URL: z
      .string()
      .regex(/^(redis|rediss|redis-sentinel|redis-cluster):\/\//, 'must start with redis://, rediss://, redis-sentinel:// or redis-cluster://')
      .optional()
      .describe('Switches the config store to Redis.'),
    SNAPSHOT: z.string().min(1).default(DEFAULT_SNAPSHOT_PATH).describe('Redis mode: local copy of the last applied config version, served when a start finds Redis down.'),
    CONFIG_POLL_MS: z.coerce.number().int().min(100).default(DEFAULT_CONFIG_POLL_MS).describe('Redis mode: how often the current config version is re-checked, catching missed pub/sub messages.'),
    PLUGINS: z
      .string()
      .default(BUNDLED_PLUGINS)
      .transform((v) => v.split(',').map((s) => s.trim()).filter(Boolean))
      .pipe(
        z
          .array(z.string())
          .min(1, `must name ${BUNDLED_PLUGINS} and/or plugin module paths`)
          .superRefine((entries, ctx) => {
            const twice = entries.find((entry, i) => entries.indexOf(entry) !== i);
            if (twice !== undefined) ctx.addIssue({ code: 'custom', message: `lists ${twice} twice` });
          }),
      )
      .describe(`The plugins configs may use, comma-separated: ${BUNDLED_PLUGINS} (the plugins shipped with Gatehouse) and paths of ES modules whose default export is a definePlugin(...) result.`),
    PROXY_LISTEN: listenAddress(DEFAULT_PROXY_LISTEN).describe('HTTP proxy listener, host:port.'),
    PROXY_TLS_LISTEN: listenAddress(DEFAULT_PROXY_TLS_LISTEN).describe('HTTPS proxy listener, used when a certificate is configured.'),
    PROXY_H2C: booleanFlag()
      .default(false)
      .describe('Also serve HTTP/2 in plain text (h2c with prior knowledge) on the HTTP proxy listener; HTTP/1.1 stays served there.'),
    TLS_CERT: z.string().optional().describe('PEM certificate file for the HTTPS listener.'),
    TLS_KEY: z.string().optional().describe('PEM private key file for the HTTPS listener.'),
    ADMIN_LISTEN: listenAddress(DEFAULT_ADMIN_LISTEN).describe('Admin API listener, host:port.'),
    STATUS_LISTEN: optionalListenAddress().describe(
      "Kong's status listener, host:port: only /status, /status/ready and /metrics, without the admin token, so probes and scrapers can reach them while the admin API stays on loopback. Off when unset.",
    ),
    ADMIN_TOKEN: z.string().min(16, 'must be at least 16 characters').optional().describe('Bearer token required by the admin API.'),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info').describe('pino log level.'),
    ACCESS_LOG: booleanFlag().default(true).describe('One JSON access-log line per request.'),
    LATENCY_HEADERS: booleanFlag().default(true).describe('Send X-Gatehouse-Upstream-Latency and X-Gatehouse-Proxy-Latency.'),
    WORKERS: workerCount().default(1).describe(`Number of gateway processes; ${AUTO_WORKERS} starts one per CPU this process may use (its affinity and its container's CPU quota).`),
    TRUSTED_PROXIES: z
      .string()
      .default('')
      .transform((v) => v.split(',').map((s) => s.trim()).filter(Boolean))
      .pipe(z.array(cidr()))
      .describe('Comma-separated CIDRs whose X-Forwarded-* headers are believed.'),
    WATCH_CONFIG: booleanFlag().default(false).describe('Reload the config file when it changes.'),
    DRAIN_DELAY_MS: z.coerce
      .number()
      .int()
      .min(0)
      .default(DEFAULT_DRAIN_DELAY_MS)
      .describe('After SIGTERM, how long the listeners keep accepting while /status/ready answers 503, so load balancers and Kubernetes endpoints stop sending new connections first.'),
    DRAIN_TIMEOUT_MS: z.coerce
      .number()
      .int()
      .min(0)
      .default(DEFAULT_DRAIN_TIMEOUT_MS)
      .describe('After the drain delay, how long in-flight requests may take to finish before their connections are closed.'),
    MAX_HEADER_BYTES: z.coerce.number().int().min(1024).default(16_384).describe('Largest request head accepted; above it the answer is 431.'),
  });
}

export type Settings = Readonly<z.output<ReturnType<typeof settingsSchema>>>;
export type SettingsInput = Partial<Record<keyof z.input<ReturnType<typeof settingsSchema>>, string>>;

export type SettingsResult = { ok: true; settings: Settings } | { ok: false; errors: string[] };

const PREFIX = 'GATEHOUSE_';

/** Reads GATEHOUSE_* variables from an environment; every bad one becomes one line of `errors`. */
export function parseSettings(env: NodeJS.ProcessEnv): SettingsResult {
  const schema = settingsSchema();
  const input: Record<string, string> = {};
  for (const key of Object.keys(schema.shape)) {
    const value = env[PREFIX + key];
    if (value !== undefined && value !== '') input[key] = value;
  }
  return settingsFrom(input, schema);
}

/** Parses settings given without the prefix (what tests and the CLI use). */
export function settingsFrom(input: SettingsInput, schema = settingsSchema()): SettingsResult {
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    // One line per setting: a list setting (TRUSTED_PROXIES) can fail on several entries at once.
    const messages = new Map<string, string[]>();
    for (const issue of parsed.error.issues) {
      const key = String(issue.path[0]);
      messages.set(key, [...(messages.get(key) ?? []), issue.message]);
    }
    return { ok: false, errors: [...messages].map(([key, list]) => `${PREFIX}${key}: ${list.join('; ')}`) };
  }
  const settings = parsed.data;
  const errors: string[] = [];
  if (!isLoopback(settings.ADMIN_LISTEN.host) && !settings.ADMIN_TOKEN) {
    errors.push(`${PREFIX}ADMIN_LISTEN: binding the admin API to ${settings.ADMIN_LISTEN.host} needs GATEHOUSE_ADMIN_TOKEN`);
  }
  if (Boolean(settings.TLS_CERT) !== Boolean(settings.TLS_KEY)) {
    errors.push(`${PREFIX}TLS_CERT: TLS_CERT and TLS_KEY must be set together`);
  }
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, settings: Object.freeze(settings) };
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}
