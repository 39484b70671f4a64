/**
 * Benchmark gRPC upstream: a bare node:http2 server answering every call as a unary one would — an
 * empty message and `grpc-status: 0` in the trailers — at the least cost per call, so the proxies in
 * front of it, not the upstream, are what the gRPC comparison measures. Prints its port.
 */
import { createServer, type ServerHttp2Stream } from 'node:http2';
import type { AddressInfo } from 'node:net';

const EMPTY_MESSAGE = Buffer.from([0, 0, 0, 0, 0]);
const HEAD = { ':status': 200, 'content-type': 'application/grpc' };
const TRAILERS = { 'grpc-status': '0' };

const server = createServer({ settings: { maxConcurrentStreams: 1000 } });
server.on('stream', (stream: ServerHttp2Stream) => {
  stream.on('data', () => undefined);
  stream.once('end', () => {
    if (stream.destroyed) return;
    stream.respond(HEAD, { waitForTrailers: true });
    stream.once('wantTrailers', () => stream.sendTrailers(TRAILERS));
    stream.end(EMPTY_MESSAGE);
  });
  stream.on('error', () => undefined);
});
server.listen(Number(process.argv[2] ?? 0), '127.0.0.1', () => process.stdout.write(`${(server.address() as AddressInfo).port}\n`));
