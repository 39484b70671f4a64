/**
 * Podman for the container suites, always through scripts/containers.sh: its private configuration
 * (runc, cgroupfs, this machine's ulimits, storage in a fixed cache outside the repository) and its
 * stand-ins for the public base images, which nothing can pull here. A missing tool fails the suite
 * with how to install it. Commands run asynchronously, so a suite's load loop keeps running while
 * podman stops a container.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SCRIPT = fileURLToPath(new URL('../../scripts/containers.sh', import.meta.url));

/** The tag the suites build this checkout's Dockerfile as: the image docker-compose.yml names. */
export const GATEHOUSE_IMAGE = 'gatehouse:latest';

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** podman's own complaint on machines without systemd (it then runs health checks on demand only). */
const SYSTEMD_NOISE = /^.*unable to get systemd connection.*\n?/gm;

/** Runs `scripts/containers.sh ...args`; rejects with its output when it exits non-zero, unless `allowFailure`. */
export function containers(args: string[], options: { env?: Record<string, string>; allowFailure?: boolean } = {}): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [SCRIPT, ...args], { cwd: ROOT, env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
    child.once('error', reject);
    child.once('close', (code) => {
      const result = { code: code ?? 1, stdout, stderr: stderr.replace(SYSTEMD_NOISE, '') };
      if (result.code !== 0 && !options.allowFailure) reject(new Error(`containers.sh ${args.join(' ')} exited ${result.code}\n${result.stdout}\n${result.stderr}`));
      else resolve(result);
    });
  });
}

export const podman = (...args: string[]): Promise<CommandResult> => containers(['podman', ...args]);

/** Builds this checkout's Dockerfile as `tag`, making the base image's stand-in first when missing. */
export async function buildImage(tag = GATEHOUSE_IMAGE): Promise<void> {
  await containers(['build', tag]);
}

/** `podman inspect` of one container or image, parsed. */
export async function inspect<T = Record<string, unknown>>(name: string, type: 'container' | 'image' = 'container'): Promise<T> {
  const { stdout } = await podman(type, 'inspect', name);
  return (JSON.parse(stdout) as T[])[0]!;
}

export interface HealthCheck {
  healthy: boolean;
  /** What the health check command printed. */
  output: string;
}

/** Runs the container's health check once, as Docker's timer would (podman runs none without systemd). */
async function runHealthCheck(name: string): Promise<HealthCheck> {
  const run = await containers(['podman', 'healthcheck', 'run', name], { allowFailure: true });
  const state = await inspect<{ State: { Health?: { Log?: Array<{ Output: string }> } } }>(name);
  return { healthy: run.code === 0, output: state.State.Health?.Log?.at(-1)?.Output ?? `${run.stdout}${run.stderr}` };
}

/** Runs the health check until `until` holds for its result; throws with the last result after `timeoutMs`. */
export async function waitForHealth(name: string, until: (check: HealthCheck) => boolean, timeoutMs = 60_000): Promise<HealthCheck> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const check = await runHealthCheck(name);
    if (until(check)) return check;
    if (Date.now() > deadline) {
      const logs = await podman('logs', '--tail', '30', name).catch((error: Error) => ({ stdout: error.message, stderr: '' }));
      throw new Error(`${name}: health check still ${check.healthy ? 'passing' : 'failing'} (${check.output.trim()})\n${logs.stdout}${logs.stderr}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/** Removes containers (with their anonymous volumes) that a killed run may have left behind. */
export async function removeContainers(...names: string[]): Promise<void> {
  if (names.length > 0) await containers(['podman', 'rm', '--force', '--volumes', '--time', '0', ...names], { allowFailure: true });
}
