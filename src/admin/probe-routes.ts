/**
 * The routes probes and scrapers call — `GET /status`, `/status/ready` and `/metrics` — registered
 * the same way on the admin listener and on the status listener (GATEHOUSE_STATUS_LISTEN). They
 * answer without the admin token: Kubernetes probes, Docker's HEALTHCHECK and Prometheus carry no
 * admin secret.
 */
import type { FastifyInstance } from 'fastify';
import { registerMetricsRoute } from './metrics-route.js';
import { registerStatusRoutes, type StatusSource } from './status-routes.js';

export function registerProbeRoutes(app: FastifyInstance, source: StatusSource): void {
  registerStatusRoutes(app, source);
  registerMetricsRoute(app);
}
