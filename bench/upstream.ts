/**
 * Benchmark upstream: a keep-alive node:http server answering a small body, a sink for large
 * uploads, and Lambda's Invoke API answering as a function returning a small proxy response, listening on `count` ports (argv[3], default 1) so scenarios can balance over several
 * targets; the first line it prints is the ports, space-separated.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { writeChunks } from '../support/write-chunks.js';

const port = Number(process.argv[2] ?? 0);
const count = Number(process.argv[3] ?? 1);
const body = Buffer.from('hello from the upstream\n');
const large = Buffer.alloc(1024 * 1024, 7);
const INVOKE_PATH = '/2015-03-31/functions/';
const proxyResponse = Buffer.from(JSON.stringify({ statusCode: 200, headers: { 'content-type': 'text/plain' }, body: 'hello from the function\n' }));
function handle(req: IncomingMessage, res: ServerResponse): void {
  if (req.url?.startsWith('/download/')) {
    // Streams N MiB without holding them in memory.
    const count = Number(req.url.slice('/download/'.length));
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(count * large.length) });
    writeChunks(res, large, count);
    return;
  }
  let bytes = 0;
  req.on('data', (chunk: Buffer) => (bytes += chunk.length));
  req.on('end', () => {
    if (req.url?.startsWith(INVOKE_PATH)) {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(proxyResponse.length), 'x-amzn-requestid': 'bench' });
      res.end(proxyResponse);
      return;
    }
    if (bytes > 0) {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end(String(bytes));
      return;
    }
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': String(body.length) });
    res.end(body);
  });
}

/** One server per port, all answering alike: to a scenario they are distinct targets. */
function listen(listenPort: number): Promise<number> {
  const server = createServer(handle);
  server.keepAliveTimeout = 65_000;
  return new Promise((resolve) => server.listen(listenPort, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

const ports = await Promise.all(Array.from({ length: count }, (_, i) => listen(i === 0 ? port : 0)));
process.stdout.write(`${ports.join(' ')}\n`);
