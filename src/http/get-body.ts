/**
 * An HTTP(S) GET of a small document (a JWKS) with Node's own client, bounded in time and size. A
 * plugin that only fetches now and then takes this rather than undici's package entry, which brings
 * fetch, WebSocket, EventSource and the cache along: about 3 MiB of heap in every gateway that runs
 * the plugin, a sidecar's included.
 */
import { get as httpGet, type IncomingMessage } from 'node:http';
import { get as httpsGet } from 'node:https';

export interface BodyResponse {
  status: number;
  body: Buffer;
}

export interface GetBodyOptions {
  /** The whole exchange, connecting to the body's last byte. */
  timeoutMs: number;
  /** A longer body fails the call. */
  maxBytes: number;
}

export function getBody(url: string, options: GetBodyOptions): Promise<BodyResponse> {
  return new Promise((resolve, reject) => {
    const get = url.startsWith('https:') ? httpsGet : httpGet;
    const request = get(url, { signal: AbortSignal.timeout(options.timeoutMs) }, (response: IncomingMessage) => {
      const chunks: Buffer[] = [];
      let size = 0;
      response.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size <= options.maxBytes) {
          chunks.push(chunk);
          return;
        }
        reject(new Error(`body larger than ${options.maxBytes} bytes`));
        request.destroy();
      });
      response.once('end', () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks) }));
      // Also what cutting the request short raises, after the promise was settled.
      response.on('error', reject);
    });
    request.on('error', reject);
  });
}
