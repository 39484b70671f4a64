/**
 * A tiny echo server for the bundled demo route: answers every request with what it received
 * (method, path, query, headers, body size), so `curl localhost:8000/demo/hello` shows the proxying.
 */
import { createServer, type Server } from 'node:http';

export function startEchoUpstream(host: string, port: number): Promise<Server> {
  const server = createServer((req, res) => {
    let bytes = 0;
    req.on('data', (chunk: Buffer) => (bytes += chunk.length));
    req.on('end', () => {
      const body = JSON.stringify({ echo: { method: req.method, url: req.url, headers: req.headers, body_bytes: bytes } }, null, 2);
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}
