/**
 * A loopback port that was free a moment ago, for servers that must be told their port up front.
 * Ports come from below Linux's ephemeral range (32768–60999), so the outgoing connections every
 * test makes cannot take one between this check and the server's bind (a port from `listen(0)`
 * can be); each is handed out once per process, and picked at random so that test files running
 * side by side rarely try the same one.
 */
import { createServer } from 'node:net';

const LOWEST = 20_000;
const HIGHEST = 32_767;
const handedOut = new Set<number>();

function canListen(port: number): Promise<boolean> {
  const server = createServer();
  return new Promise((resolve) => {
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = LOWEST + Math.floor(Math.random() * (HIGHEST - LOWEST + 1));
    if (handedOut.has(port)) continue;
    handedOut.add(port);
    if (await canListen(port)) return port;
  }
  throw new Error(`no free loopback port found between ${LOWEST} and ${HIGHEST}`);
}
