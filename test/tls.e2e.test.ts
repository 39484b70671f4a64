/** Black-box: the HTTPS proxy listener (GATEHOUSE_TLS_CERT/KEY on GATEHOUSE_PROXY_TLS_LISTEN), with a self-signed certificate made by openssl. */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Agent, request } from 'undici';
import { runCli, startCli, type StartedCli } from './helpers/cli.js';
import { startUpstream, type TestUpstream } from './helpers/upstream.js';

/** A self-signed certificate for 127.0.0.1 and localhost, as PEM files. */
async function selfSignedCertificate(): Promise<{ cert: string; key: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'gatehouse-tls-'));
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  try {
    execFileSync(
      'openssl',
      ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', '/CN=localhost',
        '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost', '-keyout', key, '-out', cert],
      { stdio: 'pipe' },
    );
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'openssl is not on PATH' : String((error as { stderr?: Buffer }).stderr ?? error);
    throw new Error(`the TLS suite needs openssl to make a test certificate: ${reason}`);
  }
  return { cert, key };
}

describe('HTTPS proxy listener', () => {
  let upstream: TestUpstream;
  let gw: StartedCli;
  let tlsUrl: string;
  let agent: Agent;

  before(async () => {
    const { cert, key } = await selfSignedCertificate();
    upstream = await startUpstream();
    gw = await startCli(
      { _format_version: '3.0', services: [{ name: 'echo', url: upstream.url, routes: [{ name: 'echo', paths: ['/echo'] }] }] },
      { settings: { TLS_CERT: cert, TLS_KEY: key }, listens: ['PROXY_TLS_LISTEN'] },
    );
    tlsUrl = `https://127.0.0.1:${gw.ports.PROXY_TLS_LISTEN}`;
    agent = new Agent({ connect: { ca: await readFile(cert) } });
  });
  after(async () => {
    await agent.close();
    await gw.cli.stop();
    await upstream.close();
  });

  it('proxies over HTTPS with the certificate and tells the upstream X-Forwarded-Proto: https', async () => {
    const res = await request(`${tlsUrl}/echo/secure`, { dispatcher: agent });
    assert.equal(res.statusCode, 200);
    const { url, headers } = (await res.body.json()) as { url: string; headers: Record<string, string> };
    assert.equal(url, '/secure');
    assert.equal(headers['x-forwarded-proto'], 'https');
    assert.equal(headers['x-forwarded-port'], tlsUrl.split(':')[2]);
    assert.match(String(res.headers['x-request-id']), /^[0-9a-f-]{36}$/);
  });

  it('keeps the plain HTTP listener, which says X-Forwarded-Proto: http', async () => {
    const res = await request(`${gw.proxyUrl}/echo/plain`);
    const { headers } = (await res.body.json()) as { headers: Record<string, string> };
    assert.equal(headers['x-forwarded-proto'], 'http');
  });

  it('logs both listeners at start', async () => {
    const started = await gw.cli.waitForLog((l) => l.msg === 'gatehouse started', 'the start line');
    assert.equal(started.proxy_tls, tlsUrl);
    assert.equal(started.proxy, gw.proxyUrl);
  });
});

describe('HTTPS proxy listener: bad certificate settings', () => {
  it('refuses to start when the certificate file cannot be read, naming the setting', async () => {
    const run = await runCli(['start'], {
      CONFIG: 'config/gatehouse.yaml',
      TLS_CERT: '/nonexistent/cert.pem',
      TLS_KEY: '/nonexistent/key.pem',
      PROXY_LISTEN: '127.0.0.1:0',
      PROXY_TLS_LISTEN: '127.0.0.1:0',
      ADMIN_LISTEN: '127.0.0.1:0',
    });
    assert.equal(run.code, 1);
    assert.deepEqual(run.stderr, ['gatehouse: cannot start: GATEHOUSE_TLS_CERT: cannot read /nonexistent/cert.pem: ENOENT']);
  });
});
