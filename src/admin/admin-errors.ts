/**
 * Errors of the admin API and how they are answered: `{message}` plus `fields` (path → reason) for a
 * rejected write, as in Kong's admin API.
 */
import type { FastifyError, FastifyInstance } from 'fastify';
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

export function registerErrorHandler(app: FastifyInstance, logger: Logger): void {
  app.setErrorHandler((error: FastifyError | AdminError | StoreUnavailableError, _request, reply) => {
    if (error instanceof AdminError) {
      return reply.code(error.status).send(error.fields ? { message: error.message, fields: error.fields } : { message: error.message });
    }
    if (error instanceof StoreUnavailableError) {
      return reply.code(503).send({ message: `config store unavailable: ${error.message}; nothing was changed` });
    }
    const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    if (status === 500) logger.error({ err: error }, 'admin API request failed');
    return reply.code(status).send({ message: status === 500 ? 'An unexpected error occurred' : error.message });
  });
  app.setNotFoundHandler((_request, reply) => reply.code(404).send({ message: 'Not found' }));
}
