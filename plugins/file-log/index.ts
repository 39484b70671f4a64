/**
 * file-log: appends one JSON line per request to a file. Lines are written asynchronously in batches
 * through the same bounded queue as http-log, so a slow disk never delays a client; lines it cannot
 * write are dropped and counted in gatehouse_log_entries_dropped_total{plugin="file-log"}.
 */
import { appendFile, open, type FileHandle } from 'node:fs/promises';
import { BatchQueue, definePlugin, logPluginHandlers, queueSchema } from '../../src/plugin-kit/index.js';
import { configSchema } from './schema.js';

/** Kong's file-log has no queue options: lines are written as soon as the previous write is done. */
const FILE_QUEUE = queueSchema({ max_batch_size: 1000, max_coalescing_delay: 0 }).parse({ max_retry_time: 5 });

export default definePlugin({
  name: 'file-log',
  priority: 9,
  version: '1.0.0',
  configSchema,
  instantiate(config, { logger }) {
    let handle: Promise<FileHandle> | null = null;
    const write = async (text: string): Promise<void> => {
      if (config.reopen) return appendFile(config.path, text);
      handle ??= open(config.path, 'a');
      try {
        await (await handle).appendFile(text);
      } catch (error) {
        // A failed open or write is retried on a fresh handle.
        handle = null;
        throw error;
      }
    };
    const queue = new BatchQueue<Record<string, unknown>>('file-log', FILE_QUEUE, (batch) => write(batch.map((entry) => `${JSON.stringify(entry)}\n`).join('')), logger);
    return {
      ...logPluginHandlers('file-log', config, (entry) => queue.add(entry)),
      // Returned, so a stopping gateway waits for the queue to flush.
      close() {
        return queue
          .close()
          .then(async () => (await handle)?.close())
          .catch(() => undefined);
      },
    };
  },
});
