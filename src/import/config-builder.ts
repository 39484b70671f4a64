/**
 * The declarative document an importer writes, assembled entity by entity: names made unique,
 * services shared by key, and the output path of each entity known when it is added (for the report).
 */
export type Plugin = { name: string; config: Record<string, unknown>; route?: string; consumer?: string };

export interface Route {
  name: string;
  paths: string[];
  methods?: string[];
  strip_path: boolean;
  tags?: string[];
  plugins: Plugin[];
}

export interface Service {
  name: string;
  url: string;
  read_timeout?: number;
  tls_verify?: boolean;
  tags?: string[];
  routes: Route[];
}

export interface Consumer {
  username: string;
  tags?: string[];
  plugins: Plugin[];
}

/** `Pet Store API` → `pet-store-api`. */
export function slug(text: string): string {
  return (
    text
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 60) || 'x'
  );
}

export class ConfigBuilder {
  readonly services: Service[] = [];
  readonly routes: Route[] = [];
  readonly consumers: Consumer[] = [];
  readonly plugins: Plugin[] = [];
  private readonly serviceByKey = new Map<string, number>();
  private readonly names = new Set<string>();

  constructor(private readonly tags: string[]) {}

  /** A name not used yet by any entity of this document, made from `base`. */
  uniqueName(base: string): string {
    const stem = slug(base);
    let name = stem;
    for (let n = 2; this.names.has(name); n++) name = `${stem}-${n}`;
    this.names.add(name);
    return name;
  }

  /** The service for `key`, made by `make` the first time; returns its index. */
  service(key: string, make: () => Omit<Service, 'routes' | 'tags'>): number {
    let index = this.serviceByKey.get(key);
    if (index === undefined) {
      index = this.services.push({ ...make(), tags: this.tags, routes: [] }) - 1;
      this.serviceByKey.set(key, index);
    }
    return index;
  }

  /** Adds a route under the service `serviceIndex`, or at the top level (no service) when null; returns its output path. */
  addRoute(serviceIndex: number | null, route: Omit<Route, 'tags'>): string {
    const tagged = { ...route, tags: this.tags };
    if (serviceIndex === null) return `routes[${this.routes.push(tagged) - 1}]`;
    const routes = this.services[serviceIndex]!.routes;
    return `services[${serviceIndex}].routes[${routes.push(tagged) - 1}]`;
  }

  addConsumer(username: string): { consumer: Consumer; path: string } {
    const consumer: Consumer = { username, tags: this.tags, plugins: [] };
    return { consumer, path: `consumers[${this.consumers.push(consumer) - 1}]` };
  }

  addPlugin(plugin: Plugin): string {
    return `plugins[${this.plugins.push(plugin) - 1}]`;
  }

  /** The document, without empty lists. */
  document(): Record<string, unknown> {
    const dropEmptyPlugins = <T extends { plugins: Plugin[] }>(entity: T) => (entity.plugins.length ? entity : { ...entity, plugins: undefined });
    const compact = (value: unknown): unknown => JSON.parse(JSON.stringify(value));
    return compact({
      _format_version: '3.0',
      services: this.services.length ? this.services.map((s) => ({ ...s, routes: s.routes.map(dropEmptyPlugins) })) : undefined,
      routes: this.routes.length ? this.routes.map(dropEmptyPlugins) : undefined,
      consumers: this.consumers.length ? this.consumers.map(dropEmptyPlugins) : undefined,
      plugins: this.plugins.length ? this.plugins : undefined,
    }) as Record<string, unknown>;
  }
}
