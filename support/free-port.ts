/**
 * A loopback port that was free a moment ago, for servers that must be told their port up front.
 * Ports come from below Linux's ephemeral range (32768–60999), so the outgoing connections every
 * test makes cannot take one between this check and the server's bind (a port from `listen(0)`
 * can be); each is handed out once per process, and picked at random so that test files running
 * side by side rarely try the same one. Rarely is not never: a server that takes a moment to bind
 * (a gateway process starting) can find its port taken by another file's, so starters go through
 * `startOnFreePorts`, which tries again on fresh ports.
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

/** What a bind failure says, in Node's words (EADDRINUSE) or a server's own (redis-server). */
const PORT_TAKEN = /EADDRINUSE|address already in use/i;
const START_ATTEMPTS = 5;

/**
 * Runs `start` on `count` free ports; when it fails because another process bound one of them
 * between the check and the bind, runs it again on fresh ports (up to 5 tries). Any other failure
 * is thrown at once.
 */
export async function startOnFreePorts<T>(count: number, start: (ports: number[]) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const ports: number[] = [];
    for (let i = 0; i < count; i++) ports.push(await freePort());
    try {
      return await start(ports);
    } catch (error) {
      if (attempt === START_ATTEMPTS || !PORT_TAKEN.test(error instanceof Error ? error.message : String(error))) throw error;
    }
  }
}
