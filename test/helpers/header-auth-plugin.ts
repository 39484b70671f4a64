/**
 * A test-only authentication plugin: the consumer named in `X-Test-Consumer` (by username) becomes
 * ctx.consumer, so suites can exercise consumer-scoped plugins before the real auth plugins exist.
 */
import { z } from 'zod';
import { bundledPlugins } from '../../plugins/index.js';
import type { ConsumerEntity } from '../../src/config/types.js';
import { definePlugin } from '../../src/pipeline/contract.js';
import { PluginRegistry } from '../../src/pipeline/registry.js';

export const TEST_CONSUMER_HEADER = 'x-test-consumer';

export const headerAuthPlugin = definePlugin({
  name: 'test-header-auth',
  priority: 1_249,
  version: '0.0.0',
  configSchema: z.strictObject({}),
  instantiate(_config, { config }) {
    const byUsername = new Map<string, ConsumerEntity>();
    for (const consumer of config.consumers) if (consumer.username) byUsername.set(consumer.username, consumer);
    return {
      access(ctx) {
        const name = ctx.headers[TEST_CONSUMER_HEADER];
        const consumer = typeof name === 'string' ? byUsername.get(name) : undefined;
        if (consumer) {
          ctx.consumer = consumer;
          ctx.credential = { id: `test-${consumer.id}`, type: 'test-header-auth' };
        }
      },
    };
  },
});

/** The bundled plugins plus the test-only auth plugin. */
export const registryWithHeaderAuth = new PluginRegistry([...bundledPlugins, headerAuthPlugin]);
