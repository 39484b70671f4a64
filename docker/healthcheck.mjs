/**
 * The image's HEALTHCHECK: GET /status/ready on the listener the container's own settings name — the
 * status listener when GATEHOUSE_STATUS_LISTEN is set, else the admin listener — so it follows a
 * moved listener and, like every probe, carries no admin token. It reads the settings with the
 * gateway's own parser (the compiled one beside it in the image), so it sees what `gatehouse start` saw.
 * Exit 0 when ready, 1 otherwise, as Docker expects.
 */
import { parseSettings } from './dist/src/settings/schema.js';

const TIMEOUT_MS = 2500;

/** Where a process in the container reaches a listener bound to `host`. */
function reachableHost(host) {
  if (host === '0.0.0.0' || host === '') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}

const parsed = parseSettings(process.env);
if (!parsed.ok) {
  process.stderr.write(`${parsed.errors.join('\n')}\n`);
  process.exit(1);
}
const listener = parsed.settings.STATUS_LISTEN ?? parsed.settings.ADMIN_LISTEN;
const url = `http://${reachableHost(listener.host)}:${listener.port}/status/ready`;
try {
  const res = await fetch(url, { signal: AbortSignal.timeout(TIMEOUT_MS) });
  process.stdout.write(`${url}: ${res.status}\n`);
  process.exit(res.status === 200 ? 0 : 1);
} catch (error) {
  process.stdout.write(`${url}: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
