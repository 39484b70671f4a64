/**
 * Black-box: cors through the real gateway with the requests browsers send — Chrome's and Firefox's
 * preflight shapes (credentials, a regex origin, private network access), the actual requests that
 * follow, and auth plugins on the same route — against a real upstream that sends its own Vary and
 * Access-Control-Allow-Origin.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { request } from 'undici';
import { startTestGateway, type TestGateway } from '../../../test/helpers/gateway.js';
import { startUpstream, type TestUpstream } from '../../../test/helpers/upstream.js';

type Headers = Record<string, string | string[] | undefined>;

const APP = 'https://app.example.com';
const API_KEY = 'browser-app-key';

/** What Chrome sends before a credentialed PUT with custom headers (header names lower-case and sorted, as Chrome lists them). */
function chromePreflight(origin: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    accept: '*/*',
    'access-control-request-method': 'PUT',
    'access-control-request-headers': 'apikey,content-type,x-requested-with',
    origin,
    'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36',
    'sec-fetch-mode': 'cors',
    'sec-fetch-site': 'cross-site',
    'sec-fetch-dest': 'empty',
    referer: `${origin}/`,
    'accept-encoding': 'gzip, deflate, br, zstd',
    'accept-language': 'en-US,en;q=0.9',
    ...extra,
  };
}

/** Firefox's preflight for a POST with a JSON body. */
function firefoxPreflight(origin: string): Record<string, string> {
  return {
    'user-agent': 'Mozilla/5.0 (X11; Linux x86_64; rv:127.0) Gecko/20100101 Firefox/127.0',
    accept: '*/*',
    'accept-language': 'en-US,en;q=0.5',
    'accept-encoding': 'gzip, deflate, br, zstd',
    'access-control-request-method': 'POST',
    'access-control-request-headers': 'content-type',
    referer: `${origin}/`,
    origin,
    'sec-fetch-dest': 'empty',
    'sec-fetch-mode': 'cors',
    'sec-fetch-site': 'same-site',
    priority: 'u=4',
  };
}

async function send(url: string, method: string, headers: Record<string, string>): Promise<{ status: number; headers: Headers; body: string }> {
  const res = await request(url, { method: method as 'GET', headers });
  return { status: res.statusCode, headers: res.headers, body: await res.body.text() };
}

const corsHeaders = (headers: Headers) => Object.keys(headers).filter((name) => name.startsWith('access-control-')).sort();

describe('cors', () => {
  let upstream: TestUpstream;
  let gw: TestGateway;

  before(async () => {
    upstream = await startUpstream((req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'application/json', vary: 'Accept-Encoding', 'access-control-allow-origin': 'https://upstream-says.example' });
        res.end(JSON.stringify({ method: req.method, url: req.url }));
      });
    });
    const route = (name: string, config: Record<string, unknown>, plugins: unknown[] = []) => ({
      name,
      paths: [`/${name}`],
      plugins: [{ name: 'cors', config }, ...plugins],
    });
    gw = await startTestGateway({
      _format_version: '3.0',
      consumers: [{ username: 'browser-app', keyauth_credentials: [{ key: API_KEY }] }],
      services: [
        {
          name: 'svc',
          url: upstream.url,
          routes: [
            route(
              'app',
              {
                origins: [APP, '(.*)\\.partner\\.example'],
                credentials: true,
                exposed_headers: ['X-Request-Id', 'X-Total-Count'],
                max_age: 3600,
                private_network: true,
              },
              [{ name: 'key-auth' }],
            ),
            route('open', {}),
            route('open-credentials', { credentials: true, headers: ['content-type', 'apikey'], methods: ['GET', 'POST'] }),
            route('continue', { origins: [APP], preflight_continue: true }),
            route('origin-required', { origins: ['*'], allow_origin_absent: false }),
          ],
        },
      ],
    });
  });
  after(async () => {
    await gw.close();
    await upstream.close();
  });

  it("answers Chrome's credentialed preflight at the gateway, before key-auth, for an exact origin", async () => {
    const seen = upstream.seen.length;
    const answer = await send(`${gw.url}/app/items/7`, 'OPTIONS', chromePreflight(APP));
    assert.equal(answer.status, 200);
    assert.equal(answer.body, '');
    assert.equal(answer.headers['access-control-allow-origin'], APP);
    assert.equal(answer.headers['access-control-allow-credentials'], 'true');
    assert.equal(answer.headers['access-control-allow-methods'], 'GET,HEAD,PUT,PATCH,POST,DELETE,OPTIONS,TRACE,CONNECT');
    assert.equal(answer.headers['access-control-allow-headers'], 'apikey,content-type,x-requested-with');
    assert.equal(answer.headers['access-control-max-age'], '3600');
    assert.equal(answer.headers.vary, 'Origin');
    assert.equal(answer.headers['access-control-allow-private-network'], undefined);
    assert.ok(answer.headers['x-request-id']);
    assert.equal(upstream.seen.length, seen, 'the preflight never reaches the upstream');
  });

  it('matches a regex origin against the host, and answers a private-network preflight', async () => {
    const origin = 'https://shop.partner.example';
    const answer = await send(`${gw.url}/app/items`, 'OPTIONS', chromePreflight(origin, { 'access-control-request-private-network': 'true' }));
    assert.equal(answer.status, 200);
    assert.equal(answer.headers['access-control-allow-origin'], origin);
    assert.equal(answer.headers['access-control-allow-credentials'], 'true');
    assert.equal(answer.headers['access-control-allow-private-network'], 'true');
  });

  it('gives the actual credentialed request its CORS headers, Vary: Origin added to the upstream\'s Vary', async () => {
    const answer = await send(`${gw.url}/app/items/7`, 'PUT', {
      origin: APP,
      apikey: API_KEY,
      'content-type': 'application/json',
      'sec-fetch-mode': 'cors',
    });
    assert.equal(answer.status, 200);
    assert.equal(answer.headers['access-control-allow-origin'], APP);
    assert.equal(answer.headers['access-control-allow-credentials'], 'true');
    assert.equal(answer.headers['access-control-expose-headers'], 'X-Request-Id,X-Total-Count');
    assert.equal(answer.headers.vary, 'Accept-Encoding, Origin');
    assert.equal(answer.headers['access-control-allow-methods'], undefined, 'preflight-only headers stay on preflights');
  });

  it('puts CORS headers on the 401 of a request without its key, so the page can read it', async () => {
    const answer = await send(`${gw.url}/app/items/7`, 'GET', { origin: 'https://b2b.partner.example' });
    assert.equal(answer.status, 401);
    assert.equal(answer.headers['access-control-allow-origin'], 'https://b2b.partner.example');
    assert.equal(answer.headers['access-control-allow-credentials'], 'true');
    assert.equal((JSON.parse(answer.body) as { error: string }).error, 'unauthorized');
  });

  it('gives a disallowed origin no CORS headers at all (not an error), and drops the upstream\'s own', async () => {
    for (const origin of ['https://evil.example', 'https://partner.example.evil.test', 'null']) {
      const preflight = await send(`${gw.url}/app/items`, 'OPTIONS', chromePreflight(origin));
      assert.equal(preflight.status, 200);
      assert.deepEqual(corsHeaders(preflight.headers), [], origin);
      assert.equal(preflight.headers.vary, 'Origin');
      const actual = await send(`${gw.url}/app/items`, 'GET', { origin, apikey: API_KEY });
      assert.equal(actual.status, 200);
      assert.deepEqual(corsHeaders(actual.headers), [], origin);
      assert.equal(actual.headers.vary, 'Accept-Encoding, Origin');
    }
  });

  it("answers Firefox's preflight with * when any origin is allowed, and no Vary", async () => {
    const answer = await send(`${gw.url}/open/things`, 'OPTIONS', firefoxPreflight('https://anyone.example'));
    assert.equal(answer.status, 200);
    assert.equal(answer.headers['access-control-allow-origin'], '*');
    assert.equal(answer.headers['access-control-allow-headers'], 'content-type');
    assert.equal(answer.headers['access-control-allow-credentials'], undefined);
    assert.equal(answer.headers.vary, undefined);
    const actual = await send(`${gw.url}/open/things`, 'GET', { origin: 'https://anyone.example' });
    assert.equal(actual.headers['access-control-allow-origin'], '*');
    assert.equal(actual.headers.vary, 'Accept-Encoding');
  });

  it('echoes the origin instead of * when credentials are allowed, with the configured headers and methods', async () => {
    const origin = 'https://anyone.example';
    const answer = await send(`${gw.url}/open-credentials/things`, 'OPTIONS', firefoxPreflight(origin));
    assert.equal(answer.headers['access-control-allow-origin'], origin);
    assert.equal(answer.headers['access-control-allow-credentials'], 'true');
    assert.equal(answer.headers['access-control-allow-headers'], 'content-type,apikey');
    assert.equal(answer.headers['access-control-allow-methods'], 'GET,POST');
    assert.equal(answer.headers.vary, 'Origin');
    // Without an Origin there is nothing to echo: * stands, without credentials.
    const originless = await send(`${gw.url}/open-credentials/things`, 'GET', {});
    assert.equal(originless.headers['access-control-allow-origin'], '*');
    assert.equal(originless.headers['access-control-allow-credentials'], undefined);
  });

  it('lets the upstream answer preflights with preflight_continue, adding nothing to them', async () => {
    const seen = upstream.seen.length;
    const answer = await send(`${gw.url}/continue/things`, 'OPTIONS', chromePreflight(APP));
    assert.equal(answer.status, 200);
    assert.equal(JSON.parse(answer.body).method, 'OPTIONS');
    assert.equal(upstream.seen.length, seen + 1);
    assert.equal(answer.headers['access-control-allow-origin'], 'https://upstream-says.example');
    assert.equal(answer.headers['access-control-allow-methods'], undefined);
  });

  it('proxies an OPTIONS request that is not a preflight', async () => {
    const answer = await send(`${gw.url}/open/things`, 'OPTIONS', { origin: APP });
    assert.equal(JSON.parse(answer.body).method, 'OPTIONS');
    assert.equal(answer.headers['access-control-allow-origin'], '*');
  });

  it('sends nothing to requests without an Origin when allow_origin_absent is off', async () => {
    const answer = await send(`${gw.url}/origin-required/x`, 'GET', {});
    assert.equal(answer.headers['access-control-allow-origin'], 'https://upstream-says.example');
    const withOrigin = await send(`${gw.url}/origin-required/x`, 'GET', { origin: APP });
    assert.equal(withOrigin.headers['access-control-allow-origin'], '*');
  });
});
