/**
 * rate-limiting: Kong's plugin — limits per second … year by consumer, credential, IP, service, header
 * or path, counted in this process (local) or in Redis shared by every instance (redis, exact or with
 * sync_rate). When the store fails, requests pass unlimited (fault_tolerant) or get a 500.
 */
import { definePlugin, Errors, GatewayError, type RequestContext } from '../../src/plugin-kit/index.js';
import { applyVerdict } from './headers.js';
import { identityOf } from './identity.js';
import { closeAllStores, policies } from './policies/index.js';
import type { HitResult } from './policies/store.js';
import { configSchema } from './schema.js';
import { SlotKeys } from './slot-keys.js';
import { FailureReporter } from './store-failures.js';
import { bucketPlans, windowSpecs, type WindowSlot } from './windows.js';

const KEY_PREFIX = 'gatehouse:rl';

export default definePlugin({
  name: 'rate-limiting',
  priority: 910,
  version: '1.0.0',
  configSchema,
  teardown: closeAllStores,
  instantiate(config, instance) {
    const windows = windowSpecs(config);
    const plan = bucketPlans[config.algorithm];
    const identify = identityOf(config);
    // Counters belong to this plugin entity (its id is stable across reloads and restarts), as Kong's keys do.
    const keys = new SlotKeys(`${KEY_PREFIX}:${instance.entity.id}:${config.algorithm}:`, windows);
    const { store, release } = policies[config.policy](config, instance);
    const failures = new FailureReporter(instance.logger);

    const apply = (ctx: RequestContext, result: HitResult, now: number): void => {
      const reset = applyVerdict(config.hide_client_headers ? null : ctx, windows, result.usage, result.allowed, plan, now);
      if (!result.allowed) {
        throw new GatewayError(Errors.rateLimited, { status: config.error_code, message: config.error_message, headers: { 'retry-after': String(reset) } });
      }
    };
    const failed = (error: unknown): void => {
      failures.report(error, config.fault_tolerant);
      if (!config.fault_tolerant) throw new GatewayError(Errors.internal, { cause: `rate-limiting store: ${String(error)}` });
    };

    return {
      access(ctx) {
        const now = Date.now();
        const windowKeys = identify(ctx, keys);
        const slots: WindowSlot[] = [];
        for (let i = 0; i < windows.length; i++) slots.push(plan.slot(windowKeys[i]!, windows[i]!, now));
        let result: HitResult | Promise<HitResult>;
        try {
          result = store.hit(slots);
        } catch (error) {
          return failed(error);
        }
        if (result instanceof Promise) return result.then((hit) => apply(ctx, hit, now), failed);
        apply(ctx, result, now);
      },
      close: release,
    };
  },
});
