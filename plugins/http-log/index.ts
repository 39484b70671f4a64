/**
 * http-log: sends one JSON entry per request to an HTTP endpoint, batched and retried by a bounded
 * queue, so a slow or dead sink never delays a client; entries it cannot deliver are dropped and
 * counted in gatehouse_log_entries_dropped_total{plugin="http-log"}.
 */
import { BatchQueue, definePlugin, keepAliveAgent, logPluginHandlers, sendBody } from '../../src/plugin-kit/index.js';
import { configSchema } from './schema.js';

export default definePlugin({
  name: 'http-log',
  priority: 12,
  version: '1.0.0',
  configSchema,
  instantiate(config, { logger }) {
    const agent = keepAliveAgent(config.http_endpoint, config.keepalive);
    const headers = { ...config.headers, 'content-type': config.content_type };
    const single = config.queue.max_batch_size === 1;
    const queue = new BatchQueue<Record<string, unknown>>(
      'http-log',
      config.queue,
      async (batch) => {
        const status = await sendBody(config.http_endpoint, {
          agent,
          method: config.method,
          headers,
          body: JSON.stringify(single ? batch[0] : batch),
          connectTimeoutMs: config.timeout,
          timeoutMs: config.timeout,
        });
        if (status >= 300) throw new Error(`${config.http_endpoint} answered ${status}`);
      },
      logger,
    );
    return {
      ...logPluginHandlers('http-log', config, (entry) => queue.add(entry)),
      // Returned, so a stopping gateway waits for the queue to flush.
      close() {
        return queue
          .close()
          .then(() => agent.destroy())
          .catch(() => undefined);
      },
    };
  },
});
