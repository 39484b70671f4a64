/**
 * The HTTP/2 clients the suites run for real: curl (`--http2`, `--http2-prior-knowledge`), nghttp and
 * h2load (Debian's nghttp2-client, which .ci/run installs). A missing tool fails the suite with how to
 * install it, never skips it.
 */
import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

const INSTALL_HINT: Record<string, string> = {
  curl: 'curl was not found on PATH: install it (Debian/Ubuntu: `apt-get install curl`)',
  nghttp: 'nghttp was not found on PATH: install nghttp2-client (Debian/Ubuntu: `apt-get install nghttp2-client`, which .ci/run does; macOS: `brew install nghttp2`)',
  h2load: 'h2load was not found on PATH: install nghttp2-client (Debian/Ubuntu: `apt-get install nghttp2-client`, which .ci/run does; macOS: `brew install nghttp2`)',
};

/** Throws with the install hint when `tool` is not on PATH. */
export function requireTool(tool: keyof typeof INSTALL_HINT): void {
  if (spawnSync(tool, ['--version'], { stdio: 'ignore' }).error !== undefined) throw new Error(INSTALL_HINT[tool]);
}

export interface ToolResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a tool without blocking the event loop (the gateway under test may be in this process). */
export async function tool(file: string, args: string[]): Promise<ToolResult> {
  try {
    const { stdout, stderr } = await run(file, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof failed.code === 'number' ? failed.code : 1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

export interface CurlAnswer {
  httpVersion: string;
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** curl with `args` (e.g. --http2-prior-knowledge), its head and body split, plus the HTTP version it used. */
export async function curl(url: string, args: string[] = []): Promise<CurlAnswer> {
  const result = await tool('curl', ['-sS', '-D', '-', '-w', '\n%{http_version}', ...args, url]);
  if (result.code !== 0) throw new Error(`curl ${args.join(' ')} ${url} failed (${result.code}): ${result.stderr}`);
  const out = result.stdout;
  const headEnd = out.indexOf('\r\n\r\n');
  const versionAt = out.lastIndexOf('\n');
  const [statusLine, ...lines] = out.slice(0, headEnd).split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const at = line.indexOf(':');
    headers[line.slice(0, at).toLowerCase()] = line.slice(at + 1).trim();
  }
  return { httpVersion: out.slice(versionAt + 1), status: Number(statusLine!.split(' ')[1]), headers, body: out.slice(headEnd + 4, versionAt) };
}
