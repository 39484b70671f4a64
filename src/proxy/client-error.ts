/**
 * Answers requests Node's HTTP parser refused before any handler ran — bad framing (conflicting
 * Content-Length/Transfer-Encoding), bad header bytes, oversized heads — with the contract's JSON
 * error, a fresh request ID, and one log line naming the parser's code.
 */
import type { Socket } from 'node:net';
import { STATUS_CODES } from 'node:http';
import type { Logger } from 'pino';
import { Errors, errorBody, GatewayError } from '../errors.js';
import { requestIdFrom } from '../observability/request-id.js';

export function handleClientError(error: Error & { code?: string }, socket: Socket, logger: Logger): void {
  if (error.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
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
