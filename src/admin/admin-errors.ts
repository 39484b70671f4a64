/**
 * Errors of the admin API and how they are answered: `{message}` plus `fields` (path → reason) for a
 * rejected write, as in Kong's admin API. Errors Fastify raises itself (bad JSON, wrong content type,
 * body too large, a malformed URL or request) come out in the same shape, never in Fastify's
 * `{statusCode, code, error, message}`, so a client needs one error reader for the whole API.
 */
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest, FastifyServerOptions } from 'fastify';
import type { Logger } from 'pino';
import { StoreUnavailableError } from '../config-store/config-store.js';
import type { ConfigIssue } from '../config/types.js';

export class AdminError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly fields?: Record<string, string>,
  ) {
    super(message);
  }
}

export const notFound = () => new AdminError(404, 'Not found');

/** 400 with every issue; several issues at one path are joined. */
export function invalidConfig(issues: readonly ConfigIssue[], message = 'schema violation'): AdminError {
  const fields: Record<string, string> = {};
  for (const { path, message: reason } of issues) {
    const key = path || '@entity';
    fields[key] = fields[key] ? `${fields[key]}; ${reason}` : reason;
  }
  return new AdminError(400, `${message} (${issues.length} error${issues.length === 1 ? '' : 's'})`, fields);
}

export function conflict(expected: number, current: number): AdminError {
  return new AdminError(409, `config version ${expected} is not the current one (current is ${current}); re-read and retry`);
}

/** Clearer words than Fastify's for its errors a client can fix; the others keep Fastify's message. */
const FRAMEWORK_MESSAGES: Record<string, (request: FastifyRequest) => string> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: (request) =>
    `unsupported content type ${JSON.stringify(request.headers['content-type'] ?? '')}: send application/json (a whole config may also be application/yaml)`,
  FST_ERR_CTP_BODY_TOO_LARGE: (request) => `the request body is larger than the admin API's limit of ${request.routeOptions.bodyLimit} bytes`,
};

/** A Fastify error raised before or around a route (parsing, routing), answered in the admin shape. */
function answerFrameworkError(error: FastifyError, request: FastifyRequest, reply: FastifyReply, logger: Logger) {
  const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
  if (status === 500) logger.error({ err: error }, 'admin API request failed');
  const message = status === 500 ? 'An unexpected error occurred' : (FRAMEWORK_MESSAGES[error.code]?.(request) ?? error.message);
  return reply.code(status).send({ message });
}

export function registerErrorHandler(app: FastifyInstance, logger: Logger): void {
  app.setErrorHandler((error: FastifyError | AdminError | StoreUnavailableError, request, reply) => {
    if (error instanceof AdminError) {
      return reply.code(error.status).send(error.fields ? { message: error.message, fields: error.fields } : { message: error.message });
    }
    if (error instanceof StoreUnavailableError) {
      return reply.code(503).send({ message: `config store unavailable: ${error.message}; nothing was changed` });
    }
    return answerFrameworkError(error, request, reply, logger);
  });
  app.setNotFoundHandler((_request, reply) => reply.code(404).send({ message: 'Not found' }));
}

/** Node's parser errors that are not a malformed request (400). */
const CLIENT_ERRORS: Record<string, [status: number, message: string]> = {
  HPE_HEADER_OVERFLOW: [431, 'request header fields too large'],
  ERR_HTTP_REQUEST_TIMEOUT: [408, 'request timeout'],
};

/** A request Node's HTTP parser rejected, before Fastify has a request or reply for it. */
function answerClientError(error: Error & { code?: string }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const [status, message] = CLIENT_ERRORS[error.code ?? ''] ?? [400, `malformed HTTP request (${error.code ?? error.message})`];
  const body = JSON.stringify({ message });
  socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`);
}

/**
 * Fastify options for the admin and status listeners: a URL that cannot be decoded (414 for an
 * over-long parameter) and a request Node's parser rejects (400, 431 for a head over the limit, 408)
 * are answered `{message}` too; Fastify would write its own shape for them, outside the error handler.
 */
export function adminErrorOptions(logger: Logger): Pick<FastifyServerOptions, 'frameworkErrors' | 'clientErrorHandler'> {
  return {
    frameworkErrors: (error, request, reply) => void answerFrameworkError(error, request, reply, logger),
    clientErrorHandler: answerClientError,
  };
}
