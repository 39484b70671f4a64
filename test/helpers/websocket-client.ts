/** The `ws` client as the WebSocket suites use it: open (or the refusal's answer), next message, close. */
import { WebSocket, type ClientOptions } from 'ws';

export interface Refused {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** Opens a client; rejects with the answer when the handshake is refused. */
export function open(url: string, protocols: string[] = [], options: ClientOptions = {}): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, protocols, { maxPayload: 64 * 1024 * 1024, ...options });
    socket.once('open', () => resolve(socket));
    socket.once('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => reject(Object.assign(new Error(`refused with ${res.statusCode}`), { refused: { status: res.statusCode!, headers: res.headers, body } })));
    });
    socket.once('error', reject);
  });
}

export async function refusal(url: string, options: ClientOptions = {}): Promise<Refused> {
  try {
    const socket = await open(url, [], options);
    socket.terminate();
  } catch (error) {
    const refused = (error as { refused?: Refused }).refused;
    if (refused) return refused;
    throw error;
  }
  throw new Error(`${url}: the handshake was accepted`);
}

export function nextMessage(socket: WebSocket): Promise<{ data: Buffer; isBinary: boolean }> {
  return new Promise((resolve) => socket.once('message', (data, isBinary) => resolve({ data: Buffer.isBuffer(data) ? data : Buffer.concat(data as Buffer[]), isBinary })));
}

export function closed(socket: WebSocket): Promise<{ code: number; reason: string }> {
  if (socket.readyState === WebSocket.CLOSED) throw new Error('already closed');
  return new Promise((resolve) => socket.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));
}
