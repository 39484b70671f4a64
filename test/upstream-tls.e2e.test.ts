/**
 * Black-box: services with `protocol: https` against real node:https upstreams holding certificates
 * the suite makes (a test root, an intermediate, expired and wrong-host leaves, client certificates):
 * verification on by default against the system CAs, `ca_certificates` as the trust store, SNI sent,
 * each verification failure a 502 whose access-log cause names it, `tls_verify: false`,
 * `tls_verify_depth`, and mutual TLS with `client_certificate`.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { after, before, describe, it } from 'node:test';
import { request } from 'undici';
import { TestPki, type Issued } from '../support/pki.js';
import { eventually, startTestGateway, type TestGateway } from './helpers/gateway.js';

interface SeenByUpstream {
  servername: string | false;
  clientCertificate: string;
}

/** An HTTPS upstream answering with the SNI it was sent and the client certificate it was shown. */
async function httpsUpstream(certificate: Issued, clientCa?: string): Promise<{ port: number; server: Server }> {
  // With a client CA the upstream speaks TLS 1.2, where a refused client certificate is a handshake
  // alert the gateway can name; Node's TLS 1.3 server just closes the connection after the handshake.
  const mutual = clientCa ? { requestCert: true, rejectUnauthorized: true, ca: clientCa, maxVersion: 'TLSv1.2' as const } : {};
  const server = createServer(
    { cert: certificate.cert, key: certificate.key, ...mutual },
    (req, res) => {
      const socket = req.socket as TLSSocket;
      const seen: SeenByUpstream = { servername: socket.servername ?? false, clientCertificate: String(socket.getPeerCertificate()?.subject?.CN ?? '') };
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(seen));
    },
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as AddressInfo).port, server };
}

describe('upstream TLS', () => {
  let gw: TestGateway;
  const servers: Server[] = [];

  before(async () => {
    const pki = new TestPki();
    const clients = new TestPki('Gatehouse Test Client CA');
    const strangers = new TestPki('Some Other CA');
    const intermediate = pki.intermediate('Gatehouse Test Intermediate');
    const start = async (certificate: Issued, clientCa?: string) => {
      const upstream = await httpsUpstream(certificate, clientCa);
      servers.push(upstream.server);
      return upstream.port;
    };
    const good = await start(pki.leaf({ dns: ['localhost'] }));
    const expired = await start(pki.leaf({ dns: ['localhost'], expired: true }));
    const wrongHost = await start(pki.leaf({ dns: ['elsewhere.test'] }));
    const chained = await start(pki.leaf({ dns: ['localhost'] }, intermediate));
    const mutual = await start(pki.leaf({ dns: ['localhost'] }), clients.root.cert);
    const client = clients.leaf({ dns: ['gatehouse-client'], client: true });
    const stranger = strangers.leaf({ dns: ['stranger'], client: true });
    const ROOT = '0b9d2f1c-1d2e-4c3b-8a4f-5e6d7c8b9a01';
    const CLIENT = '0b9d2f1c-1d2e-4c3b-8a4f-5e6d7c8b9a02';
    const STRANGER = '0b9d2f1c-1d2e-4c3b-8a4f-5e6d7c8b9a03';
    const service = (name: string, port: number, extra: Record<string, unknown> = {}) => ({
      name,
      url: `https://localhost:${port}`,
      retries: 0,
      ...extra,
      routes: [{ name, paths: [`/${name}`] }],
    });
    const trusted = { ca_certificates: [ROOT] };
    gw = await startTestGateway({
      _format_version: '3.0',
      ca_certificates: [{ id: ROOT, cert: pki.root.cert }],
      certificates: [
        { id: CLIENT, cert: client.cert, key: client.key },
        { id: STRANGER, cert_path: stranger.certPath, key_path: stranger.keyPath },
      ],
      services: [
        service('system-cas', good),
        service('trusted', good, trusted),
        service('expired', expired, trusted),
        service('wrong-host', wrongHost, trusted),
        service('unverified', expired, { tls_verify: false }),
        service('depth-0', chained, { ...trusted, tls_verify_depth: 0 }),
        service('depth-1', chained, { ...trusted, tls_verify_depth: 1 }),
        service('mtls-none', mutual, trusted),
        service('mtls', mutual, { ...trusted, client_certificate: { id: CLIENT } }),
        service('mtls-stranger', mutual, { ...trusted, client_certificate: STRANGER }),
      ],
    });
  });
  after(async () => {
    await gw.close();
    for (const server of servers) {
      server.closeAllConnections();
      server.close();
    }
  });

  const call = async (name: string) => {
    const res = await request(`${gw.url}/${name}/x`);
    const body = (await res.body.json()) as SeenByUpstream & { error?: string; request_id?: string };
    const id = String(res.headers['x-request-id']);
    const line = await eventually(() => gw.accessLogs().find((l) => l.request_id === id), `the access log of ${name}`);
    return { status: res.statusCode, body, cause: String(line.cause ?? '') };
  };

  it('verifies by default against the system CAs, which do not know a private CA: 502 naming an unknown CA', async () => {
    const answer = await call('system-cas');
    assert.equal(answer.status, 502);
    assert.equal(answer.body.error, 'upstream_unavailable');
    assert.match(answer.cause, /^UNABLE_TO_VERIFY_LEAF_SIGNATURE TLS error with localhost:\d+: unknown CA$/);
  });

  it('trusts the service’s ca_certificates and sends the upstream host as SNI', async () => {
    const answer = await call('trusted');
    assert.equal(answer.status, 200);
    assert.equal(answer.body.servername, 'localhost');
    assert.equal(answer.body.clientCertificate, '');
  });

  it('names each verification failure in the log: expired, hostname mismatch', async () => {
    const expired = await call('expired');
    assert.equal(expired.status, 502);
    assert.match(expired.cause, /^CERT_HAS_EXPIRED TLS error with localhost:\d+: certificate expired$/);
    const mismatch = await call('wrong-host');
    assert.equal(mismatch.status, 502);
    assert.match(mismatch.cause, /^ERR_TLS_CERT_ALTNAME_INVALID TLS error with localhost:\d+: hostname mismatch$/);
  });

  it('connects without verification when tls_verify is false', async () => {
    assert.equal((await call('unverified')).status, 200);
  });

  it('counts intermediates against tls_verify_depth', async () => {
    const tooDeep = await call('depth-0');
    assert.equal(tooDeep.status, 502);
    assert.match(tooDeep.cause, /^CERT_CHAIN_TOO_LONG TLS error with localhost:\d+: certificate chain longer than tls_verify_depth$/);
    assert.equal((await call('depth-1')).status, 200);
  });

  it('presents client_certificate to an upstream that requires one (mutual TLS); without one, or an untrusted one, 502', async () => {
    const mutual = await call('mtls');
    assert.equal(mutual.status, 200);
    assert.equal(mutual.body.clientCertificate, 'gatehouse-client');
    const none = await call('mtls-none');
    assert.equal(none.status, 502);
    assert.match(none.cause, /^ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE TLS error with localhost:\d+: the upstream refused the handshake/);
    // Node's upstream checks the client's chain after the handshake and just closes: the cause is that close.
    const stranger = await call('mtls-stranger');
    assert.equal(stranger.status, 502);
    assert.match(stranger.cause, /^(UND_ERR_SOCKET|ECONNRESET|ERR_SSL_\w+) .*localhost:\d+/);
  });
});
