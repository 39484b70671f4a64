/**
 * Black-box: the HTTPS listener fed by certificate and SNI entities written through the admin API
 * (Redis mode), with certificates the suite makes with openssl: the listener starting with the first
 * certificate, SNI exact → *.wildcard → suffix.* → `*` → refused, the ECDSA/RSA pair, session
 * resumption, TLS 1.0/1.1 refused, rotation under traffic with no failed request, every instance
 * following a write, and private keys that never come back out.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { Agent } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { TestPki, type Issued } from '../support/pki.js';
import { startTestRedis, type TestRedis } from '../support/redis.js';
import { adminClient, type AdminCall } from './helpers/admin.js';
import { eventually, eventuallyAsync, startTestGateway, type TestGateway } from './helpers/gateway.js';
import { fingerprintOf, handshake, httpsGet } from './helpers/tls-client.js';
import { startUpstream, type TestUpstream } from './helpers/upstream.js';

const run = promisify(execFile);

const portOf = (url: string | null) => Number(new URL(url!).port);

describe('HTTPS listener: certificates and SNIs from the admin API', () => {
  let pki: TestPki;
  let redis: TestRedis;
  let upstream: TestUpstream;
  let gw: TestGateway;
  let other: TestGateway;
  let admin: AdminCall;
  let exact: Issued;
  let wildcard: Issued;
  let suffix: Issued;
  let catchAll: Issued;
  let rsa: Issued;
  let tlsPort: number;

  before(async () => {
    pki = new TestPki();
    exact = pki.leaf({ dns: ['api.example.test'] });
    wildcard = pki.leaf({ dns: ['*.example.test'] });
    suffix = pki.leaf({ dns: ['shop.example'] });
    catchAll = pki.leaf({ dns: ['default.example.test'] });
    rsa = pki.leaf({ dns: ['default.example.test'], keyType: 'rsa' });
    redis = await startTestRedis();
    upstream = await startUpstream();
    const dir = await mkdtemp(join(tmpdir(), 'gatehouse-tls-'));
    const config = { _format_version: '3.0', services: [{ name: 'echo', url: upstream.url, routes: [{ name: 'echo', paths: ['/echo'] }] }] };
    gw = await startTestGateway(config, { REDIS_URL: redis.url, SNAPSHOT: join(dir, 'a.json'), PROXY_TLS_LISTEN: '127.0.0.1:0' });
    other = await startTestGateway(config, { REDIS_URL: redis.url, SNAPSHOT: join(dir, 'b.json'), PROXY_TLS_LISTEN: '127.0.0.1:0' });
    admin = adminClient(gw.adminUrl);
  });
  after(async () => {
    await gw.close();
    await other.close();
    await upstream.close();
    await redis.close();
  });

  it('has no HTTPS listener before the first certificate, and starts it when one is written, on every instance', async () => {
    assert.equal(gw.gateway.proxyTlsUrl, null);
    const created = await admin('POST', '/certificates', { cert: exact.cert, key: exact.key, snis: ['api.example.test'] });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.deepEqual(created.body.snis, ['api.example.test']);
    assert.ok(gw.gateway.proxyTlsUrl);
    tlsPort = portOf(gw.gateway.proxyTlsUrl);
    const served = await httpsGet(tlsPort, '/echo/x', { servername: 'api.example.test', ca: pki.root.cert });
    assert.equal(served.status, 200);
    assert.equal(served.fingerprint, fingerprintOf(exact.cert));
    const seen = JSON.parse(served.body) as { headers: Record<string, string> };
    assert.equal(seen.headers['x-forwarded-proto'], 'https');
    assert.equal(seen.headers['x-forwarded-port'], String(tlsPort));
    // The other instance follows the write by pub/sub and starts its own listener.
    const otherUrl = await eventually(() => other.gateway.proxyTlsUrl ?? undefined, 'the second instance’s HTTPS listener');
    const there = await httpsGet(portOf(otherUrl), '/echo/x', { servername: 'api.example.test', ca: pki.root.cert });
    assert.equal(there.fingerprint, fingerprintOf(exact.cert));
  });

  it('picks by SNI: exact name, then *.wildcard, then suffix.*, then the * SNI; refuses an unknown name in the handshake', async () => {
    for (const [certificate, names] of [[wildcard, ['*.example.test']], [suffix, ['shop.*']]] as const) {
      const created = await admin('POST', '/certificates', { cert: certificate.cert, key: certificate.key, snis: names });
      assert.equal(created.status, 201, JSON.stringify(created.body));
    }
    const at = (servername: string) => handshake(tlsPort, { servername, ca: pki.root.cert, rejectUnauthorized: false });
    assert.equal((await at('api.example.test')).fingerprint, fingerprintOf(exact.cert));
    assert.equal((await at('API.Example.Test')).fingerprint, fingerprintOf(exact.cert));
    assert.equal((await at('www.example.test')).fingerprint, fingerprintOf(wildcard.cert));
    assert.equal((await at('shop.example')).fingerprint, fingerprintOf(suffix.cert));
    // One label only: a.b.example.test is not *.example.test, as in Kong.
    await assert.rejects(at('a.b.example.test'));
    await assert.rejects(at('unknown.test'), /alert|handshake|ECONNRESET|socket/i);
    // No SNI (an address in the URL) and no default: refused too.
    await assert.rejects(handshake(tlsPort, { rejectUnauthorized: false }));

    const created = await admin('POST', '/certificates', { cert: catchAll.cert, key: catchAll.key, snis: ['*'] });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal((await at('unknown.test')).fingerprint, fingerprintOf(catchAll.cert));
    assert.equal((await handshake(tlsPort, { rejectUnauthorized: false })).fingerprint, fingerprintOf(catchAll.cert));
    // curl, with --resolve so the name reaches the listener as SNI and Host.
    const curl = await run('curl', ['-sS', '--cacert', pki.root.certPath, '--resolve', `www.example.test:${tlsPort}:127.0.0.1`, '-o', '/dev/null', '-w', '%{http_code} %{ssl_verify_result}', `https://www.example.test:${tlsPort}/echo/curl`]);
    assert.equal(curl.stdout, '200 0');
  });

  it('serves a default certificate or its RSA alternate to clients without SNI, whichever they can use; the primary one to named clients', async () => {
    const id = (await admin('GET', `/snis/${encodeURIComponent('*')}`)).body.certificate.id as string;
    const patched = await admin('PATCH', `/certificates/${id}`, { cert_alt: rsa.cert, key_alt: rsa.key });
    assert.equal(patched.status, 200, JSON.stringify(patched.body));
    const ecdsa = await handshake(tlsPort, { rejectUnauthorized: false, maxVersion: 'TLSv1.2', ciphers: 'ECDHE-ECDSA-AES128-GCM-SHA256' });
    const rsaOnly = await handshake(tlsPort, { rejectUnauthorized: false, maxVersion: 'TLSv1.2', ciphers: 'ECDHE-RSA-AES128-GCM-SHA256' });
    assert.deepEqual([ecdsa.fingerprint, rsaOnly.fingerprint], [fingerprintOf(catchAll.cert), fingerprintOf(rsa.cert)]);
    const named = await handshake(tlsPort, { servername: 'nobody.test', rejectUnauthorized: false });
    assert.equal(named.fingerprint, fingerprintOf(catchAll.cert));
    const sameType = await admin('PATCH', `/certificates/${id}`, { cert_alt: wildcard.cert, key_alt: wildcard.key });
    assert.equal(sameType.status, 400);
    assert.match(sameType.body.fields.cert_alt, /different type/);
  });

  it('resumes sessions (TLS 1.3 and 1.2 tickets), also across certificates', async () => {
    for (const maxVersion of ['TLSv1.3', 'TLSv1.2'] as const) {
      const first = await handshake(tlsPort, { servername: 'www.example.test', ca: pki.root.cert, maxVersion });
      assert.ok(first.session, `a ${maxVersion} session ticket`);
      const again = await handshake(tlsPort, { servername: 'www.example.test', ca: pki.root.cert, maxVersion, session: first.session });
      assert.equal(again.reused, true, maxVersion);
      assert.equal(again.protocol, maxVersion);
    }
  });

  it('speaks TLS 1.2 and 1.3 only: openssl s_client is refused TLS 1.0 and 1.1', async () => {
    const sClient = async (flag: string) => {
      // SECLEVEL=0 lets the client offer the old versions, so the refusal is the server's.
      const args = ['s_client', '-connect', `127.0.0.1:${tlsPort}`, '-servername', 'api.example.test', flag, '-cipher', 'DEFAULT@SECLEVEL=0'];
      return run('openssl', args, { timeout: 10_000 }).then(
        (ok) => ({ ok: true, output: ok.stdout + ok.stderr }),
        (error: { stdout?: string; stderr?: string }) => ({ ok: false, output: `${error.stdout ?? ''}${error.stderr ?? ''}` }),
      );
    };
    for (const flag of ['-tls1', '-tls1_1']) {
      const answer = await sClient(flag);
      assert.equal(answer.ok, false, `${flag} must fail`);
      assert.match(answer.output, /alert protocol version|unsupported protocol|wrong version number|no protocols available/i, flag);
    }
    for (const [flag, protocol] of [['-tls1_2', 'TLSv1.2'], ['-tls1_3', 'TLSv1.3']] as const) {
      const answer = await sClient(flag);
      assert.match(answer.output, new RegExp(`New, ${protocol.replace('.', '\\.')}, Cipher is`), flag);
    }
  });

  it('rotates a certificate under traffic: the next handshake gets the new one, no request fails, open connections stay', async () => {
    const id = (await admin('GET', `/snis/${encodeURIComponent('*.example.test')}`)).body.certificate.id as string;
    const renewed = pki.leaf({ dns: ['*.example.test'] });
    const keptAlive = new Agent({ keepAlive: true, maxSockets: 1 });
    const before = await httpsGet(tlsPort, '/echo/before', { servername: 'www.example.test', ca: pki.root.cert, agent: keptAlive });
    assert.equal(before.fingerprint, fingerprintOf(wildcard.cert));

    let failures = 0;
    let served = 0;
    let stop = false;
    const fingerprints = new Set<string>();
    const client = async () => {
      for (let i = 0; i < 2000 && !stop; i++) {
        try {
          const answer = await httpsGet(tlsPort, '/echo/rotation', { servername: 'www.example.test', ca: pki.root.cert });
          if (answer.status === 200) served++;
          else failures++;
          fingerprints.add(answer.fingerprint);
        } catch {
          failures++;
        }
      }
    };
    const traffic = Promise.all([client(), client(), client()]);
    await eventually(() => (served > 20 ? true : undefined), 'traffic before the rotation', 10_000);
    const put = await admin('PUT', `/certificates/${id}`, { cert: renewed.cert, key: renewed.key, snis: ['*.example.test'] });
    assert.equal(put.status, 200, JSON.stringify(put.body));
    const servedAtWrite = served;
    await eventually(() => (served > servedAtWrite + 20 ? true : undefined), 'traffic after the rotation', 10_000);
    stop = true;
    await traffic;

    assert.equal(failures, 0);
    assert.ok(fingerprints.has(fingerprintOf(renewed.cert)), 'new handshakes get the new certificate');
    const after = await httpsGet(tlsPort, '/echo/after', { servername: 'www.example.test', ca: pki.root.cert });
    assert.equal(after.fingerprint, fingerprintOf(renewed.cert));
    // The keep-alive connection made before the write still serves, with the certificate it was given.
    const reusedConnection = await httpsGet(tlsPort, '/echo/kept', { servername: 'www.example.test', ca: pki.root.cert, agent: keptAlive });
    assert.equal(reusedConnection.status, 200);
    assert.equal(reusedConnection.fingerprint, fingerprintOf(wildcard.cert));
    keptAlive.destroy();
    // The other instance serves the new one too, with no restart.
    const otherPort = portOf(other.gateway.proxyTlsUrl);
    await eventuallyAsync(async () => {
      const answer = await httpsGet(otherPort, '/echo/x', { servername: 'www.example.test', ca: pki.root.cert });
      return answer.fingerprint === fingerprintOf(renewed.cert) ? true : undefined;
    }, 'the second instance serving the renewed certificate');
  });

  it('removes a certificate with its SNIs: the next handshake for that name falls back to the * SNI', async () => {
    const id = (await admin('GET', `/snis/${encodeURIComponent('shop.*')}`)).body.certificate.id as string;
    assert.equal((await admin('DELETE', `/certificates/${id}`)).status, 204);
    assert.equal((await admin('GET', `/snis/${encodeURIComponent('shop.*')}`)).status, 404);
    const served = await handshake(tlsPort, { servername: 'shop.example', rejectUnauthorized: false });
    assert.equal(served.fingerprint, fingerprintOf(catchAll.cert));
  });

  it('never shows a private key: entity answers, GET /config, stored versions, errors and logs', async () => {
    const everything = JSON.stringify([
      (await admin('GET', '/certificates')).body,
      (await admin('GET', '/config')).body,
      (await admin('GET', `/config/versions/${(await admin('GET', '/status')).body.config_version}`)).body,
    ]);
    assert.ok(everything.includes('BEGIN CERTIFICATE'));
    assert.doesNotMatch(everything, /PRIVATE KEY/);
    // A key that does not match its certificate: the error names the field, not the PEM.
    const wrong = await admin('POST', '/certificates', { cert: exact.cert, key: wildcard.key });
    assert.equal(wrong.status, 400);
    assert.deepEqual(wrong.body.fields, { key: 'does not match cert' });
    const garbled = await admin('POST', '/certificates', { cert: exact.cert, key: `${exact.key.slice(0, 60)}garbage` });
    assert.equal(garbled.status, 400);
    assert.doesNotMatch(JSON.stringify(garbled.body), /PRIVATE KEY|garbage/);
    assert.doesNotMatch(JSON.stringify([gw.logs, other.logs]), /PRIVATE KEY/);
  });

  it('takes GET /config back unchanged: certificates without keys keep the stored ones', async () => {
    const exported = (await admin('GET', '/config')).body;
    const posted = await admin('POST', '/config', exported);
    assert.equal(posted.status, 201, JSON.stringify(posted.body));
    const served = await httpsGet(tlsPort, '/echo/x', { servername: 'api.example.test', ca: pki.root.cert });
    assert.equal(served.fingerprint, fingerprintOf(exact.cert));
    // A certificate the store does not know cannot come without its key.
    const stranger = { ...exported, certificates: [...exported.certificates, { id: '6f1c2b7e-4d3a-4f60-812c-3e4b5a697d8e', cert: suffix.cert }] };
    const refused = await admin('POST', '/config', stranger);
    assert.equal(refused.status, 400);
    assert.match(JSON.stringify(refused.body.fields), /key.*required field missing/);
  });

  it('keeps a key given as key_path out of Redis, reading it on each instance', async () => {
    const fromFiles = pki.leaf({ dns: ['files.example.test'] });
    const created = await admin('POST', '/certificates', { cert_path: fromFiles.certPath, key_path: fromFiles.keyPath, snis: ['files.example.test'] });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal(created.body.key_path, fromFiles.keyPath);
    const served = await httpsGet(tlsPort, '/echo/x', { servername: 'files.example.test', ca: pki.root.cert });
    assert.equal(served.fingerprint, fingerprintOf(fromFiles.cert));
    const missing = await admin('POST', '/certificates', { cert_path: fromFiles.certPath, key_path: '/nonexistent/key.pem' });
    assert.equal(missing.status, 400);
    assert.deepEqual(missing.body.fields, { key_path: 'cannot read /nonexistent/key.pem: ENOENT' });
    const client = new Redis(redis.port, '127.0.0.1');
    try {
      const keys = await client.keys('*');
      const stored = await Promise.all(keys.map(async (key) => ((await client.type(key)) === 'string' ? client.get(key) : client.hgetall(key).then(JSON.stringify).catch(() => ''))));
      const text = stored.join('\n');
      assert.ok(text.includes(fromFiles.keyPath));
      assert.ok(!text.includes(fromFiles.key.split('\n')[1]!), 'the file key is not in Redis');
    } finally {
      client.disconnect();
    }
  });
});
