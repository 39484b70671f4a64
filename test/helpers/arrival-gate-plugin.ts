/**
 * A test-only plugin that counts requests as they reach it (priority 101: just before proxy-cache's
 * access phase) and resolves a promise once a given number has arrived — so a suite can hold an
 * upstream answer until every concurrent request is already inside the gateway, instead of guessing
 * with a delay.
 */
import { z } from 'zod';
import { bundledPlugins } from '../../plugins/index.js';
import { definePlugin } from '../../src/pipeline/contract.js';
import { PluginRegistry } from '../../src/pipeline/registry.js';

let arrived = 0;
let waiting: { count: number; resolve: () => void } | null = null;

export const arrivalGatePlugin = definePlugin({
  name: 'test-arrival-gate',
  priority: 101,
  version: '0.0.0',
  configSchema: z.strictObject({}),
  instantiate() {
    return {
      access() {
        arrived++;
        if (waiting !== null && arrived >= waiting.count) {
          waiting.resolve();
          waiting = null;
        }
      },
    };
  },
});

/** Resolves once `count` requests (counted from now) have reached the plugin. */
export function arrivals(count: number): Promise<void> {
  arrived = 0;
  return new Promise((resolve) => (waiting = { count, resolve }));
}

/** The bundled plugins plus the arrival gate. */
export const registryWithArrivalGate = new PluginRegistry([...bundledPlugins, arrivalGatePlugin]);
