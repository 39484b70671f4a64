/**
 * Black-box: ip-restriction through the real gateway — IPv4 clients behind a trusted proxy (their
 * X-Forwarded-For believed), and IPv6 clients of a gateway listening on ::1 (a spoofed X-Forwarded-For
 * ignored), against a real upstream.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { request } from 'undici';
import { eventually, startTestGateway, type TestGateway } from '../../../test/helpers/gateway.js';
import { startUpstream, type TestUpstream } from '../../../test/helpers/upstream.js';

interface Answer {
  status: number;
  body: Record<string, unknown>;
  requestId: unknown;
}

async function call(url: string, forwardedFor?: string): Promise<Answer> {
  const res = await request(url, { headers: forwardedFor ? { 'x-forwarded-for': forwardedFor } : {} });
  const text = await res.body.text();
  return { status: res.statusCode, body: JSON.parse(text) as Record<string, unknown>, requestId: res.headers['x-request-id'] };
}

function restricted(name: string, config: Record<string, unknown>) {
  return { name, paths: [`/${name}`], plugins: [{ name: 'ip-restriction', config }] };
}

describe('ip-restriction', () => {
  let upstream: TestUpstream;
  let behindProxy: TestGateway;
  let onIpv6: TestGateway;

  before(async () => {
    upstream = await startUpstream();
    behindProxy = await startTestGateway(
      {
        _format_version: '3.0',
        services: [
          {
            name: 'svc',
            url: upstream.url,
            routes: [
              restricted('allow-list', { allow: ['10.0.0.0/8', '2001:db8::/32', '192.0.2.7'] }),
              restricted('deny-list', { deny: ['203.0.113.0/24'], status: 401, message: 'go away' }),
              restricted('both', { allow: ['10.0.0.0/8'], deny: ['10.0.0.5'] }),
            ],
          },
        ],
      },
      { TRUSTED_PROXIES: '127.0.0.1/32' },
    );
    onIpv6 = await startTestGateway(
      {
        _format_version: '3.0',
        services: [
          {
            name: 'svc',
            url: upstream.url,
            routes: [
              restricted('v6-allowed', { allow: ['::1'] }),
              restricted('v6-denied', { deny: ['::/127'] }),
              restricted('v4-only', { allow: ['127.0.0.0/8', '10.0.0.0/8'] }),
            ],
          },
        ],
      },
      { PROXY_LISTEN: '[::1]:0' },
    );
  });
  after(async () => {
    await Promise.all([behindProxy.close(), onIpv6.close()]);
    await upstream.close();
  });

  it('lets an allowed client through and refuses every other with 403 and the contract body', async () => {
    const seenBefore = upstream.seen.length;
    assert.equal((await call(`${behindProxy.url}/allow-list`, '10.20.30.40')).status, 200);
    assert.equal((await call(`${behindProxy.url}/allow-list`, '192.0.2.7')).status, 200);
    assert.equal((await call(`${behindProxy.url}/allow-list`, '2001:db8:1::9')).status, 200);
    const refused = await call(`${behindProxy.url}/allow-list`, '192.0.2.8');
    assert.equal(refused.status, 403);
    assert.deepEqual(refused.body, { message: 'IP address not allowed: 192.0.2.8', error: 'forbidden', request_id: refused.requestId });
    // Without X-Forwarded-For the client is the proxy itself, which is not allowed.
    assert.equal((await call(`${behindProxy.url}/allow-list`)).status, 403);
    assert.equal(upstream.seen.length - seenBefore, 3, 'only the allowed requests reach the upstream');
  });

  it('answers a denied client with the configured status and message', async () => {
    const refused = await call(`${behindProxy.url}/deny-list`, '203.0.113.77');
    assert.equal(refused.status, 401);
    assert.deepEqual(refused.body, { message: 'go away', error: 'forbidden', request_id: refused.requestId });
    assert.equal((await call(`${behindProxy.url}/deny-list`, '203.0.114.1')).status, 200);
  });

  it('checks deny before allow', async () => {
    assert.equal((await call(`${behindProxy.url}/both`, '10.0.0.5')).status, 403);
    assert.equal((await call(`${behindProxy.url}/both`, '10.0.0.6')).status, 200);
  });

  it('takes the right-most untrusted X-Forwarded-For entry, so a client cannot prepend its way in', async () => {
    assert.equal((await call(`${behindProxy.url}/allow-list`, '10.1.1.1, 198.51.100.3')).status, 403);
    assert.equal((await call(`${behindProxy.url}/allow-list`, '198.51.100.3, 10.1.1.1')).status, 200);
  });

  it('restricts IPv6 clients of a gateway listening on ::1, ignoring X-Forwarded-For from an untrusted peer', async () => {
    assert.match(onIpv6.url, /^http:\/\/\[::1\]:\d+$/);
    assert.equal((await call(`${onIpv6.url}/v6-allowed`)).status, 200);
    assert.equal((await call(`${onIpv6.url}/v6-allowed`, '10.0.0.1')).status, 200);
    const denied = await call(`${onIpv6.url}/v6-denied`, '10.0.0.1');
    assert.equal(denied.status, 403);
    assert.equal(denied.body.message, 'IP address not allowed: ::1');
    assert.equal((await call(`${onIpv6.url}/v4-only`, '10.0.0.1')).status, 403);
    const line = await eventually(() => onIpv6.accessLogs().find((entry) => entry.path === '/v6-denied'), 'the access-log line');
    assert.equal(line.client_ip, '::1');
    assert.equal(line.status, 403);
  });
});
