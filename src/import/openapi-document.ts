/**
 * Reading an OpenAPI document (Swagger 2.0 or OpenAPI 3.x, JSON or YAML) the way both importers need
 * it: its version, its base URL, its operations in document order, its security schemes, and local
 * `$ref`s resolved. Nothing here knows about AWS or Gatehouse.
 */
import { childPath, jsonPath } from './report.js';

export type Json = Record<string, unknown>;

export const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

export type DocumentKind = 'swagger2' | 'openapi3';

/** Operation keys of a path item; AWS adds one for "any method". */
export const ANY_METHOD = 'x-amazon-apigateway-any-method';
const METHOD_KEYS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace', ANY_METHOD];

export interface Operation {
  /** The path template as written, e.g. `/pets/{petId}`. */
  template: string;
  /** Upper-case method, or null for AWS's any-method. */
  method: string | null;
  operation: Json;
  /** JSONPath of the operation object. */
  path: string;
}

export interface ServerBase {
  /** `scheme://host[:port]`, or null when the document names no absolute server. */
  origin: string | null;
  /** Path prefix of every operation (`/v1`), or "". */
  basePath: string;
  /** JSONPath of what they were read from. */
  path: string;
}

export class OpenApiDocument {
  readonly kind: DocumentKind;

  constructor(readonly root: Json) {
    if (typeof root.swagger === 'string' && root.swagger.startsWith('2.')) this.kind = 'swagger2';
    else if (typeof root.openapi === 'string' && /^3\.[01]/.test(root.openapi)) this.kind = 'openapi3';
    else throw new Error('not an OpenAPI document: expected "swagger: 2.0" or "openapi: 3.0.x/3.1.x" at the top level');
  }

  get title(): string {
    const info = isObject(this.root.info) ? this.root.info : {};
    return typeof info.title === 'string' && info.title !== '' ? info.title : 'api';
  }

  /** Follows a local `$ref` (`#/components/...`), at most a few levels deep; anything else as is. */
  resolve(value: unknown): unknown {
    let current = value;
    for (let depth = 0; depth < 8 && isObject(current) && typeof current.$ref === 'string'; depth++) {
      const ref = current.$ref;
      if (!ref.startsWith('#/')) return current;
      current = ref
        .slice(2)
        .split('/')
        .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
        .reduce<unknown>((node, key) => (isObject(node) ? node[key] : undefined), this.root);
    }
    return current;
  }

  /** Servers (3.x, variables at their defaults) or host/basePath/schemes (2.0); `index` picks one. */
  server(index: number): ServerBase | null {
    if (this.kind === 'swagger2') {
      const basePath = typeof this.root.basePath === 'string' && this.root.basePath !== '/' ? this.root.basePath.replace(/\/+$/, '') : '';
      const schemes = Array.isArray(this.root.schemes) ? this.root.schemes : [];
      const scheme = schemes.includes('https') ? 'https' : typeof schemes[0] === 'string' ? schemes[0] : 'https';
      const host = typeof this.root.host === 'string' ? this.root.host : null;
      return { origin: host ? `${scheme}://${host}` : null, basePath, path: jsonPath(basePath ? 'basePath' : 'host') };
    }
    const servers = Array.isArray(this.root.servers) ? this.root.servers : [];
    const server = servers[index];
    if (!isObject(server) || typeof server.url !== 'string') return servers.length === 0 ? { origin: null, basePath: '', path: '$' } : null;
    const variables = isObject(server.variables) ? server.variables : {};
    const url = server.url.replace(/\{([^}]+)\}/g, (whole, name: string) => {
      const variable = variables[name];
      return isObject(variable) && variable.default !== undefined ? String(variable.default) : whole;
    });
    const absolute = /^([a-z][a-z0-9+.-]*:\/\/[^/]+)(\/.*)?$/i.exec(url);
    const path = (absolute ? (absolute[2] ?? '') : url).replace(/\/+$/, '');
    return { origin: absolute ? absolute[1]! : null, basePath: path.startsWith('/') ? path : path === '' ? '' : `/${path}`, path: jsonPath('servers', index) };
  }

  *operations(): Generator<Operation> {
    const paths = isObject(this.root.paths) ? this.root.paths : {};
    for (const [template, item] of Object.entries(paths)) {
      const pathItem = this.resolve(item);
      if (!isObject(pathItem)) continue;
      for (const key of Object.keys(pathItem)) {
        if (!METHOD_KEYS.includes(key)) continue;
        const operation = this.resolve(pathItem[key]);
        if (!isObject(operation)) continue;
        yield { template, method: key === ANY_METHOD ? null : key.toUpperCase(), operation, path: jsonPath('paths', template, key) };
      }
    }
  }

  /** The security schemes by name, with the JSONPath of each. */
  securitySchemes(): Map<string, { scheme: Json; path: string }> {
    const [container, path] =
      this.kind === 'swagger2'
        ? [this.root.securityDefinitions, jsonPath('securityDefinitions')]
        : [isObject(this.root.components) ? this.root.components.securitySchemes : undefined, jsonPath('components', 'securitySchemes')];
    const schemes = new Map<string, { scheme: Json; path: string }>();
    for (const [name, value] of Object.entries(isObject(container) ? container : {})) {
      const scheme = this.resolve(value);
      if (isObject(scheme)) schemes.set(name, { scheme, path: childPath(path, name) });
    }
    return schemes;
  }

  /** The operation's security requirements (its own, else the document's), with their JSONPath. */
  securityOf(op: Operation): { requirements: Json[]; path: string } {
    if (Array.isArray(op.operation.security)) return { requirements: op.operation.security.filter(isObject), path: childPath(op.path, 'security') };
    if (Array.isArray(this.root.security)) return { requirements: this.root.security.filter(isObject), path: jsonPath('security') };
    return { requirements: [], path: '' };
  }
}
