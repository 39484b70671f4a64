/** Black-box: forward-auth against a real authorizer server — allow, pass-through denials, cache, failures. */
import assert from 'node:assert/strict';
import type { IncomingHttpHeaders } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { request } from 'undici';
import { eventually, startTestGateway, type TestGateway } from '../../../test/helpers/gateway.js';
import { startUpstream, type TestUpstream } from '../../../test/helpers/upstream.js';

const TOKENS = { good: 'tok-good-0123456789', other: 'tok-other-0123456789', denied: 'tok-denied-0123456789', broken: 'tok-broken-0123456789', hang: 'tok-hang-0123456789', slow: 'tok-slow-0123456789' };

describe('forward-auth', () => {
  let upstream: TestUpstream;
  let authorizer: TestUpstream;
  let gw: TestGateway;
  const asked: Array<{ url: string; headers: IncomingHttpHeaders }> = [];

  before(async () => {
    upstream = await startUpstream();
    authorizer = await startUpstream((req, res) => {
      asked.push({ url: req.url!, headers: req.headers });
      const auth = req.headers.authorization ?? '';
      if (auth === `Bearer ${TOKENS.good}` || auth === `Bearer ${TOKENS.other}`) {
        res.writeHead(204, { 'x-user-id': auth.endsWith(TOKENS.good) ? 'u1' : 'u2', 'x-tenant': 't1' }).end();
      } else if (auth === `Bearer ${TOKENS.denied}`) {
        res.writeHead(403, { 'content-type': 'application/json', 'x-internal': 'secret' }).end('{"reason":"nope"}');
      } else if (auth === `Bearer ${TOKENS.broken}`) {
        res.writeHead(500).end('boom');
      } else if (auth === `Bearer ${TOKENS.slow}`) {
        // Slow enough that concurrent requests overlap with this call.
        setTimeout(() => res.writeHead(204).end(), 300);
      } else if (auth === `Bearer ${TOKENS.hang}`) {
        // Never answers: the gateway's timeout must end the wait.
      } else {
        res.writeHead(401, { 'content-type': 'text/plain', 'www-authenticate': 'Bearer realm="authz"' }).end('who are you');
      }
    });
    const route = (name: string, config: Record<string, unknown>) => ({
      name,
      paths: [`/${name}`],
      plugins: [{ name: 'forward-auth', config: { url: `${authorizer.url}/check?from=${name}`, ...config } }],
    });
    gw = await startTestGateway({
      _format_version: '3.0',
      services: [
        {
          name: 'echo',
          url: upstream.url,
          routes: [
            route('fa', { response_headers: ['X-User-Id'], forward_method_and_path: true }),
            route('cached', { ttl: 60, response_headers: ['X-User-Id'] }),
            route('hang', { timeout: 200 }),
            route('broken', { failure_status: 500 }),
          ],
        },
      ],
    });
  });
  after(async () => {
    await gw.close();
    await authorizer.close();
    await upstream.close();
  });

  async function call(path: string, token?: string, headers: Record<string, string> = {}) {
    const res = await request(`${gw.url}${path}`, { headers: token ? { authorization: `Bearer ${token}`, ...headers } : headers });
    return { status: res.statusCode, headers: res.headers, text: await res.body.text() };
  }

  const calls = (route: string) => asked.filter((a) => a.url === `/check?from=${route}`).length;

  it('allows on 2xx, sends the chosen headers and method/URI, and copies response_headers upstream', async () => {
    const seenBefore = upstream.seen.length;
    const res = await call('/fa/items?b=1', TOKENS.good, { 'x-user-id': 'forged', 'x-consumer-username': 'forged', cookie: 'session=private' });
    assert.equal(res.status, 200);
    const sent = JSON.parse(res.text) as { headers: Record<string, string | undefined> };
    assert.equal(sent.headers['x-user-id'], 'u1');
    assert.equal(sent.headers['x-consumer-username'], undefined);
    assert.equal(sent.headers['x-tenant'], undefined);
    assert.equal(upstream.seen.length, seenBefore + 1);

    const question = asked.at(-1)!;
    assert.equal(question.url, '/check?from=fa');
    assert.equal(question.headers.authorization, `Bearer ${TOKENS.good}`);
    assert.equal(question.headers['x-forwarded-method'], 'GET');
    assert.equal(question.headers['x-forwarded-uri'], '/fa/items?b=1');
    assert.equal(question.headers.cookie, undefined);
    assert.equal(question.headers['x-request-id'], res.headers['x-request-id']);
  });

  it('passes the authorizer\'s 401 and 403 to the client without reaching the upstream', async () => {
    const seenBefore = upstream.seen.length;
    const unauthorized = await call('/fa', undefined);
    assert.equal(unauthorized.status, 401);
    assert.equal(unauthorized.text, 'who are you');
    assert.equal(unauthorized.headers['content-type'], 'text/plain');
    assert.equal(unauthorized.headers['www-authenticate'], 'Bearer realm="authz"');
    assert.ok(unauthorized.headers['x-request-id']);

    const forbidden = await call('/fa', TOKENS.denied);
    assert.equal(forbidden.status, 403);
    assert.deepEqual(JSON.parse(forbidden.text), { reason: 'nope' });
    assert.equal(forbidden.headers['x-internal'], undefined);
    assert.equal(upstream.seen.length, seenBefore);
  });

  it('caches decisions per identity for ttl seconds', async () => {
    for (let i = 0; i < 3; i++) {
      const res = await call('/cached', TOKENS.good);
      assert.equal(res.status, 200);
      assert.equal((JSON.parse(res.text) as { headers: Record<string, string> }).headers['x-user-id'], 'u1');
    }
    assert.equal(calls('cached'), 1);
    const other = await call('/cached', TOKENS.other);
    assert.equal((JSON.parse(other.text) as { headers: Record<string, string> }).headers['x-user-id'], 'u2');
    assert.equal(calls('cached'), 2);
    for (let i = 0; i < 2; i++) assert.equal((await call('/cached', TOKENS.denied)).status, 403);
    assert.equal(calls('cached'), 3);
  });

  it('asks once for concurrent requests of one identity', async () => {
    const before = calls('cached');
    const results = await Promise.all(Array.from({ length: 10 }, () => call('/cached', TOKENS.slow)));
    assert.ok(results.every((res) => res.status === 200));
    assert.equal(calls('cached'), before + 1);
  });

  it('does not cache when ttl is 0', async () => {
    const before = calls('fa');
    await call('/fa', TOKENS.good);
    await call('/fa', TOKENS.good);
    assert.equal(calls('fa'), before + 2);
  });

  it('denies with failure_status when the authorizer hangs or fails, and logs the cause', async () => {
    const hung = await call('/hang', TOKENS.hang);
    assert.equal(hung.status, 503);
    const body = JSON.parse(hung.text) as Record<string, string>;
    assert.equal(body.error, 'service_unavailable');
    assert.equal(body.request_id, hung.headers['x-request-id']);
    const hungLine = await eventually(() => gw.accessLogs().find((line) => line.request_id === body.request_id), 'the access line');
    assert.match(String(hungLine.cause), /forward-auth .*(Timeout|Abort)/i);

    const broken = await call('/broken', TOKENS.broken);
    assert.equal(broken.status, 500);
    const brokenBody = JSON.parse(broken.text) as Record<string, string>;
    assert.equal(brokenBody.error, 'internal_error');
    const brokenLine = await eventually(() => gw.accessLogs().find((line) => line.request_id === brokenBody.request_id), 'the access line');
    assert.match(String(brokenLine.cause), /authorizer answered 500/);
  });

  it('never writes a credential to the logs', () => {
    const logged = JSON.stringify(gw.logs);
    for (const token of Object.values(TOKENS)) assert.ok(!logged.includes(token));
  });
});
