/**
 * The relay benchmark's upstream: accepts WebSocket handshakes and answers every client message with
 * one of the same length (websocket-frames.ts), counting bytes rather than parsing frames, so it
 * costs little of the CPU it shares with the load generator. Prints its port.
 */
import { createServer } from 'node:http';
import type { Socket } from 'node:net';
import { acceptFor, clientFrame, serverFrame } from './websocket-frames.js';

const inLength = clientFrame().length;
const reply = serverFrame();
/** Up to this many replies are written with one write. */
const BATCH = 64;
const replies = Buffer.concat(Array.from({ length: BATCH }, () => reply));

const server = createServer((_req, res) => res.end('websocket only\n'));
server.on('upgrade', (req, duplex, head) => {
  const socket = duplex as Socket;
  socket.setNoDelay(true);
  socket.on('error', () => socket.destroy());
  socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${acceptFor(String(req.headers['sec-websocket-key']))}\r\n\r\n`);
  let pending = 0;
  const received = (bytes: number) => {
    pending += bytes;
    let messages = Math.floor(pending / inLength);
    pending -= messages * inLength;
    while (messages > 0) {
      const batch = Math.min(messages, BATCH);
      socket.write(batch === BATCH ? replies : replies.subarray(0, batch * reply.length));
      messages -= batch;
    }
  };
  if (head.length > 0) received(head.length);
  socket.on('data', (chunk: Buffer) => received(chunk.length));
});
server.listen(Number(process.argv[2] ?? 0), '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(`${typeof address === 'object' && address ? address.port : 0}\n`);
});
