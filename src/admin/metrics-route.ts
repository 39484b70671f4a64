/** `GET /metrics` on the admin and status listeners: the Prometheus text of this process or of all workers. */
import type { FastifyInstance } from 'fastify';
import { metricsContentType, metricsText } from '../observability/cluster-metrics.js';
import { WITHOUT_ADMIN_TOKEN } from './admin-auth.js';

export function registerMetricsRoute(app: FastifyInstance): void {
  app.get('/metrics', WITHOUT_ADMIN_TOKEN, async (_request, reply) => {
    const text = await metricsText();
    return reply.type(metricsContentType()).send(text);
  });
}
