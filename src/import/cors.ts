/**
 * API Gateway's two ways of saying CORS as the cors plugin's config: a REST API's OPTIONS mock whose
 * integration response sets `Access-Control-*` headers (`'value'` literals), and an HTTP API's
 * `x-amazon-apigateway-cors` object.
 */
import { CORS_METHODS } from '../../plugins/cors/schema.js';
import type { Json } from './openapi-document.js';

const list = (value: string) => value.split(',').map((item) => item.trim()).filter(Boolean);
const methodsOf = (values: string[]) => {
  const wanted = values.map((m) => m.toUpperCase());
  return wanted.includes('*') ? [...CORS_METHODS] : CORS_METHODS.filter((method) => wanted.includes(method));
};

/** From `method.response.header.Access-Control-Allow-Origin: "'*'"` and its siblings; null when there are none. */
export function corsFromResponseParameters(parameters: Json): Record<string, unknown> | null {
  const header = (name: string): string | undefined => {
    const value = parameters[`method.response.header.Access-Control-${name}`];
    const literal = typeof value === 'string' ? /^'(.*)'$/s.exec(value) : null;
    return literal ? literal[1] : undefined;
  };
  const origin = header('Allow-Origin');
  if (origin === undefined) return null;
  const methods = header('Allow-Methods');
  const headers = header('Allow-Headers');
  const exposed = header('Expose-Headers');
  const maxAge = header('Max-Age');
  return {
    origins: list(origin),
    ...(methods ? { methods: methodsOf(list(methods)) } : {}),
    ...(headers ? { headers: list(headers) } : {}),
    ...(exposed ? { exposed_headers: list(exposed) } : {}),
    ...(header('Allow-Credentials') === 'true' ? { credentials: true } : {}),
    ...(maxAge && /^\d+$/.test(maxAge) ? { max_age: Number(maxAge) } : {}),
  };
}

/** From an HTTP API's `x-amazon-apigateway-cors`. */
export function corsFromHttpApi(cors: Json): Record<string, unknown> {
  const strings = (value: unknown) => (Array.isArray(value) ? value.map(String) : []);
  const origins = strings(cors.allowOrigins);
  const methods = strings(cors.allowMethods);
  const headers = strings(cors.allowHeaders);
  const exposed = strings(cors.exposeHeaders);
  return {
    origins: origins.length ? origins : ['*'],
    ...(methods.length ? { methods: methodsOf(methods) } : {}),
    ...(headers.length && !headers.includes('*') ? { headers } : {}),
    ...(exposed.length ? { exposed_headers: exposed } : {}),
    ...(cors.allowCredentials === true ? { credentials: true } : {}),
    ...(typeof cors.maxAge === 'number' ? { max_age: cors.maxAge } : {}),
  };
}
