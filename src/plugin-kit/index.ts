/**
 * The plugin kit: the one module a plugin imports from the gateway — bundled plugins by relative path,
 * a user's own plugin as `gatehouse/plugin-kit` — as Kong's PDK is the only door to Kong's core.
 * Everything exported here is the public contract for plugins (plugins/README.md); the rest of src/ is
 * internal and may change. A test holds the door: no file under plugins/ imports src/ any other way.
 */

// ---------------------------------------------------------------- the contract
export { definePlugin } from '../pipeline/contract.js';
export type {
  AdminRouteAnswer,
  AdminRouteRequest,
  AuthenticatedCredential,
  Destination,
  DestinationResolver,
  InstanceContext,
  LazyPlugin,
  PluginAdminRoute,
  PluginDefinition,
  PluginHandlers,
  PluginInitContext,
  RequestContext,
  RequestSummary,
  ResponseHead,
  ShortCircuit,
  WebSocketClose,
  WebSocketFrame,
  WebSocketOutcome,
} from '../pipeline/contract.js';
/** The zod the gateway validates configs with: write `configSchema` with it. */
export { z } from 'zod';

// ---------------------------------------------------------------- errors
export { Errors, GatewayError, type ErrorKind, type GatewayErrorOptions } from '../errors.js';

// ---------------------------------------------------------------- what plugins read
export type {
  AclGroup,
  BasicAuthCredential,
  ConsumerEntity,
  GatewayConfig,
  JwtSecret,
  KeyAuthCredential,
  PluginEntity,
  RouteEntity,
  ServiceEntity,
} from '../config/types.js';
export type { Settings } from '../settings/schema.js';
export type { TraceContext } from '../observability/trace-context.js';
export type { Logger } from 'pino';

// ---------------------------------------------------------------- consumers and credentials
export { consumerIndex, findConsumer, type ConsumerIndex, type Owned } from '../auth/consumer-index.js';
export {
  applyIdentity,
  AuthGate,
  clearConsumerHeaders,
  identityOf,
  setConsumer,
  unauthorized,
  type AuthGateOptions,
  type Identity,
} from '../auth/consumer-identity.js';
export { bearerToken, headerValue, queryArg } from '../auth/credential-source.js';
export { cookieValue } from '../http/cookie.js';
export { decodeQueryComponent, queryTable } from '../http/query-table.js';
export { headerSafe } from '../http/header-value.js';
export { getBody, keepAliveAgent, sendBody, type BodyResponse, type GetBodyOptions, type SendOptions } from '../http/plugin-http.js';
export { isHeaderName, splitNameValue, type NameValue } from '../http/name-value.js';
/** Top-level JSON member edits that keep untouched values' exact text (the transformers' body changes). */
export { JsonObjectEdit } from '../http/json-object.js';
export { hashKey, hashPassword, keyDigest } from '../auth/credential-hash.js';
export { checkPassword } from '../auth/password-check.js';
export { ExpiringLru } from '../auth/expiring-lru.js';
export { anonymousField, headerNameField, hideCredentialsField, runOnPreflightField } from '../auth/option-fields.js';
export { hostnameField } from '../config/fields.js';

// ---------------------------------------------------------------- routing
/** The balancer's string hash (FNV-1a with a finaliser): spreads similar keys, the same on every instance. */
export { hash32 } from '../proxy/balancer.js';
/** A route path as an OpenAPI-style template (`/pets/{id}` from `~/pets/(?<id>\d+)$`), or null when its regex has none. */
export { pathTemplate, type PathParameter, type PathTemplate } from '../config/path-template.js';

// ---------------------------------------------------------------- request IDs and traces
export { isSaneRequestId } from '../observability/request-id.js';
export { newSpanId } from '../observability/random-ids.js';

// ---------------------------------------------------------------- log sinks
export { BatchQueue, queueSchema, type QueueOptions } from '../observability/log-queue.js';
export { bodyLogOptions, logPluginHandlers, type BodyLogConfig } from '../observability/log-plugin.js';
export { consumerName, serviceLabel } from '../observability/log-entry.js';
/** A warning logged at most once per interval while an outage repeats it (with the count in between). */
export { ThrottledWarning } from '../observability/throttled-warning.js';

// ---------------------------------------------------------------- metrics
/** The registry /metrics serves (summed across workers): register a plugin's own prom-client metrics here. */
export { metricsRegistry } from '../observability/metrics.js';
/** The prometheus plugin's per-request series (plain additions, rendered at scrape time). */
export { bandwidth, grpcRequests, httpRequests, proxyLatency, requestLatency, upstreamLatency } from '../observability/metrics.js';
export { websocketBytes, websocketConnections, websocketDuration } from '../observability/metrics.js';
export type { CounterSeries, HistogramSeries } from '../observability/fast-metrics.js';
/** The gateway's prom-client classes (loaded on first use), so a plugin's metrics are the same kind as the registry's. */
export { Counter, Gauge, Histogram } from '../observability/prom-client.js';

// ---------------------------------------------------------------- Redis
export { isRedisClusterUrl, redisClusterFromUrl, redisFromUrl } from '../redis/redis-url.js';
/** The `redis` block (Kong 3.x names) and the shared, fail-fast clients of plugins that keep state in Redis. */
export { DEFAULT_REDIS_TIMEOUT_MS, redisOptionsSchema, type PluginRedisOptions } from '../redis/plugin-redis-options.js';
export { acquireConnection, closeAllConnections, connectionKey, RedisConnection } from '../redis/plugin-redis.js';
export { SharedResources, type Lease } from '../redis/shared-resources.js';
