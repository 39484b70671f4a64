/**
 * API Gateway usage plans (the JSON of `aws apigateway get-usage-plans`) as rate limits: each plan is
 * a consumer whose API keys are counted one by one (`limit_by: credential`, as API Gateway counts
 * each key): `throttle.rateLimit` per second, `quota` per day or month (a week as a seventh per day),
 * and each per-method throttle a consumer + route plugin on that method's route.
 */
import type { ConfigBuilder } from './config-builder.js';
import { isObject, type Json } from './openapi-document.js';
import { childPath, jsonPath, type ImportReport } from './report.js';

/** `/pets/GET` → route name, from the operations imported. */
export type RouteIndex = Map<string, string>;

/** `throttlePath`/`quotaPath`: JSONPaths of the two objects, for the report. */
function limits(throttle: Json | undefined, quota: Json | undefined, throttlePath: string, quotaPath: string, report: ImportReport): Record<string, number> | null {
  const out: Record<string, number> = {};
  const rate = isObject(throttle) && typeof throttle.rateLimit === 'number' && throttle.rateLimit > 0 ? throttle.rateLimit : undefined;
  if (rate !== undefined) out.second = rate;
  if (isObject(throttle) && typeof throttle.burstLimit === 'number') {
    report.partial(childPath(throttlePath, 'burstLimit'), `burst ${throttle.burstLimit} is not a separate limit: the sliding window admits at most ${rate ?? 'the rate'} per second`);
  }
  if (isObject(quota) && typeof quota.limit === 'number' && quota.limit > 0) {
    const period = String(quota.period ?? '').toUpperCase();
    if (period === 'DAY') out.day = quota.limit;
    else if (period === 'MONTH') out.month = quota.limit;
    else if (period === 'WEEK') {
      out.day = Math.ceil(quota.limit / 7);
      report.partial(quotaPath, `weekly quota ${quota.limit} as ${out.day} per day (rate-limiting has no week window)`);
    } else report.unmapped(childPath(quotaPath, 'period'), `quota period "${period}" is not DAY, WEEK or MONTH`);
    if (typeof quota.offset === 'number' && quota.offset !== 0) report.partial(childPath(quotaPath, 'offset'), 'quota offset is not kept: windows start when counting starts');
  }
  // rate-limiting refuses a longer window allowing fewer requests than a shorter one.
  const longest = out.day ?? out.month;
  if (out.second !== undefined && longest !== undefined && out.second > longest) {
    report.partial(childPath(throttlePath, 'rateLimit'), `${out.second} per second is more than the whole quota: ${longest} per second (rate-limiting refuses a shorter window above a longer one)`);
    out.second = longest;
  }
  return Object.keys(out).length ? out : null;
}

export function mapUsagePlans(plans: unknown, builder: ConfigBuilder, routes: RouteIndex, report: ImportReport, file: string): void {
  const items = isObject(plans) && Array.isArray(plans.items) ? plans.items : Array.isArray(plans) ? plans : null;
  if (!items) {
    report.unmapped(`${file}: $`, 'not the output of aws apigateway get-usage-plans (no items)');
    return;
  }
  for (const [i, plan] of items.entries()) {
    const path = `${file}: ${jsonPath('items', i)}`;
    if (!isObject(plan)) continue;
    const name = typeof plan.name === 'string' ? plan.name : `plan-${i}`;
    const planLimits = limits(plan.throttle as Json | undefined, plan.quota as Json | undefined, childPath(path, 'throttle'), childPath(path, 'quota'), report);
    const { consumer, path: consumerPath } = builder.addConsumer(builder.uniqueName(`usage-plan-${name}`));
    const base = { limit_by: 'credential', policy: 'local' };
    if (planLimits) {
      consumer.plugins.push({ name: 'rate-limiting', config: { ...planLimits, ...base } });
      report.mapped(path, `usage plan "${name}" → consumer ${consumer.username} with rate-limiting ${JSON.stringify(planLimits)} per API key`, `${consumerPath}.plugins[0]`);
    } else report.mapped(path, `usage plan "${name}" (no throttle or quota) → consumer ${consumer.username}`, consumerPath);
    report.partial(
      path,
      `add this plan's API keys as ${consumerPath}.keyauth_credentials (aws apigateway get-usage-plan-keys --usage-plan-id ${String(plan.id ?? '…')}, then get-api-key --include-value); with several gateway instances set policy: redis`,
      consumerPath,
    );
    const stages = Array.isArray(plan.apiStages) ? plan.apiStages : [];
    for (const [s, stage] of stages.entries()) {
      if (!isObject(stage) || !isObject(stage.throttle)) continue;
      for (const [key, throttle] of Object.entries(stage.throttle)) {
        const at = `${file}: ${jsonPath('items', i, 'apiStages', s, 'throttle', key)}`;
        const route = routes.get(key);
        if (!route) {
          report.unmapped(at, `no imported operation ${key}`);
          continue;
        }
        const methodLimits = limits(throttle as Json, plan.quota as Json | undefined, at, childPath(path, 'quota'), report);
        if (!methodLimits) continue;
        const to = builder.addPlugin({ name: 'rate-limiting', route, consumer: consumer.username, config: { ...methodLimits, ...base } });
        report.partial(at, `method throttle → rate-limiting on route ${route} for ${consumer.username}; it replaces the plan's limits there, so that method's quota is counted apart`, to);
      }
    }
  }
}
