/**
 * proxy-cache: Kong's plugin — keeps upstream answers and serves them again without calling the
 * upstream, in this process (`strategy: memory`, bounded and LRU) or in Redis shared by every
 * instance (`strategy: redis`). The key holds the route and whoever an authentication plugin
 * identified, so one consumer's answer never reaches another. Concurrent misses for a key make one
 * upstream call. A hit replays the upstream's answer as kept, so the response phase and transforms
 * treat it as a fresh one; answers carry X-Cache-Status (Miss, Hit, Refresh, Bypass), X-Cache-Key
 * and, on hits, Age. When the store cannot be reached the cache is bypassed and requests still pass.
 */
import { Counter, definePlugin, metricsRegistry, ThrottledWarning, type RequestContext, type ShortCircuit } from '../../src/plugin-kit/index.js';
import { adminRoutes, storesByPlugin } from './admin-routes.js';
import { cacheKey, type KeyOptions } from './cache-key.js';
import { parseCacheControl, seconds, type Directives } from './cache-control.js';
import { ResponseRules, storableHeaders } from './cacheable.js';
import { CapturedResponse } from './captured-response.js';
import { InFlightMisses, type Lead } from './in-flight.js';
import { configSchema } from './schema.js';
import { closeAllStrategies, strategies } from './strategies/index.js';
import type { StoredResponse } from './stored-response.js';

const NAME = 'proxy-cache';
const NO_DIRECTIVES: Directives = new Map();

type CacheStatus = 'Miss' | 'Hit' | 'Refresh' | 'Bypass';

/** What this plugin knows of one request, in ctx.vars. */
class CacheState {
  status: CacheStatus = 'Bypass';
  /** Null until the request is found cacheable. */
  key: string | null = null;
  /** Seconds since the entry served was stored (a hit). */
  age = 0;
  capture: CapturedResponse | null = null;
  /** Set while this request leads the upstream call for its key. */
  lead: Lead | null = null;
}

const storeFailures = new Counter({
  name: 'gatehouse_proxy_cache_store_failures_total',
  help: 'proxy-cache store (Redis) calls that failed or timed out; the request bypassed the cache.',
  registers: [metricsRegistry],
});

/** One per process: concurrent misses coalesce across plugin instances and config versions alike. */
const inFlight = new InFlightMisses();

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

export default definePlugin({
  name: NAME,
  priority: 100,
  version: '1.0.0',
  configSchema,
  adminRoutes,
  teardown: closeAllStrategies,
  instantiate(config, instance) {
    const { value: store, release } = strategies[config.strategy](config, instance.settings);
    const owner = {};
    storesByPlugin.set(instance.entity.id, { store, owner });
    const methods = new Set<string>(config.request_method);
    const keyOptions: KeyOptions = {
      ignoreUriCase: config.ignore_uri_case,
      varyQueryParams: config.vary_query_params?.length ? config.vary_query_params : null,
      varyHeaders: (config.vary_headers ?? []).map((name) => name.toLowerCase()),
    };
    const rules = new ResponseRules(config);
    const show = config.response_headers;
    const warning = new ThrottledWarning(instance.logger);
    const storeFailed = (error: unknown): void => {
      storeFailures.inc();
      warning.warn({ err: error }, 'proxy-cache store unavailable; requests bypass the cache');
    };
    const unreachable = (state: CacheState) => (error: unknown) => {
      storeFailed(error);
      state.status = 'Bypass';
    };

    const hit = (state: CacheState, entry: StoredResponse, now: number): ShortCircuit => {
      state.status = 'Hit';
      state.age = Math.max(0, Math.floor((now - entry.storedAt) / 1000));
      return { status: entry.status, headers: entry.headers, body: entry.body, asUpstream: true };
    };

    /** The answer of the request already on its way for this key; none: go to the upstream too. */
    const waitFor = (state: CacheState, pending: Promise<StoredResponse | null>) =>
      pending.then((entry) => (entry === null ? undefined : hit(state, entry, Date.now())));

    /** Nothing fresh in the store: lead the upstream call for this key, or wait for the one on its way. */
    const goUpstream = (ctx: RequestContext, state: CacheState, status: 'Miss' | 'Refresh') => {
      state.status = status;
      const pending = inFlight.waitFor(state.key!);
      if (pending !== undefined) return waitFor(state, pending);
      // A HEAD answer has no body to keep: it may wait for a GET's, but never leads.
      if (ctx.method !== 'HEAD') state.lead = inFlight.lead(state.key!);
    };

    /** Stale for this request: past its TTL (unless the client accepts that much staleness), or older or less fresh than it asks. */
    const isStale = (entry: StoredResponse, directives: Directives, now: number): boolean => {
      const age = (now - entry.storedAt) / 1000;
      const maxStale = seconds(directives, 'max-stale');
      if (age > entry.ttl && !(maxStale !== undefined && age - entry.ttl <= maxStale)) return true;
      const maxAge = seconds(directives, 'max-age');
      if (maxAge !== undefined && age > maxAge) return true;
      const minFresh = seconds(directives, 'min-fresh');
      return minFresh !== undefined && entry.ttl - age < minFresh;
    };

    const decide = (ctx: RequestContext, state: CacheState, entry: StoredResponse | null, directives: Directives) => {
      const now = Date.now();
      if (entry === null) {
        // RFC 9111 §5.2.1.7, as Kong: the client wants nothing but the cache.
        if (directives.has('only-if-cached')) {
          return { status: 504, body: { message: 'The requested answer is not in the cache (only-if-cached)', request_id: ctx.id } };
        }
        return goUpstream(ctx, state, 'Miss');
      }
      return isStale(entry, directives, now) ? goUpstream(ctx, state, 'Refresh') : hit(state, entry, now);
    };

    return {
      access(ctx) {
        const state = new CacheState();
        ctx.vars[NAME] = state;
        if (!methods.has(ctx.method)) return;
        const directives = config.cache_control ? parseCacheControl(ctx.headers['cache-control']) : NO_DIRECTIVES;
        // Kong's rule with cache_control: the client forbids the cache, or the request carries credentials.
        if (config.cache_control && (directives.has('no-store') || directives.has('no-cache') || ctx.headers.authorization !== undefined)) return;
        const key = cacheKey(ctx, keyOptions);
        state.key = key;
        state.status = 'Miss';
        const pending = inFlight.waitFor(key);
        if (pending !== undefined) return waitFor(state, pending);
        let found: StoredResponse | null | Promise<StoredResponse | null>;
        try {
          found = store.fetch(key);
        } catch (error) {
          return unreachable(state)(error);
        }
        if (found instanceof Promise) return found.then((entry) => decide(ctx, state, entry, directives), unreachable(state));
        return decide(ctx, state, found, directives);
      },
      upstreamHead(ctx, head) {
        const state = ctx.vars[NAME] as CacheState | undefined;
        if (state === undefined || (state.status !== 'Miss' && state.status !== 'Refresh') || ctx.method === 'HEAD') return;
        const verdict = rules.judge(head, Date.now());
        if ('bypass' in verdict) {
          state.status = 'Bypass';
          // Whoever waits for this answer goes to the upstream now.
          state.lead?.settle(null);
          state.lead = null;
          return;
        }
        const length = single(head.headers['content-length']);
        state.capture = new CapturedResponse(head.status, storableHeaders(head.headers), verdict.ttl, config.max_body_bytes, length === undefined ? null : Number(length));
      },
      responseBody(ctx, chunk) {
        (ctx.vars[NAME] as CacheState | undefined)?.capture?.add(chunk);
      },
      response(ctx, head) {
        const state = ctx.vars[NAME] as CacheState | undefined;
        if (state === undefined) return;
        if (show['X-Cache-Status']) head.headers['x-cache-status'] = state.status;
        if (show['X-Cache-Key'] && state.key !== null) head.headers['x-cache-key'] = state.key;
        if (show.age && state.status === 'Hit') head.headers.age = String(state.age);
      },
      log(ctx, summary) {
        const state = ctx.vars[NAME] as CacheState | undefined;
        if (state === undefined) return;
        // Kept only when the client got the whole answer as the upstream sent it.
        const whole = summary.error === null && summary.cause === null && summary.status !== 499;
        const entry = whole && state.capture !== null ? state.capture.entry(Date.now()) : null;
        const lead = state.lead;
        lead?.settle(entry);
        if (entry === null) return;
        try {
          const stored = store.store(state.key!, entry, config.storage_ttl ?? entry.ttl);
          if (stored instanceof Promise) stored.then(() => lead?.done(), (error: unknown) => (storeFailed(error), lead?.done()));
          else lead?.done();
        } catch (error) {
          storeFailed(error);
          lead?.done();
        }
      },
      close() {
        if (storesByPlugin.get(instance.entity.id)?.owner === owner) storesByPlugin.delete(instance.entity.id);
        release();
      },
    };
  },
});
