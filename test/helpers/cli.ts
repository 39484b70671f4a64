/**
 * Runs the real `gatehouse` CLI as a child process for black-box lifecycle tests: GATEHOUSE_*
 * settings from the test only, free ports, readiness awaited on the admin listener, and every
 * stdout/stderr line collected so tests can read the logs.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { request } from 'undici';
import { freePort, startOnFreePorts } from '../../support/free-port.js';
import { writeTempConfig, type LogLine } from './gateway.js';

export { freePort };

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const READY_TIMEOUT_MS = 20_000;
const EXIT_TIMEOUT_MS = 15_000;

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/**
 * The parent's environment without any GATEHOUSE_* variable, plus the test's settings. No drain
 * delay unless a test sets one: every stop would otherwise wait for load balancers there are none of.
 */
function environment(settings: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('GATEHOUSE_')) env[key] = value;
  for (const [key, value] of Object.entries({ DRAIN_DELAY_MS: '0', ...settings })) env[`GATEHOUSE_${key}`] = value;
  return env;
}

/** Polls `check` until it holds. */
export async function waitUntil(check: () => boolean | Promise<boolean>, what: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** One running `gatehouse` process and everything it printed so far. */
export class CliProcess {
  readonly child: ChildProcess;
  readonly stdout: string[] = [];
  readonly stderr: string[] = [];
  readonly exited: Promise<Exit>;
  private exit: Exit | null = null;

  constructor(args: string[], settings: Record<string, string>) {
    this.child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', ...args], {
      cwd: ROOT,
      env: environment(settings),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    collectLines(this.child.stdout!, this.stdout);
    collectLines(this.child.stderr!, this.stderr);
    this.exited = new Promise((resolve) => {
      this.child.once('close', (code, signal) => {
        this.exit = { code, signal };
        resolve(this.exit);
      });
    });
  }

  get pid(): number {
    return this.child.pid!;
  }

  get hasExited(): boolean {
    return this.exit !== null;
  }

  /** stdout lines parsed as JSON log lines (other lines are skipped). */
  logs(): LogLine[] {
    return this.stdout.flatMap((line) => {
      try {
        return [JSON.parse(line) as LogLine];
      } catch {
        return [];
      }
    });
  }

  /** Waits for a log line matching `predicate`; fails early if the process exits first. */
  async waitForLog(predicate: (line: LogLine) => boolean, what: string, timeoutMs = 10_000): Promise<LogLine> {
    let found: LogLine | undefined;
    await waitUntil(
      () => {
        found = this.logs().find(predicate);
        if (!found && this.hasExited) throw new Error(`process exited before logging ${what}\n${this.output()}`);
        return found !== undefined;
      },
      `log line: ${what}`,
      timeoutMs,
    );
    return found!;
  }

  /** Waits for the process to end (killing it after a long grace, so a hung test still finishes). */
  async waitForExit(timeoutMs = EXIT_TIMEOUT_MS): Promise<Exit> {
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    const exit = await this.exited;
    clearTimeout(timer);
    return exit;
  }

  signal(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }

  /** SIGTERM, then the exit. */
  async stop(): Promise<Exit> {
    if (!this.hasExited) this.signal('SIGTERM');
    return this.waitForExit();
  }

  output(): string {
    return `--- stdout\n${this.stdout.join('\n')}\n--- stderr\n${this.stderr.join('\n')}`;
  }
}

function collectLines(stream: NodeJS.ReadableStream, into: string[]): void {
  let rest = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    const lines = (rest + chunk).split('\n');
    rest = lines.pop()!;
    into.push(...lines);
  });
  stream.on('end', () => {
    if (rest) into.push(rest);
  });
}

/** Runs a CLI command to completion (validate, help, a start that fails). */
export async function runCli(args: string[], settings: Record<string, string> = {}): Promise<Exit & { stdout: string[]; stderr: string[] }> {
  const cli = new CliProcess(args, settings);
  const exit = await cli.waitForExit();
  return { ...exit, stdout: cli.stdout, stderr: cli.stderr };
}

export interface StartedCli {
  cli: CliProcess;
  proxyUrl: string;
  adminUrl: string;
  configPath: string;
  /** The port of each of `StartCliOptions.listens`. */
  ports: Record<string, number>;
}

export interface StartCliOptions {
  /** Extra GATEHOUSE_* settings, without the prefix. */
  settings?: Record<string, string>;
  /** More listen settings (STATUS_LISTEN, PROXY_TLS_LISTEN), each given a free loopback port. */
  listens?: string[];
}

/** `gatehouse start` on `config` (written to a temp file), free loopback ports, awaited until ready. */
export async function startCli(config: unknown, options: StartCliOptions = {}): Promise<StartedCli> {
  const configPath = await writeTempConfig(config);
  const listens = options.listens ?? [];
  return startOnFreePorts(2 + listens.length, async ([proxyPort, adminPort, ...more]) => {
    const ports = Object.fromEntries(listens.map((name, i) => [name, more[i]!]));
    const cli = new CliProcess(['start'], {
      CONFIG: configPath,
      PROXY_LISTEN: `127.0.0.1:${proxyPort}`,
      ADMIN_LISTEN: `127.0.0.1:${adminPort}`,
      LOG_LEVEL: 'info',
      ...Object.fromEntries(listens.map((name) => [name, `127.0.0.1:${ports[name]}`])),
      ...options.settings,
    });
    const adminUrl = `http://127.0.0.1:${adminPort}`;
    try {
      await waitUntil(
        async () => {
          if (cli.hasExited) throw new Error(`gatehouse exited before it was ready\n${cli.output()}`);
          try {
            const res = await request(`${adminUrl}/status/ready`);
            await res.body.dump();
            return res.statusCode === 200;
          } catch {
            return false;
          }
        },
        'GET /status/ready to answer 200',
        READY_TIMEOUT_MS,
      );
    } catch (error) {
      cli.child.kill('SIGKILL');
      throw error;
    }
    return { cli, proxyUrl: `http://127.0.0.1:${proxyPort}`, adminUrl, configPath, ports };
  });
}

/** Reads the admin `/status` document. */
export async function status(adminUrl: string): Promise<{ pid: number; config_version: number; [field: string]: unknown }> {
  const res = await request(`${adminUrl}/status`);
  return (await res.body.json()) as { pid: number; config_version: number };
}
