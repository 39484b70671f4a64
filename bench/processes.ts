/** Child processes for the benchmark: pinned to a CPU when taskset exists, ports read from stdout or polled. */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
export { freePort } from '../test/helpers/free-port.js';

const hasTaskset = spawnSync('taskset', ['--version']).status === 0;

/** The gateway under test gets a CPU of its own; upstream, load generator and helpers share the other. */
export const PROXY_CPU = 1;
export const LOAD_CPU = 0;

/**
 * Runs `command` pinned to `cpu` (when possible), stderr inherited. stdout is piped to the caller, or
 * with `discardStdout` goes straight to /dev/null (so reading it costs no CPU during a measurement).
 */
export function spawnPinned(cpu: number, command: string, args: string[], env: NodeJS.ProcessEnv = {}, discardStdout = false): ChildProcess {
  const [file, argv] = hasTaskset ? ['taskset', ['-c', String(cpu), command, ...args]] : [command, args];
  return spawn(file, argv, { env: { ...process.env, ...env }, stdio: ['ignore', discardStdout ? 'ignore' : 'pipe', 'inherit'] });
}

/** The first line a child prints (the port it listens on). */
export function firstLine(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      const end = text.indexOf('\n');
      if (end !== -1) resolve(text.slice(0, end).trim());
    });
    child.once('exit', (code) => reject(new Error(`process exited with ${code} before it was ready`)));
  });
}

export async function waitForHttp(url: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const res = await fetch(url);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${url} did not become ready`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Resident set size of a process in MiB (Linux), or NaN elsewhere. */
export function rssMiB(pid: number | undefined, field: 'VmRSS' | 'VmHWM' = 'VmRSS'): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = new RegExp(`${field}:\\s+(\\d+) kB`).exec(status);
    return match ? Number(match[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

export async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}
