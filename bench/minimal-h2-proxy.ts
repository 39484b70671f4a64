/**
 * The HTTP/2 yardstick: node:http2 (h2c, compatibility API) plus one undici Pool to the HTTP/1.1
 * upstream, streaming the response straight into the client's stream — bench/minimal-proxy.ts with
 * HTTP/2 in front. Gatehouse's HTTP/2 passthrough is measured against it. With `contract-headers` it
 * also adds the headers the product contract adds (bench/contract-headers.ts).
 */
import { createServer, type Http2ServerRequest, type Http2ServerResponse } from 'node:http2';
import type { AddressInfo } from 'node:net';
import type { Writable } from 'node:stream';
import { Pool } from 'undici';
import { addResponseHeaders, addsContractHeaders, addUpstreamHeaders } from './contract-headers.js';

const [upstreamUrl] = process.argv.slice(2);
const pool = new Pool(upstreamUrl!, { pipelining: 1, keepAliveTimeout: 4_000 });

const server = createServer({ settings: { maxConcurrentStreams: 128 } }, (req: Http2ServerRequest, res: Http2ServerResponse) => {
  const headers: Record<string, string | string[] | undefined> = { host: req.authority };
  // Pseudo-headers are not HTTP/1.1 headers.
  for (const name in req.headers) if (name.charCodeAt(0) !== 58) headers[name] = req.headers[name];
  const requestId = addsContractHeaders ? addUpstreamHeaders(headers, req.url) : '';
  const hasBody = !req.stream.endAfterHeaders;
  pool
    .stream({ path: req.url, method: req.method as 'GET', headers, body: hasBody ? req : null }, ({ statusCode, headers: head }) => {
      delete head.connection;
      delete head['keep-alive'];
      delete head['transfer-encoding'];
      if (addsContractHeaders) addResponseHeaders(head, requestId);
      res.writeHead(statusCode, head as Record<string, string>);
      return res as unknown as Writable;
    })
    .catch(() => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
});
server.listen(0, '127.0.0.1', () => process.stdout.write(`${(server.address() as AddressInfo).port}\n`));
