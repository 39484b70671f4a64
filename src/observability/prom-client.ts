/**
 * prom-client, required when a metric is first registered, touched or scraped rather than at start:
 * with @opentelemetry/api (which its process metrics import) it was 0.15 MB of the start's bundled
 * source and the objects its modules build, which an idle sidecar that nobody scrapes never uses.
 * The plugin kit's Counter, Gauge and Histogram and the gateway's metrics registry are stand-ins that
 * become prom-client's own on first use, so a plugin writes `new Counter({ registers: [metricsRegistry] })`
 * as before and gets prom-client's class, instance and `instanceof`.
 */
import { createRequire } from 'node:module';
import type * as PromClient from 'prom-client';

let loaded: typeof PromClient | undefined;

export function promClient(): typeof PromClient {
  return (loaded ??= createRequire(import.meta.url)('prom-client') as typeof PromClient);
}

/** An object that is `create()`'s result from its first use on (methods bound to it). */
export function onFirstUse<T extends object>(create: () => T): T {
  let instance: T | undefined;
  const real = (): T => (instance ??= create());
  return new Proxy({} as T, {
    get(_target, key) {
      const value: unknown = Reflect.get(real(), key);
      return typeof value === 'function' ? value.bind(real()) : value;
    },
    set: (_target, key, value) => Reflect.set(real(), key, value),
    has: (_target, key) => Reflect.has(real(), key),
    getPrototypeOf: () => Reflect.getPrototypeOf(real()),
  });
}

/** A class that is `load()`'s from its first use on: constructed, extended, its statics read, `instanceof`. */
function classOnFirstUse<C extends abstract new (...args: never[]) => object>(load: () => C): C {
  // A plain function as the target, so the proxy can be constructed; everything else reads load()'s class.
  const stand: C = new Proxy(function promClientClass() {} as unknown as C, {
    construct: (_target, args, newTarget): object => Reflect.construct(load() as unknown as new (...a: unknown[]) => object, args, newTarget === stand ? load() : newTarget),
    get: (_target, key) => Reflect.get(load(), key),
    has: (_target, key) => Reflect.has(load(), key),
    getPrototypeOf: () => Reflect.getPrototypeOf(load()),
  });
  return stand;
}

export const Counter = classOnFirstUse(() => promClient().Counter);
export type Counter<T extends string = string> = PromClient.Counter<T>;
export const Gauge = classOnFirstUse(() => promClient().Gauge);
export type Gauge<T extends string = string> = PromClient.Gauge<T>;
export const Histogram = classOnFirstUse(() => promClient().Histogram);
export type Histogram<T extends string = string> = PromClient.Histogram<T>;
