/**
 * Plugins' own HTTP calls (a JWKS fetch, a log sink's or collector's batch) with Node's own client,
 * bounded in time and size. A plugin that calls out now and then takes this rather than undici's
 * package entry, which brings fetch, WebSocket, EventSource and the cache along: about 3 MiB of heap
 * in every gateway that runs the plugin, a sidecar's included.
 */
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage, type OutgoingHttpHeaders } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';

export interface BodyResponse {
  status: number;
  body: Buffer;
}

export interface GetBodyOptions {
  /** The whole exchange, connecting to the body's last byte. */
  timeoutMs: number;
  /** A longer answer body fails the call. */
  maxBytes: number;
}

export interface SendOptions {
  method: string;
  headers: OutgoingHttpHeaders;
  body: string | Buffer;
  /** The whole exchange, connecting to the answer's last byte. */
  timeoutMs: number;
  /** A connection that does not open in time fails the call. */
  connectTimeoutMs: number;
  /** Keeps connections between calls (keepAliveAgent); Node's global agent otherwise. */
  agent?: HttpAgent;
}

/** An agent keeping idle connections to `url`'s origin for `idleMs`. */
export function keepAliveAgent(url: string, idleMs: number): HttpAgent {
  const options = { keepAlive: true, timeout: idleMs };
  return url.startsWith('https:') ? new HttpsAgent(options) : new HttpAgent(options);
}

/** GETs a small document. */
export function getBody(url: string, options: GetBodyOptions): Promise<BodyResponse> {
  return exchange(url, { method: 'GET' }, null, options.maxBytes, options.timeoutMs, null);
}

/** Sends `body`; resolves to the answer's status once its body (read and dropped) has ended. */
export async function sendBody(url: string, options: SendOptions): Promise<number> {
  const headers = { ...options.headers, 'content-length': Buffer.byteLength(options.body) };
  const answer = await exchange(url, { method: options.method, headers, agent: options.agent }, options.body, null, options.timeoutMs, options.connectTimeoutMs);
  return answer.status;
}

function exchange(
  url: string,
  init: { method: string; headers?: OutgoingHttpHeaders; agent?: HttpAgent | undefined },
  body: string | Buffer | null,
  /** null: the answer's body is read and dropped. */
  maxBytes: number | null,
  timeoutMs: number,
  connectTimeoutMs: number | null,
): Promise<BodyResponse> {
  return new Promise((resolve, reject) => {
    const send = url.startsWith('https:') ? httpsRequest : httpRequest;
    const request = send(url, { ...init, signal: AbortSignal.timeout(timeoutMs) }, (response: IncomingMessage) => {
      const chunks: Buffer[] = [];
      let size = 0;
      response.on('data', (chunk: Buffer) => {
        if (maxBytes === null) return;
        size += chunk.length;
        if (size <= maxBytes) {
          chunks.push(chunk);
          return;
        }
        reject(new Error(`body larger than ${maxBytes} bytes`));
        request.destroy();
      });
      response.once('end', () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks) }));
      // Also what cutting the request short raises, after the promise was settled.
      response.on('error', reject);
    });
    request.on('error', reject);
    if (connectTimeoutMs !== null) {
      request.once('socket', (socket) => {
        if (!socket.connecting) return;
        const timer = setTimeout(() => request.destroy(new Error(`connect timeout after ${connectTimeoutMs} ms`)), connectTimeoutMs);
        socket.once('encrypted' in socket ? 'secureConnect' : 'connect', () => clearTimeout(timer));
        socket.once('close', () => clearTimeout(timer));
      });
    }
    request.end(body ?? undefined);
  });
}
