/** Child processes for the benchmark: pinned to a CPU when taskset exists, ports read from stdout or polled. */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';

const hasTaskset = spawnSync('taskset', ['--version']).status === 0;

/** The proxies under test share a CPU of their own; upstream, load generators and helpers share the other. */
export const PROXY_CPU = 1;
export const LOAD_CPU = 0;

export interface SpawnOptions {
  env?: NodeJS.ProcessEnv;
  /** stdout goes straight to /dev/null (reading it would cost CPU during a measurement). */
  discardStdout?: boolean;
  /**
   * Run in a session of its own. Linux's scheduler (with autogroup, the default) then shares a CPU
   * fairly between sessions, not threads: two proxies loaded at once each get half of it, helper
   * threads (GC, file writes) included, so neither pays for the other's.
   */
  ownSession?: boolean;
}

const sessionLeaders = new Set<ChildProcess>();
// Children in their own session do not get the terminal's signals: stop them when the bench ends.
process.once('exit', () => {
  for (const child of sessionLeaders) child.kill('SIGKILL');
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));

/** Runs `command` pinned to `cpu` (when possible; null: free on every CPU), stderr inherited; stdout piped to the caller unless discarded. */
export function spawnPinned(cpu: number | null, command: string, args: string[], options: SpawnOptions = {}): ChildProcess {
  const [file, argv] = hasTaskset && cpu !== null ? ['taskset', ['-c', String(cpu), command, ...args]] : [command, args];
  const child = spawn(file, argv, {
    env: { ...process.env, ...options.env },
    stdio: ['ignore', options.discardStdout ? 'ignore' : 'pipe', 'inherit'],
    detached: options.ownSession === true,
  });
  if (options.ownSession) {
    sessionLeaders.add(child);
    child.once('exit', () => sessionLeaders.delete(child));
  }
  return child;
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

/** The anonymous part of a process's RSS in MiB (Linux): its own memory, not file pages shared with others. */
export function anonymousMiB(pid: number | undefined): number {
  try {
    const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
    const match = /^Anonymous:\s+(\d+) kB/m.exec(rollup);
    return match ? Number(match[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

/** CPU time (user + system) a process has used so far, in ms (Linux; 10 ms resolution), or NaN elsewhere. */
export function cpuMs(pid: number | undefined): number {
  try {
    // Fields after the command name (which may hold spaces) start at the state: utime and stime are the 12th and 13th.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return NaN;
  }
}
