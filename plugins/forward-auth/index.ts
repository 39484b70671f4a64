/**
 * forward-auth: asks an HTTP authorizer about each request, in the spirit of a Lambda authorizer.
 * A 2xx allows it (copying the named answer headers upstream); a 401/403 is passed to the client as
 * the authorizer wrote it; anything else, or no answer in time, denies with failure_status. Decisions
 * are cached per identity (the values of request_headers) for `ttl` seconds.
 */
import { createHash } from 'node:crypto';
import { Pool } from 'undici';
import {
  clearConsumerHeaders,
  definePlugin,
  Errors,
  ExpiringLru,
  GatewayError,
  type RequestContext,
  type ShortCircuit,
} from '../../src/plugin-kit/index.js';
import { configSchema } from './schema.js';

const MAX_CACHED_DECISIONS = 10_000;
/** A denial body larger than this is not passed on (the authorizer is misbehaving). */
const MAX_DENIAL_BODY_BYTES = 64 * 1024;
const PASSED_DENIAL_HEADERS = ['content-type', 'www-authenticate'];

type Decision = { allow: true; headers: Array<[string, string | null]> } | { allow: false; answer: ShortCircuit };

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value;
}

async function readBounded(body: AsyncIterable<unknown> & { destroy(): unknown }): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += (chunk as Buffer).length;
    if (size > MAX_DENIAL_BODY_BYTES) {
      body.destroy();
      throw new Error(`authorizer denial body over ${MAX_DENIAL_BODY_BYTES} bytes`);
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

export default definePlugin({
  name: 'forward-auth',
  priority: 1000,
  version: '1.0.0',
  configSchema,
  instantiate(config) {
    const url = new URL(config.url);
    const path = `${url.pathname}${url.search}`;
    const pool = new Pool(url.origin, { connect: { timeout: config.timeout } });
    const cache = config.ttl > 0 ? new ExpiringLru<Decision>(MAX_CACHED_DECISIONS) : null;
    const requestHeaders = config.request_headers.map((name) => name.toLowerCase());
    const responseHeaders = config.response_headers.map((name) => name.toLowerCase());
    const failureKind = config.failure_status === 503 ? Errors.serviceUnavailable : Errors.internal;

    const authorizerHeaders = (ctx: RequestContext): Record<string, string> => {
      const headers: Record<string, string> = { 'x-request-id': ctx.id };
      for (const name of requestHeaders) {
        const value = first(ctx.headers[name]);
        if (value !== undefined) headers[name] = value;
      }
      if (config.forward_method_and_path) {
        headers['x-forwarded-method'] = ctx.method;
        headers['x-forwarded-uri'] = ctx.query === '' ? ctx.path : `${ctx.path}?${ctx.query}`;
      }
      return headers;
    };

    /** A digest of exactly what the authorizer decides on, so raw credentials are not cache keys. */
    const identity = (headers: Record<string, string>): string => {
      const hash = createHash('sha256');
      for (const [name, value] of Object.entries(headers)) if (name !== 'x-request-id') hash.update(name).update('\0').update(value).update('\0');
      return hash.digest('base64');
    };

    const ask = async (headers: Record<string, string>): Promise<Decision> => {
      const res = await pool.request({
        path,
        method: 'GET',
        headers,
        headersTimeout: config.timeout,
        bodyTimeout: config.timeout,
        signal: AbortSignal.timeout(config.timeout),
      });
      if (res.statusCode >= 200 && res.statusCode < 300) {
        await res.body.dump();
        return { allow: true, headers: responseHeaders.map((name) => [name, first(res.headers[name]) ?? null]) };
      }
      if (res.statusCode === 401 || res.statusCode === 403) {
        const answer: ShortCircuit = { status: res.statusCode, headers: {}, body: await readBounded(res.body) };
        for (const name of PASSED_DENIAL_HEADERS) {
          const value = first(res.headers[name]);
          if (value !== undefined) answer.headers![name] = value;
        }
        return { allow: false, answer };
      }
      await res.body.dump();
      throw new Error(`authorizer answered ${res.statusCode}`);
    };

    /** Concurrent cache misses of one identity share a single authorizer call. */
    const pending = new Map<string, Promise<Decision>>();
    const decide = (key: string | null, headers: Record<string, string>): Promise<Decision> => {
      if (key === null) return ask(headers);
      let decision = pending.get(key);
      if (!decision) {
        decision = ask(headers)
          .then((answer) => {
            cache!.set(key, answer, Date.now() + config.ttl * 1000);
            return answer;
          })
          .finally(() => pending.delete(key));
        pending.set(key, decision);
      }
      return decision;
    };

    const apply = (ctx: RequestContext, decision: Decision): void | ShortCircuit => {
      if (!decision.allow) return decision.answer;
      // The authorizer sets no consumer: forged X-Consumer-* headers must not reach the upstream.
      clearConsumerHeaders(ctx);
      for (const [name, value] of decision.headers) ctx.setUpstreamHeader(name, value);
    };

    const failure = (error: unknown): never => {
      const reason = error instanceof Error ? `${(error as { code?: string }).code ?? error.name}: ${error.message}` : String(error);
      throw new GatewayError(failureKind, { status: config.failure_status, message: 'The authorization service failed', cause: `forward-auth ${url.origin}: ${reason}` });
    };

    return {
      access(ctx) {
        const headers = authorizerHeaders(ctx);
        const key = cache === null ? null : identity(headers);
        if (key !== null) {
          const cached = cache!.get(key);
          if (cached !== undefined) return apply(ctx, cached);
        }
        return decide(key, headers).then((decision) => apply(ctx, decision), failure);
      },
      close() {
        void pool.close();
      },
    };
  },
});
