/**
 * The relay benchmark's load generator, one process per target: CONNECTIONS WebSocket connections,
 * each keeping WINDOW messages in flight (a new one sent as each reply arrives), for SECONDS; prints
 * the messages relayed per second (replies received) as one line. Frames are made once and replies
 * counted by length (websocket-frames.ts), so the generator spends its CPU on the sockets alone.
 */
import { connect, type Socket } from 'node:net';
import { clientFrame, serverFrame } from './websocket-frames.js';

const [url, secondsArg, connectionsArg, windowArg] = process.argv.slice(2);
const target = new URL(url!);
const seconds = Number(secondsArg ?? 2);
const connections = Number(connectionsArg ?? 50);
const window = Number(windowArg ?? 8);
const message = clientFrame();
const replyLength = serverFrame().length;
const first = Buffer.concat(Array.from({ length: window }, () => message));

let replies = 0;
let counting = false;
const sockets: Socket[] = [];

function open(): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect(Number(target.port), target.hostname);
    sockets.push(socket);
    socket.setNoDelay(true);
    socket.once('error', reject);
    let head = '';
    let pending = 0;
    const onReplies = (bytes: number) => {
      pending += bytes;
      const count = Math.floor(pending / replyLength);
      pending -= count * replyLength;
      if (count === 0) return;
      if (counting) replies += count;
      socket.write(count === 1 ? message : Buffer.concat(Array.from({ length: count }, () => message)));
    };
    const onHead = (chunk: Buffer) => {
      head += chunk.toString('latin1');
      const end = head.indexOf('\r\n\r\n');
      if (end === -1) return;
      if (!head.startsWith('HTTP/1.1 101')) return reject(new Error(`handshake refused: ${head.split('\r\n')[0]}`));
      socket.off('data', onHead);
      socket.on('data', (data: Buffer) => onReplies(data.length));
      const rest = Buffer.byteLength(head, 'latin1') - (end + 4);
      if (rest > 0) onReplies(rest);
      socket.write(first);
      resolve();
    };
    socket.on('data', onHead);
    socket.write(
      `GET ${target.pathname} HTTP/1.1\r\nHost: ${target.host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
        'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
    );
  });
}

await Promise.all(Array.from({ length: connections }, open));
counting = true;
const started = performance.now();
await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
const elapsed = (performance.now() - started) / 1000;
counting = false;
process.stdout.write(`${(replies / elapsed).toFixed(0)}\n`);
for (const socket of sockets) socket.destroy();
