/** Config of the file-log plugin: Kong's option names and defaults, plus Gatehouse's body options. */
import { z } from 'zod';
import { bodyLogOptions } from '../../src/plugin-kit/index.js';

export const DEFAULT_REOPEN = false;

export const configSchema = z.lazy(() =>
  z.strictObject({
    path: z.string().min(1).describe('File the JSON lines are appended to; created when missing.'),
    reopen: z
      .boolean()
      .default(DEFAULT_REOPEN)
      .describe('Open the file for every batch of lines (for log rotation by renaming) instead of keeping it open.'),
    ...bodyLogOptions,
  }),
);

export type FileLogConfig = z.output<typeof configSchema>;
