/**
 * Security schemes and requirements as auth plugins on a route: API Gateway's authorizers (Cognito
 * user pools → jwt's cognito preset, HTTP API JWT authorizers → jwt issuer mode, Lambda authorizers →
 * forward-auth), `apiKey` → key-auth, http `bearer` → jwt, http `basic` → basic-auth, `openIdConnect`
 * → jwt with issuer and JWKS from the discovery document. What cannot be mapped closes the route
 * (request-termination 403) rather than leaving open what the source protected.
 */
import type { Plugin, Route } from './config-builder.js';
import { isObject, type Json, type OpenApiDocument, type Operation } from './openapi-document.js';
import { childPath, type ImportReport } from './report.js';

/** Written where the importer cannot know a value; the report names each place. */
export const PLACEHOLDER_CLIENT_ID = 'REPLACE-WITH-APP-CLIENT-ID';
export const placeholderAuthorizerUrl = (name: string) => `https://${name.toLowerCase().replace(/[^a-z0-9-]+/g, '-')}.authorizer.invalid/`;
/** API Gateway's JWT authorizers take RSA keys only. */
const RSA_ALGORITHMS = ['RS256', 'RS384', 'RS512'];
const ASYMMETRIC = new Set(['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA']);
const DEFAULT_LAMBDA_AUTHORIZER_TTL = 300;

export interface SecurityContext {
  document: OpenApiDocument;
  report: ImportReport;
  aws: boolean;
  /** The OpenID discovery document at `url`, or null when it cannot be fetched. */
  discover(url: string): Promise<Json | null>;
}

/** Adds `plugin` to `route` (at output path `routePath`); returns the plugin's output path. */
export function attach(route: Route, routePath: string, plugin: Plugin): string {
  return `${routePath}.plugins[${route.plugins.push(plugin) - 1}]`;
}

/** Closes the route: a source that protected it with something Gatehouse lacks must not become open. */
export function closeRoute(route: Route, routePath: string, why: string): string {
  return attach(route, routePath, { name: 'request-termination', config: { status_code: 403, message: `Forbidden: ${why}` } });
}

/** `$request.header.Authorization` / `method.request.header.Authorization, method.request.querystring.x` → header names (and the rest). */
function identityHeaders(source: unknown): { headers: string[]; other: string[] } {
  const parts = (Array.isArray(source) ? source : typeof source === 'string' ? source.split(',') : []).map((s) => String(s).trim()).filter(Boolean);
  const headers: string[] = [];
  const other: string[] = [];
  for (const part of parts) {
    const header = /^(?:method\.request\.header\.|\$request\.header\.)(.+)$/i.exec(part);
    if (header) headers.push(header[1]!.toLowerCase());
    else other.push(part);
  }
  return { headers, other };
}

async function issuerPlugin(ctx: SecurityContext, issuer: string, discoveryUrl: string, path: string): Promise<{ config: Record<string, unknown>; note?: string }> {
  const discovery = await ctx.discover(discoveryUrl);
  const jwks = discovery && typeof discovery.jwks_uri === 'string' ? discovery.jwks_uri : null;
  const algorithms = Array.isArray(discovery?.id_token_signing_alg_values_supported)
    ? (discovery.id_token_signing_alg_values_supported as unknown[]).filter((alg): alg is string => typeof alg === 'string' && ASYMMETRIC.has(alg))
    : [];
  const config = {
    jwks_uri: jwks ?? `${issuer.replace(/\/+$/, '')}/.well-known/jwks.json`,
    issuer: discovery && typeof discovery.issuer === 'string' ? discovery.issuer : issuer,
    allowed_algorithms: algorithms.length ? algorithms : ctx.aws ? RSA_ALGORITHMS : ['RS256'],
  };
  return jwks ? { config } : { config, note: `discovery document ${discoveryUrl} could not be read at import time (${path}); jwks_uri was derived as ${config.jwks_uri}: check it` };
}

/** The plugin (or reason it has none) for one scheme of a requirement. */
async function schemePlugin(ctx: SecurityContext, name: string, scheme: Json, scopes: string[], path: string): Promise<{ plugin?: Plugin; partial?: string; unmapped?: string; message: string }> {
  const authorizer = isObject(scheme['x-amazon-apigateway-authorizer']) ? scheme['x-amazon-apigateway-authorizer'] : null;
  const authtype = typeof scheme['x-amazon-apigateway-authtype'] === 'string' ? scheme['x-amazon-apigateway-authtype'].toLowerCase() : '';
  const scopeNote = scopes.length > 1 ? `; required_scopes needs every one of ${scopes.join(', ')} where API Gateway accepts any one` : '';
  if (ctx.aws && authorizer) {
    const type = String(authorizer.type ?? '').toLowerCase();
    if (type === 'cognito_user_pools') {
      const arns = Array.isArray(authorizer.providerARNs) ? authorizer.providerARNs.map(String) : [];
      const pool = /^arn:aws[\w-]*:cognito-idp:([a-z0-9-]+):\d*:userpool\/(.+)$/.exec(arns[0] ?? '');
      if (!pool) return { unmapped: `Cognito authorizer "${name}" without a readable providerARNs entry`, message: '' };
      const header = typeof scheme.name === 'string' ? scheme.name.toLowerCase() : 'authorization';
      const config = {
        header_names: [header],
        allowed_algorithms: ['RS256'],
        cognito: { region: pool[1], user_pool_id: pool[2], client_ids: [PLACEHOLDER_CLIENT_ID], token_use: scopes.length ? 'access' : 'id' },
        ...(scopes.length ? { required_scopes: scopes } : {}),
      };
      const extraPools = arns.length > 1 ? `; only the first of ${arns.length} user pools is used` : '';
      return {
        plugin: { name: 'jwt', config },
        partial: `Cognito user pool ${pool[2]} (${pool[1]}) → jwt cognito preset with ${scopes.length ? `access tokens and required_scopes ${scopes.join(' ')}` : 'ID tokens (no scopes, as API Gateway)'}; fill in config.cognito.client_ids with your app client ids (API Gateway accepts every client of the pool); clients send "${header}: Bearer <token>"${scopeNote}${extraPools}`,
        message: '',
      };
    }
    if (type === 'jwt') {
      const jwtConfiguration = isObject(authorizer.jwtConfiguration) ? authorizer.jwtConfiguration : {};
      const issuer = typeof jwtConfiguration.issuer === 'string' ? jwtConfiguration.issuer : null;
      if (!issuer) return { unmapped: `JWT authorizer "${name}" without jwtConfiguration.issuer`, message: '' };
      const audiences = Array.isArray(jwtConfiguration.audience) ? jwtConfiguration.audience.map(String) : [];
      const { headers } = identityHeaders(authorizer.identitySource ?? '$request.header.Authorization');
      const { config, note } = await issuerPlugin(ctx, issuer, `${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`, path);
      const plugin = { name: 'jwt', config: { header_names: headers.length ? headers : ['authorization'], ...config, ...(audiences.length ? { audiences } : {}), ...(scopes.length ? { required_scopes: scopes } : {}) } };
      const message = `JWT authorizer → jwt issuer mode (issuer ${issuer}${audiences.length ? `, audiences ${audiences.join(', ')}` : ''}${scopes.length ? `, scopes ${scopes.join(' ')}` : ''})${scopeNote}`;
      return note || scopeNote ? { plugin, partial: `${message}${note ? `; ${note}` : ''}`, message: '' } : { plugin, message };
    }
    if (type === 'token' || type === 'request') {
      const { headers, other } = identityHeaders(authorizer.identitySource ?? (type === 'token' ? `method.request.header.${String(scheme.name ?? 'Authorization')}` : ''));
      const ttl = typeof authorizer.authorizerResultTtlInSeconds === 'number' ? authorizer.authorizerResultTtlInSeconds : DEFAULT_LAMBDA_AUTHORIZER_TTL;
      const url = placeholderAuthorizerUrl(name);
      const config = { url, request_headers: headers.length ? headers : ['authorization'], forward_method_and_path: true, ttl: Math.min(ttl, 86_400) };
      return {
        plugin: { name: 'forward-auth', config },
        partial: `Lambda ${type} authorizer "${name}" → forward-auth: replace config.url (${url}) with an HTTP endpoint that answers 2xx to allow and 401/403 to deny (the Lambda returned an IAM policy)${other.length ? `; identity sources ${other.join(', ')} are not sent (headers only)` : ''}`,
        message: '',
      };
    }
    return { unmapped: `authorizer type "${type}" of "${name}" has no equivalent`, message: '' };
  }
  if (authtype === 'awssigv4' || authtype === 'sigv4') return { unmapped: `IAM (SigV4) authorization "${name}" has no equivalent`, message: '' };

  const type = String(scheme.type ?? '');
  if (type === 'apiKey') {
    const where = String(scheme.in ?? 'header');
    const keyName = typeof scheme.name === 'string' ? scheme.name : 'apikey';
    if (where === 'cookie') return { unmapped: `API key "${name}" in a cookie: key-auth reads headers and query arguments`, message: '' };
    const source = ctx.aws && typeof ctx.document.root['x-amazon-apigateway-api-key-source'] === 'string' ? ctx.document.root['x-amazon-apigateway-api-key-source'] : 'HEADER';
    const plugin = { name: 'key-auth', config: { key_names: [keyName.toLowerCase()], key_in_header: where === 'header', key_in_query: where === 'query' } };
    const message = `API key in ${where} "${keyName}" → key-auth; each key is a consumer's keyauth_credentials entry`;
    if (source === 'AUTHORIZER') return { plugin, partial: `${message}; x-amazon-apigateway-api-key-source AUTHORIZER (the key came from a Lambda authorizer's usageIdentifierKey) is read from the header instead`, message: '' };
    return { plugin, message };
  }
  if (type === 'basic' || (type === 'http' && String(scheme.scheme).toLowerCase() === 'basic')) {
    return { plugin: { name: 'basic-auth', config: {} }, message: 'HTTP basic → basic-auth; credentials are consumers\' basicauth_credentials' };
  }
  if (type === 'http' && String(scheme.scheme).toLowerCase() === 'bearer') {
    return {
      plugin: { name: 'jwt', config: {} },
      partial: 'HTTP bearer → jwt in consumer mode (tokens checked against consumers\' jwt_secrets); set jwks_uri, issuer and allowed_algorithms for tokens of an identity provider',
      message: '',
    };
  }
  if (type === 'openIdConnect' && typeof scheme.openIdConnectUrl === 'string') {
    const url = scheme.openIdConnectUrl;
    const issuer = url.replace(/\/\.well-known\/openid-configuration\/?$/, '');
    const { config, note } = await issuerPlugin(ctx, issuer, url, path);
    const plugin = { name: 'jwt', config: { ...config, ...(scopes.length ? { required_scopes: scopes } : {}) } };
    const message = `OpenID Connect → jwt issuer mode (issuer ${String(config.issuer)}, keys ${String(config.jwks_uri)})`;
    return note ? { plugin, partial: `${message}; ${note}`, message: '' } : { plugin, message };
  }
  if (type === 'oauth2') return { unmapped: `OAuth2 scheme "${name}": Gatehouse has no OAuth2 server or introspection plugin (for JWT access tokens, use jwt issuer mode)`, message: '' };
  return { unmapped: `security scheme "${name}" of type "${type}" has no equivalent`, message: '' };
}

/** Puts the auth plugins the operation's security asks for on `route`. */
export async function applySecurity(ctx: SecurityContext, op: Operation, route: Route, routePath: string): Promise<void> {
  const { requirements, path } = ctx.document.securityOf(op);
  if (requirements.length === 0) return;
  if (requirements.some((requirement) => Object.keys(requirement).length === 0)) {
    ctx.report.mapped(path, 'security is optional here (an empty requirement): no auth plugin', routePath);
    return;
  }
  if (requirements.length > 1) ctx.report.partial(path, `${requirements.length} alternative requirements: only the first is enforced (Gatehouse's auth plugins on one route all have to pass)`, routePath);
  const schemes = ctx.document.securitySchemes();
  for (const [name, rawScopes] of Object.entries(requirements[0]!)) {
    const requirementPath = childPath(path, 0, name);
    const found = schemes.get(name);
    if (!found) {
      ctx.report.unmapped(requirementPath, `no security scheme named "${name}"; the route is closed (403)`);
      closeRoute(route, routePath, `security scheme ${name} is undefined`);
      continue;
    }
    const scopes = Array.isArray(rawScopes) ? rawScopes.map(String) : [];
    const result = await schemePlugin(ctx, name, found.scheme, scopes, found.path);
    if (result.plugin) {
      const to = attach(route, routePath, result.plugin);
      if (result.partial) ctx.report.partial(found.path, result.partial, to);
      else ctx.report.mapped(found.path, result.message, to);
    } else {
      const to = closeRoute(route, routePath, `${name} authorization is not supported`);
      ctx.report.unmapped(found.path, `${result.unmapped}; the route is closed (request-termination 403 at ${to}) rather than left open`);
    }
  }
}
