/**
 * What makes a request a WebSocket handshake (RFC 6455 §4.1), checked before routing so a malformed
 * one gets 400 without reaching a plugin or the upstream. Only what a relay must trust is checked:
 * the key and protocol version are the upstream's to answer, but a handshake without them, with a
 * body, or on another method or HTTP version is not one it could accept.
 */
import type { IncomingMessage } from 'node:http';

/** The only version RFC 6455 defines; a client asking for another is told this one. */
export const WEBSOCKET_VERSION = '13';

/** 16 random bytes in base64. */
const KEY = /^[A-Za-z0-9+/]{22}==$/;

/** True when an Upgrade request asks for the WebSocket protocol (the header is a token list, case-insensitive). */
export function asksForWebSocket(req: IncomingMessage): boolean {
  const upgrade = req.headers.upgrade;
  if (upgrade === undefined) return false;
  return upgrade.split(',').some((token) => token.trim().toLowerCase() === 'websocket');
}

/** Why a WebSocket Upgrade request is not a valid handshake, or null when it is one. */
export function handshakeProblem(req: IncomingMessage): string | null {
  if (req.method !== 'GET') return `WebSocket handshake with method ${req.method ?? ''}`;
  if (req.httpVersionMajor !== 1 || req.httpVersionMinor < 1) return `WebSocket handshake over HTTP/${req.httpVersion}`;
  const { headers } = req;
  if (headers['transfer-encoding'] !== undefined || (headers['content-length'] !== undefined && headers['content-length'] !== '0')) return 'WebSocket handshake with a body';
  const key = headers['sec-websocket-key'];
  if (key === undefined || !KEY.test(key.trim())) return 'WebSocket handshake without a valid Sec-WebSocket-Key';
  if (headers['sec-websocket-version']?.trim() !== WEBSOCKET_VERSION) return `WebSocket version ${headers['sec-websocket-version'] ?? '(none)'}, not ${WEBSOCKET_VERSION}`;
  return null;
}
