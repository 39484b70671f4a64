/**
 * One active health probe of one target, as Kong's checker sends it: an HTTP(S) GET of `http_path` on
 * a connection of its own (closed afterwards, so a probe never rides a keep-alive connection that
 * hides a dead listener and never takes one from the proxy's pools), or for `tcp` a connection alone.
 * The outcome is what the status or the error means; the prober counts it.
 */
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect, isIP } from 'node:net';
import { HTTP_FAILURE, SUCCESS, type ActiveProbing } from './health-policy.js';

export type ProbeOutcome =
  | { kind: 'success' }
  | { kind: 'tcp_failure' | 'timeout' | 'http_failure'; cause: string }
  /** An answer whose status is in neither list: counted as nothing, as in Kong. */
  | { kind: 'neither' };

/** The User-Agent of a probe names the instance sending it, so an upstream's logs show who probes it. */
export function probeUserAgent(nodeId: string): string {
  return `gatehouse-healthcheck (${nodeId})`;
}

/** `host:port` or `[v6]:port` → host (without brackets) and port. */
export function splitAddress(address: string): { host: string; port: number } {
  const at = address.lastIndexOf(':');
  return { host: address.slice(0, at).replace(/^\[(.*)\]$/, '$1'), port: Number(address.slice(at + 1)) };
}

function classify(status: number, probing: ActiveProbing, address: string): ProbeOutcome {
  const verdict = probing.statuses[status];
  if (verdict === SUCCESS) return { kind: 'success' };
  if (verdict === HTTP_FAILURE) return { kind: 'http_failure', cause: `probe got HTTP ${status} from ${address}` };
  return { kind: 'neither' };
}

function failure(error: Error & { code?: string }, address: string): ProbeOutcome {
  return { kind: 'tcp_failure', cause: `probe ${error.code ?? error.message} ${address}` };
}

/** Probes `address`; never rejects. `hostHeader` and `userAgent` are what an http(s) probe sends. */
export function probe(address: string, probing: ActiveProbing, hostHeader: string, userAgent: string): Promise<ProbeOutcome> {
  const { host, port } = splitAddress(address);
  const timeout: ProbeOutcome = { kind: 'timeout', cause: `probe timed out after ${probing.timeoutMs}ms ${address}` };
  return new Promise<ProbeOutcome>((resolve) => {
    let settled = false;
    let cleanup = (): void => undefined;
    const settle = (outcome: ProbeOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      cleanup();
      resolve(outcome);
    };
    const timer = setTimeout(() => settle(timeout), probing.timeoutMs);

    if (probing.type === 'tcp') {
      const socket = connect({ host, port });
      cleanup = () => socket.destroy();
      socket.once('connect', () => settle({ kind: 'success' }));
      socket.once('error', (error) => settle(failure(error, address)));
      return;
    }
    const headers: Record<string, string | string[]> = { ...probing.headers, host: hostHeader, 'user-agent': userAgent, connection: 'close' };
    const options = { host, port, path: probing.httpPath, method: 'GET', headers, agent: false as const };
    const onResponse = (res: IncomingMessage) => {
      res.resume();
      settle(classify(res.statusCode ?? 0, probing, address));
    };
    const req =
      probing.type === 'https'
        ? httpsRequest({ ...options, rejectUnauthorized: probing.verifyCertificate, servername: probing.httpsSni ?? (isIP(host) === 0 ? host : undefined) }, onResponse)
        : httpRequest(options, onResponse);
    cleanup = () => req.destroy();
    req.once('error', (error) => settle(failure(error, address)));
    req.end();
  });
}
