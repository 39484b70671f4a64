/**
 * The responses of an operation as the gateway shapes them: the upstream's answer (`default`), the
 * gateway's own errors with the contract's body, the request-ID header on everything, rate-limiting's
 * headers and its 429, and the CORS headers where the cors plugin is in effect.
 */
import type { PluginEntity } from '../config/types.js';

const ERROR_BODY_REF = '#/components/schemas/GatewayError';
const WINDOWS = ['second', 'minute', 'hour', 'day', 'month', 'year'] as const;

/** Components every exported document has: the contract's error body and the request-ID header. */
export const COMMON_COMPONENTS = {
  schemas: {
    GatewayError: {
      type: 'object',
      description: 'An answer the gateway makes itself (the product contract).',
      required: ['message'],
      properties: {
        message: { type: 'string' },
        error: { type: 'string', description: 'Stable error code, e.g. unauthorized, rate_limited, upstream_timeout.' },
        request_id: { type: 'string' },
      },
    },
  },
  headers: {
    RequestId: { description: 'The request ID, also in every log line of the request.', schema: { type: 'string' } },
  },
};

type Header = Record<string, unknown>;

const integerHeader = (description: string): Header => ({ description, schema: { type: 'integer' } });
const stringHeader = (description: string): Header => ({ description, schema: { type: 'string' } });

function gatewayError(description: string, headers: Record<string, Header>): Record<string, unknown> {
  return { description, headers: { 'X-Request-Id': { $ref: '#/components/headers/RequestId' }, ...headers }, content: { 'application/json': { schema: { $ref: ERROR_BODY_REF } } } };
}

function capitalized(window: string): string {
  return window[0]!.toUpperCase() + window.slice(1);
}

function rateLimitHeaders(config: Record<string, unknown>): Record<string, Header> {
  if (config.hide_client_headers === true) return {};
  const headers: Record<string, Header> = {};
  for (const window of WINDOWS) {
    if (typeof config[window] !== 'number') continue;
    headers[`X-RateLimit-Limit-${capitalized(window)}`] = integerHeader(`Requests allowed per ${window}.`);
    headers[`X-RateLimit-Remaining-${capitalized(window)}`] = integerHeader(`Requests left in the current ${window}.`);
  }
  if (Object.keys(headers).length === 0) return {};
  return {
    ...headers,
    'RateLimit-Limit': integerHeader('Requests allowed in the window closest to running out.'),
    'RateLimit-Remaining': integerHeader('Requests left in that window.'),
    'RateLimit-Reset': integerHeader('Seconds until that window resets.'),
  };
}

function corsHeaders(config: Record<string, unknown>): Record<string, Header> {
  return {
    'Access-Control-Allow-Origin': stringHeader(`The allowed origin: ${(config.origins as string[] | undefined)?.join(', ') ?? '*'}.`),
    ...(config.credentials === true ? { 'Access-Control-Allow-Credentials': stringHeader('true') } : {}),
    ...(Array.isArray(config.exposed_headers) ? { 'Access-Control-Expose-Headers': stringHeader(config.exposed_headers.join(', ')) } : {}),
  };
}

/** The preflight answer of the cors plugin (`OPTIONS` with Access-Control-Request-Method). */
export function preflightResponses(config: Record<string, unknown>): Record<string, unknown> {
  const methods = Array.isArray(config.methods) ? config.methods.join(', ') : 'GET, HEAD, PUT, PATCH, POST, DELETE, OPTIONS';
  return {
    '200': {
      description: 'CORS preflight answered by the gateway.',
      headers: {
        ...corsHeaders(config),
        'Access-Control-Allow-Methods': stringHeader(methods),
        'Access-Control-Allow-Headers': stringHeader(Array.isArray(config.headers) ? config.headers.join(', ') : 'the headers asked for'),
        ...(typeof config.max_age === 'number' ? { 'Access-Control-Max-Age': integerHeader(`${config.max_age}`) } : {}),
      },
    },
  };
}

/** The responses of an operation of a route with these plugins in effect. */
export function operationResponses(plugins: ReadonlyMap<string, PluginEntity>, authenticated: boolean): Record<string, unknown> {
  const rateLimiting = plugins.get('rate-limiting')?.config;
  const cors = plugins.get('cors')?.config;
  const limits = rateLimiting ? rateLimitHeaders(rateLimiting) : {};
  const proxiedHeaders = { 'X-Request-Id': { $ref: '#/components/headers/RequestId' }, ...limits, ...(cors ? corsHeaders(cors) : {}) };
  const responses: Record<string, unknown> = { default: { description: "The upstream's response.", headers: proxiedHeaders } };
  if (authenticated) responses['401'] = gatewayError('Authentication missing or invalid (with WWW-Authenticate).', { 'WWW-Authenticate': stringHeader('The challenge.') });
  const scoped = plugins.get('jwt')?.config.required_scopes;
  if (plugins.has('acl') || plugins.has('ip-restriction') || (Array.isArray(scoped) && scoped.length > 0)) responses['403'] = gatewayError('Authenticated but not allowed.', {});
  responses['404'] = gatewayError('No route matched.', {});
  if (rateLimiting) {
    const status = typeof rateLimiting.error_code === 'number' ? String(rateLimiting.error_code) : '429';
    responses[status] = gatewayError('Rate limit exceeded.', { ...limits, 'Retry-After': integerHeader('Seconds until a request may succeed.') });
  }
  responses['502'] = gatewayError('The upstream could not be reached or answered wrongly.', {});
  responses['503'] = gatewayError('No healthy upstream target.', {});
  responses['504'] = gatewayError('The upstream timed out.', {});
  return responses;
}
