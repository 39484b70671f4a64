/**
 * The process logger: pino writing JSON lines to the destination the gateway was given (stdout
 * through the FdWriter unless a test passes its own to read the lines back).
 */
import pino, { type DestinationStream, type Logger } from 'pino';

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
  destination: DestinationStream;
}

export function createLogger(options: LoggerOptions): Logger {
  const { destination } = options;
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
