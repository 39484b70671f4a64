/**
 * The yardstick: the smallest reasonable proxy, node:http plus one undici Pool streaming the
 * response straight into the client response. Gatehouse is measured against it.
 */
import { createServer } from 'node:http';
import { Writable } from 'node:stream';
import { Pool } from 'undici';

const [upstreamUrl, portArg] = process.argv.slice(2);
const pool = new Pool(upstreamUrl!, { pipelining: 1, keepAliveTimeout: 4_000 });

const server = createServer((req, res) => {
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
});
server.keepAliveTimeout = 65_000;
server.listen(Number(portArg ?? 0), '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(`${typeof address === 'object' && address ? address.port : 0}\n`);
});
