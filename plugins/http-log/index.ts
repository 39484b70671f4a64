/**
 * http-log: sends one JSON entry per request to an HTTP endpoint, batched and retried by a bounded
 * queue, so a slow or dead sink never delays a client; entries it cannot deliver are dropped and
 * counted in gatehouse_log_entries_dropped_total{plugin="http-log"}.
 */
import { Agent, request } from 'undici';
import { BatchQueue, definePlugin, logPluginHandlers } from '../../src/plugin-kit/index.js';
import { configSchema } from './schema.js';

export default definePlugin({
  name: 'http-log',
  priority: 12,
  version: '1.0.0',
  configSchema,
  instantiate(config, { logger }) {
    const agent = new Agent({ keepAliveTimeout: config.keepalive, connect: { timeout: config.timeout } });
    const headers = { ...config.headers, 'content-type': config.content_type };
    const single = config.queue.max_batch_size === 1;
    const queue = new BatchQueue<Record<string, unknown>>(
      'http-log',
      config.queue,
      async (batch) => {
        const res = await request(config.http_endpoint, {
          dispatcher: agent,
          method: config.method,
          headers,
          body: JSON.stringify(single ? batch[0] : batch),
          headersTimeout: config.timeout,
          bodyTimeout: config.timeout,
        });
        await res.body.dump();
        if (res.statusCode >= 300) throw new Error(`${config.http_endpoint} answered ${res.statusCode}`);
      },
      logger,
    );
    return {
      ...logPluginHandlers('http-log', config, (entry) => queue.add(entry)),
      // Returned, so a stopping gateway waits for the queue to flush.
      close() {
        return queue
          .close()
          .then(() => agent.close())
          .catch(() => undefined);
      },
    };
  },
});
