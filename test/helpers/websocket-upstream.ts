/**
 * A real WebSocket upstream for the suites (the `ws` library's server on a loopback port): it echoes
 * every message as it came (text or binary), answers pings (ws does), remembers each handshake's
 * headers and each close it saw, and on request closes with a given code, or sends a message of a
 * given size. Plain HTTP requests to it get a small JSON echo.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

export interface SeenClose {
  path: string;
  code: number;
  reason: string;
}

export interface WebSocketUpstream {
  url: string;
  handshakes: { path: string; headers: IncomingHttpHeaders }[];
  closes: SeenClose[];
  /** Sockets open now, by path. */
  open: Set<WebSocket>;
  server: Server;
  close(): Promise<void>;
}

/**
 * Commands a client sends as text: `close:<code>:<reason>` (the upstream closes), `send:<bytes>` (the
 * upstream sends that many bytes, binary), `ping:<text>` (the upstream pings the client), `drop` (the
 * upstream drops the connection without a close frame).
 */
function command(socket: WebSocket, text: string): boolean {
  const [verb, a = '', b = ''] = text.split(':');
  if (verb === 'close') socket.close(Number(a), b);
  else if (verb === 'send') socket.send(Buffer.alloc(Number(a), 7));
  else if (verb === 'ping') socket.ping(a);
  else if (verb === 'drop') socket.terminate();
  else return false;
  return true;
}

export async function startWebSocketUpstream(): Promise<WebSocketUpstream> {
  const handshakes: WebSocketUpstream['handshakes'] = [];
  const closes: SeenClose[] = [];
  const open = new Set<WebSocket>();
  const server = createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ plain: true, method: req.method, url: req.url, upgrade: req.headers.upgrade ?? null }));
  });
  const wss = new WebSocketServer({
    server,
    maxPayload: 64 * 1024 * 1024,
    handleProtocols: (protocols) => (protocols.has('chat.v1') ? 'chat.v1' : false),
    verifyClient: (info, done) => (info.req.url?.startsWith('/refuse') ? done(false, 403, 'refused by the upstream') : done(true)),
  });
  wss.on('connection', (socket, req) => {
    const path = req.url ?? '';
    handshakes.push({ path, headers: req.headers });
    open.add(socket);
    socket.on('message', (data, isBinary) => {
      if (!isBinary && command(socket, data.toString())) return;
      socket.send(data, { binary: isBinary });
    });
    socket.on('close', (code, reason) => {
      open.delete(socket);
      closes.push({ path, code, reason: reason.toString() });
    });
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    handshakes,
    closes,
    open,
    server,
    close: async () => {
      for (const socket of wss.clients) socket.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
