/**
 * The CLI's client for a running admin API: `--admin-url` (default: GATEHOUSE_ADMIN_LISTEN's address
 * when set, as in the container running the gateway, else http://127.0.0.1:8001) and the token from
 * `--token` or GATEHOUSE_ADMIN_TOKEN; an error answer becomes a thrown AdminCallError carrying the
 * API's message and field errors.
 */
import { parseArgs } from 'node:util';
import { DEFAULT_ADMIN_LISTEN } from '../settings/schema.js';

export const DEFAULT_ADMIN_URL = `http://${DEFAULT_ADMIN_LISTEN}`;

export class AdminCallError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly fields: Record<string, string> = {},
  ) {
    super(message);
  }
}

export interface AdminResponse<T> {
  body: T;
  version: number;
}

/** The parsed JSON answer; an error answer is thrown as AdminCallError with the API's message and field errors. */
async function answerOf<T>(response: Response): Promise<T> {
  const text = await response.text();
  const parsed = (text ? JSON.parse(text) : {}) as T & { message?: string; fields?: Record<string, string> };
  if (!response.ok) throw new AdminCallError(response.status, `${response.status}: ${parsed.message ?? text}`, parsed.fields);
  return parsed;
}

export class AdminClient {
  constructor(
    readonly baseUrl: string,
    private readonly token: string | undefined,
  ) {}

  async call<T>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<AdminResponse<T>> {
    const response = await this.send(method, path, body, headers);
    return { body: await answerOf<T>(response), version: Number(response.headers.get('x-config-version') ?? 0) };
  }

  /** An answer of JSON lines (NDJSON), each yielded as it arrives; a connection cut midway throws AdminCallError with status 0. */
  async *lines<T>(method: string, path: string): AsyncGenerator<T> {
    const response = await this.send(method, path);
    if (!response.ok) await answerOf(response);
    const decoder = new TextDecoder();
    let pending = '';
    try {
      for await (const chunk of response.body!) {
        pending += decoder.decode(chunk as Uint8Array, { stream: true });
        for (let end = pending.indexOf('\n'); end !== -1; end = pending.indexOf('\n')) {
          const line = pending.slice(0, end);
          pending = pending.slice(end + 1);
          if (line.trim()) yield JSON.parse(line) as T;
        }
      }
    } catch (error) {
      throw new AdminCallError(0, `the admin API at ${this.baseUrl} closed the answer: ${(error as Error & { cause?: Error }).cause?.message ?? (error as Error).message}`);
    }
  }

  private async send(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Response> {
    try {
      return await fetch(new URL(path, this.baseUrl), {
        method,
        headers: {
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
          ...headers,
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (error) {
      throw new AdminCallError(0, `cannot reach the admin API at ${this.baseUrl}: ${(error as Error & { cause?: Error }).cause?.message ?? (error as Error).message}`);
    }
  }
}

export interface AdminCommandArgs {
  client: AdminClient;
  positionals: string[];
  values: Record<string, string | undefined>;
}

/** The URL to reach a `host:port` listen address from the same machine (any-address binds are reached on loopback). */
export function urlOfListen(listen: string): string {
  const at = listen.lastIndexOf(':');
  const host = listen.slice(0, at);
  const reachable = host === '0.0.0.0' ? '127.0.0.1' : host === '::' || host === '[::]' ? '[::1]' : host;
  return `http://${reachable}:${listen.slice(at + 1)}`;
}

/** Parses `--admin-url`, `--token` and the command's own string options. */
export function parseAdminArgs(argv: string[], env: NodeJS.ProcessEnv, extra: string[] = []): AdminCommandArgs {
  const options = Object.fromEntries(['admin-url', 'token', ...extra].map((name) => [name, { type: 'string' as const }]));
  const { values, positionals } = parseArgs({ args: argv, options, allowPositionals: true });
  const strings = values as Record<string, string | undefined>;
  const fromListen = env.GATEHOUSE_ADMIN_LISTEN ? urlOfListen(env.GATEHOUSE_ADMIN_LISTEN) : undefined;
  const client = new AdminClient(strings['admin-url'] ?? fromListen ?? DEFAULT_ADMIN_URL, strings.token ?? env.GATEHOUSE_ADMIN_TOKEN);
  return { client, positionals, values: strings };
}
