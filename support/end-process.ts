/**
 * Ends a child process and waits until it has exited: one way for the Redis starters (SIGKILL, an
 * abrupt outage) and the benchmark (SIGTERM, a clean stop) to stop what they started.
 */
import type { ChildProcess } from 'node:child_process';

/** Sends `signal` and resolves once `child` has exited; at once when it already has. */
export async function endProcess(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill(signal);
  await exited;
}
