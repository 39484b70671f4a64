/**
 * The events API Gateway sends a Lambda proxy integration, built from a Gatehouse request, so a
 * handler written for API Gateway runs unchanged: payload format 1.0 (REST APIs: `headers` and
 * `multiValueHeaders`, `queryStringParameters` and `multiValueQueryStringParameters`, header names as
 * sent) and 2.0 (HTTP APIs: lower-case headers with repeated ones comma-joined, `cookies`,
 * `rawPath`/`rawQueryString`, members left out when empty). Field by field as in the API Gateway
 * Developer Guide's "Lambda proxy integration" input formats.
 */
import type { RequestContext } from '../../src/plugin-kit/index.js';
import { eventBody, headerLines, pathParameters, queryArguments, type HeaderLine } from './request-parts.js';

/** What API Gateway would call the API, stage and account; Gatehouse has no such ids. */
const STAGE = '$default';
const ACCOUNT_ID = 'gatehouse';
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

export interface EventSource {
  ctx: RequestContext;
  body: Buffer;
  /** The route's path as a template (`/pets/{id}`): API Gateway's `resource`. */
  resource: string;
  /** Epoch ms the request arrived. */
  now: number;
}

/** API Gateway's `requestTime`: `09/Apr/2015:12:34:56 +0000`. */
function requestTime(epochMs: number): string {
  const d = new Date(epochMs);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} +0000`;
}

function contentType(lines: readonly HeaderLine[]): string | undefined {
  return lines.find(([name]) => name.toLowerCase() === 'content-type')?.[1];
}

function userAgent(ctx: RequestContext): string {
  const agent = ctx.headers['user-agent'];
  return typeof agent === 'string' ? agent : '';
}

function domain(ctx: RequestContext): { domainName: string; domainPrefix: string } {
  return { domainName: ctx.host, domainPrefix: ctx.host.split('.')[0] ?? ctx.host };
}

function identity(ctx: RequestContext): Record<string, unknown> {
  return {
    accessKey: null, accountId: null, caller: null, cognitoAuthenticationProvider: null, cognitoAuthenticationType: null,
    cognitoIdentityId: null, cognitoIdentityPoolId: null, principalOrgId: null, sourceIp: ctx.clientIp, user: null,
    userAgent: userAgent(ctx), userArn: null,
  };
}

/** The consumer an authentication plugin found, as a Lambda authorizer's context. */
function consumerContext(ctx: RequestContext): Record<string, unknown> | undefined {
  if (ctx.consumer === null) return undefined;
  return { principalId: ctx.consumer.username ?? ctx.consumer.custom_id ?? ctx.consumer.id, consumer_id: ctx.consumer.id };
}

/** A claim as API Gateway's authorizers hand it on: text, a list as `[a b]`. */
function claimText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return `[${value.map(claimText).join(' ')}]`;
  return typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value);
}

/** The claims of the token the jwt plugin verified (it publishes them as `ctx.vars.jwt`), as text. */
function verifiedClaims(ctx: RequestContext): Record<string, string> | undefined {
  const claims = (ctx.vars.jwt as { claims?: Record<string, unknown> } | undefined)?.claims;
  if (claims === undefined) return undefined;
  return Object.fromEntries(Object.entries(claims).map(([name, value]) => [name, claimText(value)]));
}

/** REST API: a Cognito authorizer's `claims`, a Lambda authorizer's `principalId` (the consumer). */
function restAuthorizer(ctx: RequestContext): Record<string, unknown> | undefined {
  const claims = verifiedClaims(ctx);
  const consumer = consumerContext(ctx);
  if (claims === undefined && consumer === undefined) return undefined;
  return { ...consumer, ...(claims ? { claims } : {}) };
}

/** HTTP API: a JWT authorizer's `jwt: {claims, scopes}`, a Lambda authorizer's `lambda` context (the consumer). */
function httpAuthorizer(ctx: RequestContext): Record<string, unknown> | undefined {
  const claims = verifiedClaims(ctx);
  const consumer = consumerContext(ctx);
  if (claims === undefined && consumer === undefined) return undefined;
  const scopes = claims?.scope?.split(' ').filter((scope) => scope !== '') ?? null;
  return { ...(claims ? { jwt: { claims, scopes } } : {}), ...(consumer ? { lambda: consumer } : {}) };
}

/** Payload format 1.0: a REST API's proxy-integration event. */
export function restApiEvent({ ctx, body, resource, now }: EventSource): Record<string, unknown> {
  const lines = headerLines(ctx);
  const headers: Record<string, string> = {};
  const multiValueHeaders: Record<string, string[]> = {};
  for (const [name, value] of lines) {
    headers[name] = value;
    (multiValueHeaders[name] ??= []).push(value);
  }
  const query = queryArguments(ctx.upstreamQueryString());
  const single: Record<string, string> = {};
  const multi: Record<string, string[]> = {};
  for (const [name, values] of query) {
    single[name] = values.at(-1)!;
    multi[name] = values;
  }
  const encoded = eventBody(contentType(lines), body);
  const auth = restAuthorizer(ctx);
  return {
    resource,
    path: ctx.path,
    httpMethod: ctx.method,
    headers,
    multiValueHeaders,
    queryStringParameters: query.size ? single : null,
    multiValueQueryStringParameters: query.size ? multi : null,
    pathParameters: pathParameters(ctx),
    stageVariables: null,
    requestContext: {
      accountId: ACCOUNT_ID,
      apiId: ctx.route.name ?? ctx.route.id,
      ...(auth ? { authorizer: auth } : {}),
      ...domain(ctx),
      extendedRequestId: ctx.id,
      httpMethod: ctx.method,
      identity: identity(ctx),
      path: ctx.path,
      protocol: `HTTP/${ctx.raw.httpVersion}`,
      requestId: ctx.id,
      requestTime: requestTime(now),
      requestTimeEpoch: now,
      resourceId: ctx.route.id,
      resourcePath: resource,
      stage: STAGE,
    },
    body: encoded.body,
    isBase64Encoded: encoded.isBase64Encoded,
  };
}

/** Payload format 2.0: an HTTP API's event. */
export function httpApiEvent({ ctx, body, now }: EventSource): Record<string, unknown> {
  const lines = headerLines(ctx);
  const headers: Record<string, string> = {};
  const cookies: string[] = [];
  for (const [name, value] of lines) {
    const lower = name.toLowerCase();
    if (lower === 'cookie') {
      for (const cookie of value.split(';')) if (cookie.trim() !== '') cookies.push(cookie.trim());
    } else {
      headers[lower] = headers[lower] === undefined ? value : `${headers[lower]},${value}`;
    }
  }
  const rawQueryString = ctx.upstreamQueryString();
  const query = queryArguments(rawQueryString);
  const parameters = pathParameters(ctx);
  const encoded = eventBody(contentType(lines), body);
  const auth = httpAuthorizer(ctx);
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: ctx.path,
    rawQueryString,
    ...(cookies.length ? { cookies } : {}),
    headers,
    ...(query.size ? { queryStringParameters: Object.fromEntries([...query].map(([name, values]) => [name, values.join(',')])) } : {}),
    requestContext: {
      accountId: ACCOUNT_ID,
      apiId: ctx.route.name ?? ctx.route.id,
      ...(auth ? { authorizer: auth } : {}),
      ...domain(ctx),
      http: { method: ctx.method, path: ctx.path, protocol: `HTTP/${ctx.raw.httpVersion}`, sourceIp: ctx.clientIp, userAgent: userAgent(ctx) },
      requestId: ctx.id,
      routeKey: '$default',
      stage: STAGE,
      time: requestTime(now),
      timeEpoch: now,
    },
    ...(encoded.body !== null ? { body: encoded.body } : {}),
    ...(parameters ? { pathParameters: parameters } : {}),
    isBase64Encoded: encoded.isBase64Encoded,
  };
}
