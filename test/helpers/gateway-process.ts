/**
 * A real `gatehouse start` child process (run from source through tsx) on free ports, for suites that
 * need several gateway instances; resolves once /status/ready answers 200.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { freePort } from './free-port.js';
import { writeTempConfig } from './gateway.js';

const MAIN = fileURLToPath(new URL('../../src/main.ts', import.meta.url));
const READY_TIMEOUT_MS = 30_000;

export interface GatewayProcess {
  url: string;
  stop(): Promise<void>;
}

async function waitReady(url: string, child: ChildProcess, stderr: () => string): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`gateway process exited with ${child.exitCode}: ${stderr()}`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`gateway process not ready after ${READY_TIMEOUT_MS}ms: ${stderr()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export async function startGatewayProcess(config: unknown, env: Record<string, string> = {}): Promise<GatewayProcess> {
  const configPath = await writeTempConfig(config);
  const [port, adminPort] = [await freePort(), await freePort()];
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, 'start'], {
    env: {
      ...process.env,
      GATEHOUSE_CONFIG: configPath,
      GATEHOUSE_PROXY_LISTEN: `127.0.0.1:${port}`,
      GATEHOUSE_ADMIN_LISTEN: `127.0.0.1:${adminPort}`,
      GATEHOUSE_ACCESS_LOG: 'false',
      ...env,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const stop = async () => {
    if (child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  };
  try {
    await waitReady(`http://127.0.0.1:${adminPort}/status/ready`, child, () => stderr);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  return { url: `http://127.0.0.1:${port}`, stop };
}
