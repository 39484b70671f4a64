/**
 * Serves an Upgrade request for another protocol than WebSocket (`Upgrade: h2c` from `curl --http2`
 * on http://, `TLS/1.0`…) as the plain HTTP/1.1 request it also is, as nginx and Kong do. Node hands
 * every Upgrade request to the server's 'upgrade' listener once there is one, its parser already
 * detached from the socket; so the head is written back in front of the bytes that followed it,
 * without the `upgrade` token of its Connection header, and the socket is given to the HTTP server
 * again as if it had just connected: the request, its body and the keep-alive requests after it are
 * then parsed and served as any others.
 */
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';

/** The Connection header's tokens without `upgrade`, or "" when none is left. */
function withoutUpgradeToken(value: string): string {
  return value
    .split(',')
    .map((token) => token.trim())
    .filter((token) => token !== '' && token.toLowerCase() !== 'upgrade')
    .join(', ');
}

/** `tls`: the server is the HTTPS listener, whose HTTP layer listens for 'secureConnection'. */
export function replayAsPlainHttp(server: Server, tls: boolean, req: IncomingMessage, socket: Duplex, head: Buffer): void {
  const raw = req.rawHeaders;
  let text = `${req.method} ${req.url} HTTP/${req.httpVersion}\r\n`;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!;
    const value = name.toLowerCase() === 'connection' ? withoutUpgradeToken(raw[i + 1]!) : raw[i + 1]!;
    if (value !== '') text += `${name}: ${value}\r\n`;
  }
  // Node decodes header bytes as latin1, so latin1 gives back the bytes the client sent.
  socket.unshift(Buffer.concat([Buffer.from(`${text}\r\n`, 'latin1'), head]));
  server.emit(tls ? 'secureConnection' : 'connection', socket);
}
