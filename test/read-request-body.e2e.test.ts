/**
 * Black-box: `ctx.readRequestBody` (the kit's whole-body read for plugins that answer themselves, as
 * aws-lambda does) — the body read answers the request, or goes upstream unchanged when the request is
 * proxied after all; it is counted in the access log; over the cap it is a 413 that reaches nobody.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { request } from 'undici';
import { z } from 'zod';
import { bundledPlugins } from '../plugins/index.js';
import { definePlugin } from '../src/pipeline/contract.js';
import { PluginRegistry } from '../src/pipeline/registry.js';
import { eventually, startTestGateway, type TestGateway } from './helpers/gateway.js';
import { startUpstream, type TestUpstream } from './helpers/upstream.js';

const MAX = 64 * 1024;

const bodyReader = definePlugin({
  name: 'test-body-reader',
  priority: 740,
  version: '0.0.0',
  configSchema: z.strictObject({ answer: z.boolean() }),
  instantiate(config) {
    return {
      async access(ctx) {
        const body = await ctx.readRequestBody(MAX);
        const digest = createHash('sha256').update(body).digest('hex');
        if (config.answer) return { status: 200, body: { length: body.length, sha256: digest } };
        ctx.setUpstreamHeader('x-read-sha256', digest);
      },
    };
  },
});

describe('ctx.readRequestBody', () => {
  let upstream: TestUpstream;
  let gw: TestGateway;

  before(async () => {
    upstream = await startUpstream();
    gw = await startTestGateway(
      {
        _format_version: '3.0',
        services: [
          {
            name: 'svc',
            url: upstream.url,
            routes: [
              { name: 'answers', paths: ['/answers'], plugins: [{ name: 'test-body-reader', config: { answer: true } }] },
              { name: 'proxies', paths: ['/proxies'], plugins: [{ name: 'test-body-reader', config: { answer: false } }] },
            ],
          },
        ],
      },
      {},
      new PluginRegistry([...bundledPlugins, bodyReader]),
    );
  });
  after(async () => {
    await gw.close();
    await upstream.close();
  });

  it('hands the plugin the whole body, chunked or not, and counts it in the access log', async () => {
    const body = randomBytes(40_000);
    const res = await request(`${gw.url}/answers`, { method: 'POST', body: Readable.from([body.subarray(0, 1000), body.subarray(1000)]) });
    const answer = (await res.body.json()) as { length: number; sha256: string };
    assert.deepEqual(answer, { length: body.length, sha256: createHash('sha256').update(body).digest('hex') });
    const line = await eventually(() => gw.accessLogs().find((entry) => entry.request_id === res.headers['x-request-id']), 'access log');
    assert.equal(line.bytes_in, body.length);
  });

  it('sends the body it read upstream when the request is proxied after all', async () => {
    const body = randomBytes(30_000);
    const res = await request(`${gw.url}/proxies`, { method: 'PUT', body });
    const seen = (await res.body.json()) as { bytes: number; headers: Record<string, string> };
    assert.equal(seen.bytes, body.length);
    assert.equal(seen.headers['x-read-sha256'], createHash('sha256').update(body).digest('hex'));
  });

  it('answers 413 over the cap, by Content-Length or as the bytes arrive, and reaches no upstream', async () => {
    const seenBefore = upstream.seen.length;
    const declared = await request(`${gw.url}/proxies`, { method: 'POST', body: Buffer.alloc(MAX + 1) });
    assert.equal(declared.statusCode, 413);
    assert.equal(((await declared.body.json()) as { error: string }).error, 'body_too_large');
    const streamed = await request(`${gw.url}/proxies`, { method: 'POST', body: Readable.from([Buffer.alloc(MAX), Buffer.alloc(10)]) });
    assert.equal(streamed.statusCode, 413);
    await streamed.body.text();
    assert.equal(upstream.seen.length, seenBefore);
  });
});
