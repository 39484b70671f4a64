/**
 * Kong's status listener (GATEHOUSE_STATUS_LISTEN, off by default): only the probe routes, with no
 * token, so the admin API can stay on loopback while probes and scrapers reach the pod from outside.
 * It exposes no secret and changes nothing, so it may bind any address. Every other path is 404.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { withoutSchemaCompilers } from '../http/no-schema-compilers.js';
import { adminErrorOptions, registerErrorHandler } from './admin-errors.js';
import { registerProbeRoutes } from './probe-routes.js';
import type { StatusSource } from './status-routes.js';

export function buildStatusServer(source: StatusSource, logger: Logger): FastifyInstance {
  const app = Fastify({ logger: false, forceCloseConnections: true, ...withoutSchemaCompilers, ...adminErrorOptions(logger) });
  registerErrorHandler(app, logger);
  registerProbeRoutes(app, source);
  return app;
}
