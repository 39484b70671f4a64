/**
 * Black-box: HTTPS-only routes and what the upstream and the client are told about the scheme — a
 * file-mode gateway whose declarative file carries the certificate (inline PEM) — through both
 * listeners: route `protocols` with `https_redirect_status_code` (426 with Upgrade, 301/302/307/308
 * with Location), a TLS request to a plain-only route, truthful X-Forwarded-Proto/-Port on each
 * listener and behind a trusted proxy, and the hsts plugin globally and per route.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { request } from 'undici';
import { TestPki } from '../support/pki.js';
import { eventually, startTestGateway, type TestGateway } from './helpers/gateway.js';
import { httpsGet } from './helpers/tls-client.js';
import { startUpstream, type TestUpstream } from './helpers/upstream.js';

interface Echo {
  url: string;
  headers: Record<string, string>;
}

describe('HTTPS-only routes and the forwarded scheme', () => {
  let pki: TestPki;
  let upstream: TestUpstream;
  let gw: TestGateway;
  let tlsPort: number;
  let plainPort: number;

  before(async () => {
    pki = new TestPki();
    const leaf = pki.leaf({ dns: ['api.example.test'] });
    upstream = await startUpstream();
    const route = (name: string, extra: Record<string, unknown>) => ({ name, paths: [`/${name}`], ...extra });
    gw = await startTestGateway(
      {
        _format_version: '3.0',
        certificates: [{ cert: leaf.cert, key: leaf.key, snis: [{ name: 'api.example.test' }] }],
        services: [
          {
            name: 'echo',
            url: upstream.url,
            routes: [
              route('both', {}),
              route('secure', { protocols: ['https'] }),
              ...[301, 302, 307, 308].map((code) => route(`moved-${code}`, { protocols: ['https'], https_redirect_status_code: code })),
              route('plain', { protocols: ['http'] }),
              route('strict', { protocols: ['https'], plugins: [{ name: 'hsts', config: { max_age: 600, include_subdomains: true } }] }),
            ],
          },
        ],
        plugins: [{ name: 'hsts' }],
      },
      { PROXY_TLS_LISTEN: '127.0.0.1:0', TRUSTED_PROXIES: '127.0.0.2/32' },
    );
    tlsPort = Number(new URL(gw.gateway.proxyTlsUrl!).port);
    plainPort = Number(new URL(gw.url).port);
  });
  after(async () => {
    await gw.close();
    await upstream.close();
  });

  const overTls = (path: string, headers: Record<string, string> = {}) => httpsGet(tlsPort, path, { servername: 'api.example.test', ca: pki.root.cert, headers });
  const plain = (path: string, headers: Record<string, string> = {}) => request(`${gw.url}${path}`, { headers: { host: 'api.example.test', ...headers } });

  it('starts the HTTPS listener from a certificate in the file', () => {
    assert.ok(tlsPort > 0);
  });

  it('answers a plain request to an https-only route with 426, Upgrade and the contract body', async () => {
    const res = await plain('/secure/x?a=1');
    assert.equal(res.statusCode, 426);
    assert.equal(res.headers.upgrade, 'TLS/1.2, HTTP/1.1');
    assert.match(String(res.headers.connection), /upgrade/i);
    const body = (await res.body.json()) as { message: string; error: string; request_id: string };
    assert.deepEqual({ message: body.message, error: body.error }, { message: 'Please use HTTPS protocol', error: 'https_required' });
    assert.equal(body.request_id, res.headers['x-request-id']);
    assert.equal(upstream.seen.filter((seen) => seen.url.startsWith('/secure')).length, 0);
    const logged = await eventually(() => gw.accessLogs().find((line) => line.path === '/secure/x'), 'the access-log line');
    assert.equal(logged.status, 426);
  });

  it('redirects with the configured status to the same target on https://', async () => {
    for (const code of [301, 302, 307, 308]) {
      const res = await plain(`/moved-${code}/a%2Fb?q=1&q=2`);
      await res.body.dump();
      assert.equal(res.statusCode, code);
      assert.equal(res.headers.location, `https://api.example.test/moved-${code}/a%2Fb?q=1&q=2`);
    }
  });

  it('serves https-only routes over TLS, and routes taking both on both listeners', async () => {
    const secure = await overTls('/secure/x');
    assert.equal(secure.status, 200);
    assert.equal((await plain('/both/x')).statusCode, 200);
    assert.equal((await overTls('/both/x')).status, 200);
  });

  it('does not route a TLS request to a plain-only route (404, as Kong 3), and serves it in plain text', async () => {
    const refused = await overTls('/plain/x');
    assert.equal(refused.status, 404);
    assert.equal((JSON.parse(refused.body) as { error: string }).error, 'no_route');
    assert.equal((await plain('/plain/x')).statusCode, 200);
  });

  it('tells the upstream the truth: X-Forwarded-Proto/-Port of the listener each request came in on', async () => {
    const viaTls = JSON.parse((await overTls('/both/x', { 'x-forwarded-proto': 'http', 'x-forwarded-port': '1' })).body) as Echo;
    assert.deepEqual([viaTls.headers['x-forwarded-proto'], viaTls.headers['x-forwarded-port']], ['https', String(tlsPort)]);
    const viaPlain = (await (await plain('/both/x', { 'x-forwarded-proto': 'https', 'x-forwarded-port': '443' })).body.json()) as Echo;
    assert.deepEqual([viaPlain.headers['x-forwarded-proto'], viaPlain.headers['x-forwarded-port']], ['http', String(plainPort)]);
  });

  it('believes a trusted proxy that terminated TLS: no redirect, its scheme and port forwarded', async () => {
    const { request: rawRequest } = await import('node:http');
    const viaTrusted = (path: string) =>
      new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }>((resolve, reject) => {
        const req = rawRequest({ host: '127.0.0.1', port: plainPort, path, localAddress: '127.0.0.2', headers: { host: 'api.example.test', 'x-forwarded-proto': 'https', 'x-forwarded-port': '443' } }, (res) => {
          let body = '';
          res.on('data', (chunk: Buffer) => (body += chunk.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
        });
        req.on('error', reject);
        req.end();
      });
    const secure = await viaTrusted('/secure/x');
    assert.equal(secure.status, 200);
    const seen = JSON.parse(secure.body) as Echo;
    assert.deepEqual([seen.headers['x-forwarded-proto'], seen.headers['x-forwarded-port']], ['https', '443']);
    assert.equal(secure.headers['strict-transport-security'], 'max-age=31536000');
  });

  it('adds Strict-Transport-Security over HTTPS only: the global policy, or the route’s own', async () => {
    assert.equal((await overTls('/both/x')).headers['strict-transport-security'], 'max-age=31536000');
    assert.equal((await overTls('/strict/x')).headers['strict-transport-security'], 'max-age=600; includeSubDomains');
    // Gateway-made answers over TLS carry it too.
    assert.equal((await overTls('/plain/x')).headers['strict-transport-security'], 'max-age=31536000');
    const overPlain = await plain('/both/x');
    await overPlain.body.dump();
    assert.equal(overPlain.headers['strict-transport-security'], undefined);
  });
});
