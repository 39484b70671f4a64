/**
 * The WebSocket yardstick: the smallest reasonable relay, node:http's 'upgrade' event handing the
 * handshake to the upstream over a new connection and then piping the two sockets both ways — the
 * 101 included — with nothing else. Gatehouse's tunnels are measured against it.
 */
import { createServer } from 'node:http';
import { connect, type Socket } from 'node:net';

const upstream = new URL(process.argv[2]!);

const server = createServer((_req, res) => res.end('websocket only\n'));
server.on('upgrade', (req, duplex, head) => {
  const client = duplex as Socket;
  const up = connect(Number(upstream.port), upstream.hostname, () => {
    let text = `${req.method} ${req.url} HTTP/1.1\r\n`;
    for (let i = 0; i < req.rawHeaders.length; i += 2) text += `${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}\r\n`;
    up.write(`${text}\r\n`);
    if (head.length > 0) up.write(head);
    client.pipe(up);
    up.pipe(client);
  });
  up.setNoDelay(true);
  const close = () => (client.destroy(), up.destroy());
  client.on('error', close);
  up.on('error', close);
  client.on('close', close);
  up.on('close', close);
});
server.listen(Number(process.argv[3] ?? 0), '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(`${typeof address === 'object' && address ? address.port : 0}\n`);
});
