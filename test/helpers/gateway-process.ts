/**
 * Starts `gatehouse start` as a separate process (as a replica would run), on free ports chosen
 * beforehand since port 0 cannot be read from outside (fresh ones when another process took one
 * first), and waits until it answers /status.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { endProcess } from '../../support/end-process.js';
import { startOnFreePorts } from '../../support/free-port.js';

export interface GatewayProcess {
  proxyUrl: string;
  adminUrl: string;
  /** stdout and stderr so far (for failure messages). */
  output(): string;
  stop(): Promise<void>;
  /** Kills it at once (SIGKILL): a crash, with nothing released. */
  crash(): Promise<void>;
}

const START_TIMEOUT_MS = 30_000;

/** `env` holds GATEHOUSE_* settings without the prefix; `ready` waits for /status/ready rather than /status. */
export function startGatewayProcess(env: Record<string, string>, ready = true): Promise<GatewayProcess> {
  return startOnFreePorts(2, ([proxyPort, adminPort]) => startOnPorts(env, ready, proxyPort!, adminPort!));
}

async function startOnPorts(env: Record<string, string>, ready: boolean, proxyPort: number, adminPort: number): Promise<GatewayProcess> {
  // No drain delay: a stop would otherwise wait for load balancers there are none of.
  const settings = Object.fromEntries(Object.entries({ LOG_LEVEL: 'warn', DRAIN_DELAY_MS: '0', ...env }).map(([k, v]) => [`GATEHOUSE_${k}`, v]));
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', 'start'], {
    env: { ...process.env, ...settings, GATEHOUSE_PROXY_LISTEN: `127.0.0.1:${proxyPort}`, GATEHOUSE_ADMIN_LISTEN: `127.0.0.1:${adminPort}` },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk));
  const adminUrl = `http://127.0.0.1:${adminPort}`;
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`gateway exited with ${child.exitCode}:\n${output}`);
    const status = await fetch(`${adminUrl}${ready ? '/status/ready' : '/status'}`).then((r) => r.status, () => 0);
    if (status === 200) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`gateway did not become ready:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    proxyUrl: `http://127.0.0.1:${proxyPort}`,
    adminUrl,
    output: () => output,
    stop: () => endProcess(child, 'SIGTERM'),
    crash: () => endProcess(child, 'SIGKILL'),
  };
}
