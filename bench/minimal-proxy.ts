/**
 * The yardstick: the smallest reasonable proxy, node:http (or node:https, TLS 1.3, when given a
 * certificate and key) plus one undici Pool streaming the response straight into the client
 * response. Gatehouse is measured against it.
 */
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import { Writable } from 'node:stream';
import { Pool } from 'undici';

const [upstreamUrl, portArg, certPath, keyPath] = process.argv.slice(2);
const pool = new Pool(upstreamUrl!, { pipelining: 1, keepAliveTimeout: 4_000 });

const proxy = (req: IncomingMessage, res: ServerResponse) => {
  const hasBody = req.headers['content-length'] !== undefined || req.headers['transfer-encoding'] !== undefined;
  pool
    .stream(
      { path: req.url!, method: req.method as 'GET', headers: req.headers, body: hasBody ? req : null },
      ({ statusCode, headers }) => {
        delete headers.connection;
        delete headers['keep-alive'];
        delete headers['transfer-encoding'];
        res.writeHead(statusCode, headers as Record<string, string>);
        return res as unknown as Writable;
      },
    )
    .catch(() => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
};

const server = certPath && keyPath ? createTlsServer({ cert: readFileSync(certPath), key: readFileSync(keyPath), minVersion: 'TLSv1.3' }, proxy) : createServer(proxy);
server.keepAliveTimeout = 65_000;
server.listen(Number(portArg ?? 0), '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(`${typeof address === 'object' && address ? address.port : 0}\n`);
});
