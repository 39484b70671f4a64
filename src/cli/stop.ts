/**
 * `gatehouse stop`, for a Kubernetes preStop hook: asks the running instance to drain through its
 * admin API (`POST /drain?wait=true`, with the token), whose answer's second line comes once in-flight
 * requests finished and log queues were flushed (every worker's, with GATEHOUSE_WORKERS), and exits
 * 0. The instance exits only after this command has hung up: a hook still running when its
 * container's main process ends is killed with it (exit 137, FailedPreStopHook, Kong #9644). The admin
 * API reaches the instance from its own container or a neighbour's, needs neither a shared process
 * namespace nor a pid file, and so works on a read-only root filesystem. Nothing answering is
 * success: there is nothing left to drain.
 */
import { AdminCallError, type AdminClient, type AdminCommandArgs } from './admin-client.js';
import type { CommandOutput } from './validate.js';

/** Beyond the instance's own delay and timeout: its last flush. */
const EXIT_MARGIN_MS = 10_000;
/** Between a cut answer and asking again. */
const RETRY_MS = 200;

interface DrainLine {
  drain_delay_ms?: number;
  drain_timeout_ms?: number;
  drained?: boolean;
  drain_ms?: number;
}

/** True while something answers HTTP at the admin URL. */
async function answering(client: AdminClient): Promise<boolean> {
  try {
    await client.call('GET', '/status');
    return true;
  } catch (error) {
    return !(error instanceof AdminCallError && error.status === 0);
  }
}

export async function runStop(args: AdminCommandArgs, out: CommandOutput): Promise<number> {
  if (args.positionals.length > 0) {
    out.stderr.write('usage: gatehouse stop [--admin-url URL] [--token TOKEN]\n');
    return 2;
  }
  const { client } = args;
  const started = Date.now();
  let deadline: number | null = null;
  try {
    // Asked again when the answer is cut short but the instance still answers (a drain longer than
    // the HTTP client's own timeouts): a second request joins the drain under way.
    for (;;) {
      let drainMs: number | null = null;
      try {
        // Read to its end, never left early: an answer left unread makes the HTTP client close the
        // connection at once, and the instance, seeing that, would exit while this command still
        // runs. Read to the end, the connection stays open (idle) until this process exits.
        for await (const line of client.lines<DrainLine>('POST', '/drain?wait=true')) {
          if (line.drained) drainMs = line.drain_ms ?? 0;
          else if (deadline === null) {
            out.stdout.write(`gatehouse stop: ${client.baseUrl} is draining (delay ${line.drain_delay_ms} ms, then up to ${line.drain_timeout_ms} ms for in-flight requests)\n`);
            deadline = started + (line.drain_delay_ms ?? 0) + (line.drain_timeout_ms ?? 0) + EXIT_MARGIN_MS;
          }
        }
      } catch (error) {
        if (!(error instanceof AdminCallError && error.status === 0)) throw error;
      }
      if (drainMs !== null) {
        out.stdout.write(`gatehouse stop: drained in ${drainMs} ms\n`);
        return 0;
      }
      if (!(await answering(client))) {
        out.stdout.write(deadline === null ? `gatehouse stop: nothing answers at ${client.baseUrl}; nothing to drain\n` : `gatehouse stop: ${client.baseUrl} stopped answering after ${Date.now() - started} ms; nothing left to drain\n`);
        return 0;
      }
      if (deadline !== null && Date.now() > deadline) throw new AdminCallError(0, `${client.baseUrl} still answers after ${Date.now() - started} ms`);
      await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
    }
  } catch (error) {
    if (!(error instanceof AdminCallError)) throw error;
    out.stderr.write(`gatehouse stop: ${error.message}\n`);
    return 1;
  }
}
