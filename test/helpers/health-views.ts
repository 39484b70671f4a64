/**
 * The three places a target's health shows — the admin API's `GET /upstreams/{u}/health`, `/status`
 * and the `gatehouse_upstream_target_health`/`_circuit` metrics — read from a running gateway, and
 * checked to agree with each other.
 */
import assert from 'node:assert/strict';

export interface TargetView {
  /** Kong's HEALTHY / UNHEALTHY / HEALTHCHECKS_OFF. */
  health: string;
  circuit: string;
}

async function json(url: string): Promise<any> {
  const res = await fetch(url);
  assert.equal(res.status, 200, `${url}: ${res.status}`);
  return res.json();
}

/** Target address → health and circuit, from `GET /upstreams/{u}/health`. */
export async function healthOf(adminUrl: string, upstream: string): Promise<Map<string, TargetView>> {
  const body = await json(`${adminUrl}/upstreams/${upstream}/health`);
  return new Map((body.data as { target: string; health: string; circuit: string }[]).map((t) => [t.target, { health: t.health, circuit: t.circuit }]));
}

/** Target address → its `/status` entry. */
export async function statusTargets(adminUrl: string, upstream: string): Promise<Map<string, Record<string, any>>> {
  const body = await json(`${adminUrl}/status`);
  const entry = (body.upstreams as { name: string; targets: Record<string, any>[] }[]).find((u) => u.name === upstream);
  assert.ok(entry, `/status lists upstream ${upstream}`);
  return new Map(entry.targets.map((t) => [t.target as string, t]));
}

/** The state label whose sample is 1 for each target of `upstream` in one metric family. */
function currentStates(text: string, metric: string, upstream: string): Map<string, string> {
  const states = new Map<string, string>();
  const pattern = new RegExp(`^${metric}\\{upstream="${upstream.replace(/\./g, '\\.')}",target="([^"]+)",state="([a-z_]+)"\\} 1$`);
  for (const line of text.split('\n')) {
    const match = pattern.exec(line);
    if (match) states.set(match[1]!, match[2]!);
  }
  return states;
}

/** Reads all three views, asserts they agree target by target, and returns the admin API's. */
export async function agreedHealth(adminUrl: string, upstream: string): Promise<Map<string, TargetView>> {
  const [admin, status, metrics] = await Promise.all([healthOf(adminUrl, upstream), statusTargets(adminUrl, upstream), fetch(`${adminUrl}/metrics`).then((r) => r.text())]);
  const health = currentStates(metrics, 'gatehouse_upstream_target_health', upstream);
  const circuits = currentStates(metrics, 'gatehouse_upstream_target_circuit', upstream);
  for (const [target, view] of admin) {
    const shown = status.get(target);
    assert.ok(shown, `/status lists ${target}`);
    assert.equal(shown.state.toUpperCase(), view.health, `/status and /health agree on ${target}`);
    assert.equal(shown.circuit, view.circuit, `/status and /health agree on the circuit of ${target}`);
    assert.equal(health.get(target)?.toUpperCase(), view.health, `the health metric and /health agree on ${target}`);
    assert.equal(circuits.get(target), view.circuit, `the circuit metric and /health agree on ${target}`);
  }
  return admin;
}

/**
 * Polls until `check` accepts the views of `upstream` and they agree. The three are read by separate
 * requests, so while health is changing one may be read a moment before another: a disagreement is
 * only a failure if it lasts until the deadline.
 */
export async function waitForHealth(adminUrl: string, upstream: string, check: (views: Map<string, TargetView>) => boolean, what: string, timeoutMs = 10_000): Promise<Map<string, TargetView>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let problem: string;
    try {
      const views = await agreedHealth(adminUrl, upstream);
      if (check(views)) return views;
      problem = JSON.stringify([...views]);
    } catch (error) {
      if (!(error instanceof assert.AssertionError)) throw error;
      problem = error.message;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${problem}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
