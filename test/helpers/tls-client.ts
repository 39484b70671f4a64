/** Real TLS clients for the HTTPS suites: a bare handshake that reports what was served, and an HTTPS GET through node:https. */
import { X509Certificate } from 'node:crypto';
import { request, type Agent } from 'node:https';
import { connect, type ConnectionOptions, type TLSSocket } from 'node:tls';

export interface Handshake {
  /** The served certificate's subject common name. */
  commonName: string;
  fingerprint: string;
  protocol: string | null;
  /** The server certificate's key type: "EC" or "RSA". */
  keyType: string;
  reused: boolean;
  session: Buffer | undefined;
}

/** Completes a handshake with 127.0.0.1:port (SNI `servername` when given) and closes. Rejects when the server refuses. */
export function handshake(port: number, options: ConnectionOptions = {}): Promise<Handshake> {
  return new Promise((resolve, reject) => {
    let session: Buffer | undefined;
    const socket: TLSSocket = connect({ host: '127.0.0.1', port, ...options });
    socket.on('session', (ticket: Buffer) => (session = ticket));
    socket.once('error', reject);
    socket.once('secureConnect', () => {
      const peer = socket.getPeerX509Certificate();
      const result = {
        commonName: /CN=([^\n]+)/.exec(peer?.subject ?? '')?.[1] ?? '',
        fingerprint: peer?.fingerprint256 ?? '',
        protocol: socket.getProtocol(),
        keyType: peer?.publicKey.asymmetricKeyType === 'ec' ? 'EC' : 'RSA',
        reused: socket.isSessionReused(),
      };
      // TLS 1.3 tickets arrive after the handshake: read one reply byte's worth of time.
      socket.write('GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
      socket.once('data', () => undefined);
      socket.once('close', () => resolve({ ...result, session }));
      socket.once('end', () => socket.destroy());
    });
  });
}

export interface HttpsAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  /** Fingerprint of the certificate the connection was served. */
  fingerprint: string;
}

/** GET https://<servername>:port/path, connecting to 127.0.0.1, verifying against `ca`. */
export function httpsGet(port: number, path: string, options: { servername?: string; ca?: string | string[]; agent?: Agent | false; headers?: Record<string, string> } = {}): Promise<HttpsAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path,
        servername: options.servername,
        ca: options.ca,
        agent: options.agent ?? false,
        headers: { host: options.servername ?? '127.0.0.1', ...options.headers },
      },
      (res) => {
        const raw = (res.socket as TLSSocket).getPeerCertificate().raw;
        const fingerprint = raw ? new X509Certificate(raw).fingerprint256 : '';
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body, fingerprint }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/** The SHA-256 fingerprint of a PEM certificate (its first certificate), as Node prints it. */
export function fingerprintOf(pem: string): string {
  return new X509Certificate(pem).fingerprint256;
}
