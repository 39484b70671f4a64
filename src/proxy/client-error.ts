/**
 * Answers requests Node's HTTP parser refused before any handler ran — bad framing (conflicting
 * Content-Length/Transfer-Encoding), bad header bytes, oversized heads — with the contract's JSON
 * error, a fresh request ID, and one log line naming the parser's code. A parser error in a body the
 * gateway already answered (a refused Transfer-Encoding, an early 401) gets no second answer.
 */
import type { Socket } from 'node:net';
import { STATUS_CODES } from 'node:http';
import type { Logger } from 'pino';
import { Errors, errorBody, GatewayError } from '../errors.js';
import { requestIdFrom } from '../observability/request-id.js';

/** The response Node's server has in progress on a socket; its own clientError default reads it too. */
interface ServerSocket extends Socket {
  _httpMessage?: { headersSent: boolean; writableEnded: boolean } | null;
}

export function handleClientError(error: Error & { code?: string }, socket: Socket, logger: Logger): void {
  if (error.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const answering = (socket as ServerSocket)._httpMessage;
  if (answering?.headersSent) {
    // The request was answered (and logged) already: let a complete answer reach the client, then close.
    if (answering.writableEnded) socket.end();
    else socket.destroy();
    return;
  }
  const kind = error.code === 'HPE_HEADER_OVERFLOW' ? Errors.headersTooLarge : Errors.badRequest;
  const gatewayError = new GatewayError(kind, { cause: error.code ?? error.message });
  const requestId = requestIdFrom(undefined);
  const body = errorBody(gatewayError, requestId);
  logger.info(
    { request_id: requestId, status: kind.status, error: kind.error, cause: gatewayError.causeText, client_ip: socket.remoteAddress },
    'access',
  );
  socket.end(
    `HTTP/1.1 ${kind.status} ${STATUS_CODES[kind.status]}\r\n` +
      'content-type: application/json; charset=utf-8\r\n' +
      `content-length: ${Buffer.byteLength(body)}\r\n` +
      `x-request-id: ${requestId}\r\n` +
      'connection: close\r\n\r\n' +
      body,
  );
}
