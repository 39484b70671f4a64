/**
 * The plugins bundled with Gatehouse, listed in one place (GATEHOUSE_PLUGINS's `bundled`). Each is
 * listed by name, priority and config schema, which is all that validating a config needs; its module
 * (its phases, and libraries such as jose or ioredis) is imported when a config first uses it, and its
 * schema (a z.lazy) is built when a config first names it.
 * plugin-order.test.ts holds each listing to what its module declares.
 */
import type { LazyPlugin } from '../src/plugin-kit/index.js';
import { configSchema as acl } from './acl/schema.js';
import { configSchema as awsLambda } from './aws-lambda/schema.js';
import { configSchema as basicAuth } from './basic-auth/schema.js';
import { configSchema as canary } from './canary/schema.js';
import { configSchema as correlationId } from './correlation-id/schema.js';
import { configSchema as cors } from './cors/schema.js';
import { configSchema as fileLog } from './file-log/schema.js';
import { configSchema as forwardAuth } from './forward-auth/schema.js';
import { configSchema as hsts } from './hsts/schema.js';
import { configSchema as httpLog } from './http-log/schema.js';
import { configSchema as ipRestriction } from './ip-restriction/schema.js';
import { configSchema as jwt } from './jwt/schema.js';
import { configSchema as keyAuth } from './key-auth/schema.js';
import { configSchema as openTelemetry } from './opentelemetry/schema.js';
import { configSchema as prometheus } from './prometheus/schema.js';
import { adminRoutes as proxyCacheRoutes } from './proxy-cache/admin-routes.js';
import { configSchema as proxyCache } from './proxy-cache/schema.js';
import { configSchema as rateLimiting } from './rate-limiting/schema.js';
import { configSchema as requestSizeLimiting } from './request-size-limiting/schema.js';
import { configSchema as requestTermination } from './request-termination/schema.js';
import { configSchema as requestTransformer } from './request-transformer/schema.js';
import { configSchema as responseTransformer } from './response-transformer/schema.js';
import { configSchema as websocketSizeLimit } from './websocket-size-limit/schema.js';

/** In priority order (highest first), as they run. */
export const bundledPlugins: readonly LazyPlugin[] = [
  { name: 'correlation-id', priority: 100_001, configSchema: correlationId, load: async () => (await import('./correlation-id/index.js')).default },
  { name: 'cors', priority: 2000, configSchema: cors, load: async () => (await import('./cors/index.js')).default },
  { name: 'jwt', priority: 1450, configSchema: jwt, load: async () => (await import('./jwt/index.js')).default },
  { name: 'key-auth', priority: 1250, configSchema: keyAuth, load: async () => (await import('./key-auth/index.js')).default },
  { name: 'basic-auth', priority: 1100, configSchema: basicAuth, load: async () => (await import('./basic-auth/index.js')).default },
  { name: 'websocket-size-limit', priority: 1003, configSchema: websocketSizeLimit, load: async () => (await import('./websocket-size-limit/index.js')).default },
  { name: 'forward-auth', priority: 1000, configSchema: forwardAuth, load: async () => (await import('./forward-auth/index.js')).default },
  { name: 'ip-restriction', priority: 990, configSchema: ipRestriction, load: async () => (await import('./ip-restriction/index.js')).default },
  { name: 'request-size-limiting', priority: 951, configSchema: requestSizeLimiting, load: async () => (await import('./request-size-limiting/index.js')).default },
  { name: 'acl', priority: 950, configSchema: acl, load: async () => (await import('./acl/index.js')).default },
  { name: 'rate-limiting', priority: 910, configSchema: rateLimiting, load: async () => (await import('./rate-limiting/index.js')).default },
  { name: 'request-transformer', priority: 801, configSchema: requestTransformer, load: async () => (await import('./request-transformer/index.js')).default },
  { name: 'response-transformer', priority: 800, configSchema: responseTransformer, load: async () => (await import('./response-transformer/index.js')).default },
  { name: 'hsts', priority: 799, configSchema: hsts, load: async () => (await import('./hsts/index.js')).default },
  { name: 'aws-lambda', priority: 750, configSchema: awsLambda, load: async () => (await import('./aws-lambda/index.js')).default },
  { name: 'proxy-cache', priority: 100, configSchema: proxyCache, adminRoutes: proxyCacheRoutes, load: async () => (await import('./proxy-cache/index.js')).default },
  { name: 'canary', priority: 20, configSchema: canary, load: async () => (await import('./canary/index.js')).default },
  { name: 'opentelemetry', priority: 14, configSchema: openTelemetry, load: async () => (await import('./opentelemetry/index.js')).default },
  { name: 'prometheus', priority: 13, configSchema: prometheus, load: async () => (await import('./prometheus/index.js')).default },
  { name: 'http-log', priority: 12, configSchema: httpLog, load: async () => (await import('./http-log/index.js')).default },
  { name: 'file-log', priority: 9, configSchema: fileLog, load: async () => (await import('./file-log/index.js')).default },
  { name: 'request-termination', priority: 2, configSchema: requestTermination, load: async () => (await import('./request-termination/index.js')).default },
];
