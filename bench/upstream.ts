/** Benchmark upstream: a keep-alive node:http server answering a small body, and a sink for large uploads. */
import { createServer } from 'node:http';

const port = Number(process.argv[2] ?? 0);
const body = Buffer.from('hello from the upstream\n');
const large = Buffer.alloc(1024 * 1024, 7);
const server = createServer((req, res) => {
  if (req.url?.startsWith('/download/')) {
    // Streams N MiB without holding them in memory.
    let left = Number(req.url.slice('/download/'.length));
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(left * large.length) });
    const pump = () => {
      while (left > 0) {
        left--;
        if (!res.write(large)) return void res.once('drain', pump);
      }
      res.end();
    };
    pump();
    return;
  }
  let bytes = 0;
  req.on('data', (chunk: Buffer) => (bytes += chunk.length));
  req.on('end', () => {
    if (bytes > 0) {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end(String(bytes));
      return;
    }
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': String(body.length) });
    res.end(body);
  });
});
server.keepAliveTimeout = 65_000;
server.listen(port, '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(`${typeof address === 'object' && address ? address.port : port}\n`);
});
