/**
 * The process logger: pino writing JSON lines to stdout through the FdWriter (synchronous, as Node's
 * own stdout on Linux). Tests pass their own destination to read the lines back.
 */
import pino, { type DestinationStream, type Logger } from 'pino';
import { FdWriter } from './fd-writer.js';

export type { Logger } from 'pino';

/** Names whose values never reach a log line, wherever they appear. */
const REDACTED_PATHS = [
  'headers.authorization',
  'headers["proxy-authorization"]',
  'headers.cookie',
  'headers["x-api-key"]',
  'headers.apikey',
];

export interface LoggerOptions {
  level: string;
  /** Where lines go; defaults to stdout. */
  destination?: DestinationStream;
}

export function createLogger(options: LoggerOptions): Logger {
  const destination = options.destination ?? new FdWriter(1);
  return pino(
    {
      level: options.level,
      base: { pid: process.pid },
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  );
}
