/**
 * The gRPC yardstick: a node:http2 server whose every stream is piped into a stream on one node:http2
 * session to the upstream and back — request headers as they came, response head, body and trailers
 * as they come back. Gatehouse's gRPC unary calls are measured against it. With `contract-headers` it
 * also adds the headers the product contract adds (bench/contract-headers.ts).
 */
import { connect, type ClientHttp2Session, type IncomingHttpHeaders, type ServerHttp2Stream } from 'node:http2';
import { createServer } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { addResponseHeaders, addsContractHeaders, addUpstreamHeaders } from './contract-headers.js';

const [upstreamUrl] = process.argv.slice(2);
let session: ClientHttp2Session | null = null;

function upstream(): ClientHttp2Session {
  if (session === null || session.closed || session.destroyed) {
    const opened = connect(upstreamUrl!);
    opened.on('error', () => undefined);
    opened.once('close', () => {
      if (session === opened) session = null;
    });
    session = opened;
  }
  return session;
}

const server = createServer({ settings: { maxConcurrentStreams: 128 } });
server.on('stream', (stream: ServerHttp2Stream, headers: IncomingHttpHeaders) => {
  const out: Record<string, string | string[] | undefined> = {};
  for (const name in headers) if (name !== ':scheme' && name !== ':authority') out[name] = headers[name];
  const requestId = addsContractHeaders ? addUpstreamHeaders(out, String(headers[':path'])) : '';
  const call = upstream().request(out);
  let trailers: IncomingHttpHeaders = {};
  call.on('response', (head) => {
    // The client may have reset the stream meanwhile (h2load does at the end of a run).
    if (stream.destroyed) return void call.close();
    if (addsContractHeaders) addResponseHeaders(head, requestId);
    stream.respond(head, { waitForTrailers: true });
    call.pipe(stream);
  });
  call.on('trailers', (received) => (trailers = received));
  stream.on('wantTrailers', () => stream.sendTrailers(trailers));
  stream.pipe(call);
  call.on('error', () => stream.close());
  stream.on('error', () => call.close());
});
server.listen(0, '127.0.0.1', () => process.stdout.write(`${(server.address() as AddressInfo).port}\n`));
