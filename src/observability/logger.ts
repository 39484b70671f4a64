/**
 * The process logger: pino writing JSON lines asynchronously so logging never blocks a request.
 * Tests pass their own destination to read the lines back.
 */
import pino, { type DestinationStream, type Logger } from 'pino';

export type { Logger } from 'pino';

/**
 * sonic-boom joins pending lines into one string up to this size per write: large enough to take an
 * access-log batch whole (rather than its default 16 KiB slices), small enough to stay below V8's
 * large-object size (128 KiB); sonic-boom also re-measures the joined string on every write.
 */
const MAX_WRITE_BYTES = 64 * 1024;

/** Names whose values never reach a log line, wherever they appear. */
const REDACTED_PATHS = [
  'headers.authorization',
  'headers["proxy-authorization"]',
  'headers.cookie',
  'headers["x-api-key"]',
  'headers.apikey',
];

/** Lines wait in the write buffer at most this long, so a quiet gateway's logs still show promptly. */
const FLUSH_INTERVAL_MS = 250;

export interface LoggerOptions {
  level: string;
  /** Where lines go; defaults to an asynchronous stdout stream. */
  destination?: DestinationStream;
}

export function createLogger(options: LoggerOptions): Logger {
  const destination = options.destination ?? bufferedStdout();
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

function bufferedStdout(): DestinationStream {
  const destination = pino.destination({ dest: 1, sync: false, minLength: 4096, maxWrite: MAX_WRITE_BYTES });
  setInterval(() => destination.flush(), FLUSH_INTERVAL_MS).unref();
  return destination;
}
