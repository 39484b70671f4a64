/**
 * The CLI's client for a running admin API: `--admin-url` (default http://127.0.0.1:8001) and the
 * token from `--token` or GATEHOUSE_ADMIN_TOKEN; an error answer becomes a thrown AdminCallError
 * carrying the API's message and field errors.
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

export class AdminClient {
  constructor(
    private readonly baseUrl: string,
    private readonly token: string | undefined,
  ) {}

  async call<T>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<AdminResponse<T>> {
    let response: Response;
    try {
      response = await fetch(new URL(path, this.baseUrl), {
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
    const text = await response.text();
    const parsed = (text ? JSON.parse(text) : {}) as T & { message?: string; fields?: Record<string, string> };
    if (!response.ok) throw new AdminCallError(response.status, `${response.status}: ${parsed.message ?? text}`, parsed.fields);
    return { body: parsed, version: Number(response.headers.get('x-config-version') ?? 0) };
  }
}

export interface AdminCommandArgs {
  client: AdminClient;
  positionals: string[];
  values: Record<string, string | undefined>;
}

/** Parses `--admin-url`, `--token` and the command's own string options. */
export function parseAdminArgs(argv: string[], env: NodeJS.ProcessEnv, extra: string[] = []): AdminCommandArgs {
  const options = Object.fromEntries(['admin-url', 'token', ...extra].map((name) => [name, { type: 'string' as const }]));
  const { values, positionals } = parseArgs({ args: argv, options, allowPositionals: true });
  const strings = values as Record<string, string | undefined>;
  const client = new AdminClient(strings['admin-url'] ?? DEFAULT_ADMIN_URL, strings.token ?? env.GATEHOUSE_ADMIN_TOKEN);
  return { client, positionals, values: strings };
}
