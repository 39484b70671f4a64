/**
 * OpenAPI security schemes and per-operation requirements from the authentication plugins in effect
 * on a route: key-auth (apiKey per header and query name), jwt (openIdConnect when the plugin names
 * an issuer whose discovery document exists, else http bearer; query and cookie tokens as apiKey),
 * basic-auth (http basic), forward-auth (apiKey per header it passes the authorizer). Several plugins
 * must all pass; `anonymous` makes a plugin optional, as in Kong.
 */
import type { PluginEntity } from '../config/types.js';

export type SecurityScheme = Record<string, unknown>;
/** One way to satisfy security: scheme name → scopes. */
export type Requirement = Record<string, string[]>;

export interface RouteSecurity {
  /** Alternatives (any one suffices); empty when the route needs no authentication. */
  requirements: Requirement[];
  schemes: Map<string, SecurityScheme>;
}

const apiKey = (where: 'header' | 'query' | 'cookie', name: string): SecurityScheme => ({ type: 'apiKey', in: where, name });

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

/** The issuer whose OpenID discovery document describes the tokens, if the jwt plugin names one. */
function issuerOf(config: Record<string, unknown>): string | null {
  if (typeof config.issuer === 'string' && /^https:\/\//.test(config.issuer)) return config.issuer.replace(/\/$/, '');
  const cognito = config.cognito as { region?: string; user_pool_id?: string } | undefined;
  if (cognito?.region && cognito.user_pool_id) return `https://cognito-idp.${cognito.region}.amazonaws.com/${cognito.user_pool_id}`;
  return null;
}

/** Each way one plugin accepts a request, as [scheme name, scheme, scopes]. */
function pluginAlternatives(plugin: PluginEntity): Array<[string, SecurityScheme, string[]]> {
  const config = plugin.config;
  switch (plugin.name) {
    case 'key-auth': {
      const names = strings(config.key_names);
      return [
        ...(config.key_in_header === false ? [] : names.map((name): [string, SecurityScheme, string[]] => [`key-auth.header.${name}`, apiKey('header', name), []])),
        ...(config.key_in_query === false ? [] : names.map((name): [string, SecurityScheme, string[]] => [`key-auth.query.${name}`, apiKey('query', name), []])),
      ];
    }
    case 'jwt': {
      const issuer = issuerOf(config);
      const scopes = strings(config.required_scopes);
      const headers = strings(config.header_names);
      const out: Array<[string, SecurityScheme, string[]]> = [];
      if (issuer !== null) {
        out.push([`jwt.oidc.${issuer.replace(/[^A-Za-z0-9._-]/g, '_')}`, { type: 'openIdConnect', openIdConnectUrl: `${issuer}/.well-known/openid-configuration` }, scopes]);
      } else if (headers.some((name) => name.toLowerCase() === 'authorization')) {
        out.push(['jwt.bearer', { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' }, []]);
      }
      for (const name of headers) if (name.toLowerCase() !== 'authorization') out.push([`jwt.header.${name}`, { ...apiKey('header', name), description: 'Bearer <JWT>' }, []]);
      for (const name of strings(config.uri_param_names)) out.push([`jwt.query.${name}`, { ...apiKey('query', name), description: 'a JWT' }, []]);
      for (const name of strings(config.cookie_names)) out.push([`jwt.cookie.${name}`, { ...apiKey('cookie', name), description: 'a JWT' }, []]);
      return out;
    }
    case 'basic-auth':
      return [['basic-auth', { type: 'http', scheme: 'basic' }, []]];
    case 'forward-auth':
      return strings(config.request_headers).map((name) => [`forward-auth.header.${name}`, { ...apiKey('header', name), description: 'checked by the authorizer' }, []]);
    default:
      return [];
  }
}

export const AUTH_PLUGINS = ['key-auth', 'jwt', 'basic-auth', 'forward-auth'];

/** The security of a route from its plugins in effect (one per plugin name). */
export function routeSecurity(plugins: readonly PluginEntity[]): RouteSecurity {
  const schemes = new Map<string, SecurityScheme>();
  let requirements: Requirement[] = [];
  for (const plugin of plugins) {
    if (!AUTH_PLUGINS.includes(plugin.name)) continue;
    const alternatives: Requirement[] = pluginAlternatives(plugin).map(([name, scheme, scopes]) => {
      schemes.set(name, scheme);
      return { [name]: scopes };
    });
    if (typeof plugin.config.anonymous === 'string' && plugin.config.anonymous !== '') alternatives.push({});
    if (alternatives.length === 0) continue;
    // All plugins must pass: every combination of one alternative from each.
    requirements = requirements.length === 0 ? alternatives : requirements.flatMap((before) => alternatives.map((next) => ({ ...before, ...next })));
  }
  return { requirements, schemes };
}
