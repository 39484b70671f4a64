/**
 * The proxy listeners' 'upgrade' listener. A WebSocket handshake goes through the same request path as
 * any request — head checks, routing, the access phase, the upstream call — with a response object
 * of its own on the detached socket, so every answer other than the 101 (400, 401, 404, 429, an
 * upstream's refusal) is written by the same responder and logged the same way; the connection then
 * closes, since no HTTP parser is left on it. Other Upgrade requests are served as plain HTTP.
 */
import { ServerResponse, type IncomingMessage, type Server } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { asksForWebSocket } from './handshake.js';
import { replayAsPlainHttp } from './plain-replay.js';

/** A client connection whose HTTP parser left it for a WebSocket handshake. */
export interface ClientUpgrade {
  readonly socket: Socket;
  /** Bytes that arrived after the handshake's head (frames a client sent early): they go upstream first. */
  readonly head: Buffer;
}

export type UpgradeHandler = (req: IncomingMessage, res: ServerResponse, upgrade: ClientUpgrade) => void;

function ignore(): void {}

export function upgradeListener(server: Server, tls: boolean, handle: UpgradeHandler): (req: IncomingMessage, socket: Duplex, head: Buffer) => void {
  return (req, duplex, head) => {
    if (!asksForWebSocket(req)) {
      replayAsPlainHttp(server, tls, req, duplex, head);
      return;
    }
    const socket = duplex as Socket;
    // Node removed its own error listener with the parser; a reset now closes the response instead.
    socket.on('error', ignore);
    const res = new ServerResponse(req);
    res.shouldKeepAlive = false;
    res.assignSocket(socket);
    // An answer other than the 101 ends the connection; the tunnel detaches the socket before that.
    res.once('finish', () => socket.end());
    handle(req, res, { socket, head });
  };
}
