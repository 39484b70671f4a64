/**
 * A real upstream whose behaviour a test switches while the gateway runs: it answers normally, with
 * 500s, never (hangs), or holds requests until released; it can die (stop listening, connections cut)
 * and come back on the same port. Every answer is tagged with its name (`x-backend` header and body),
 * and it counts health probes (`/health`) apart from proxied traffic.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type UpstreamMode = 'ok' | 'error' | 'hang' | 'hold';

export const PROBE_PATH = '/health';

export interface SwitchableUpstream {
  name: string;
  port: number;
  address: string;
  mode: UpstreamMode;
  /** Requests to PROBE_PATH received, and every other request. */
  probes: number;
  traffic: number;
  /** The User-Agent of each probe received (it names the gateway instance that sent it). */
  probeAgents: string[];
  /** The request target (path and query) of each proxied request, in order. */
  urls: string[];
  /** Answers every held request normally. */
  release(): void;
  /** Requests waiting in `hold` mode. */
  readonly held: number;
  stop(): Promise<void>;
  restart(): Promise<void>;
}

export async function startSwitchableUpstream(name: string, port = 0): Promise<SwitchableUpstream> {
  const held: ServerResponse[] = [];
  let server: Server | null = null;
  const answer = (res: ServerResponse, status = 200) => {
    res.writeHead(status, { 'x-backend': name, 'content-type': 'text/plain' });
    res.end(name);
  };
  const upstream: SwitchableUpstream = {
    name,
    port,
    address: '',
    mode: 'ok',
    probes: 0,
    traffic: 0,
    probeAgents: [],
    urls: [],
    release() {
      for (const res of held.splice(0)) answer(res);
    },
    get held() {
      return held.length;
    },
    async stop() {
      const running = server;
      server = null;
      if (!running) return;
      running.closeAllConnections();
      await new Promise<void>((resolve) => running.close(() => resolve()));
      held.length = 0;
    },
    async restart() {
      server = createServer(handle);
      const listening = server;
      await new Promise<void>((resolve) => listening.listen(upstream.port, '127.0.0.1', resolve));
      upstream.port = (listening.address() as AddressInfo).port;
      upstream.address = `127.0.0.1:${upstream.port}`;
    },
  };
  function handle(req: IncomingMessage, res: ServerResponse): void {
    if (req.url === PROBE_PATH) {
      upstream.probes++;
      upstream.probeAgents.push(req.headers['user-agent'] ?? '');
    } else {
      upstream.traffic++;
      upstream.urls.push(req.url ?? '');
    }
    req.resume();
    switch (upstream.mode) {
      case 'ok':
        return answer(res);
      case 'error':
        return answer(res, 500);
      case 'hang':
        return;
      case 'hold':
        held.push(res);
    }
  }
  await upstream.restart();
  return upstream;
}
