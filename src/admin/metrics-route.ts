/** `GET /metrics` on the admin listener: the Prometheus text of this process or of all workers. */
import type { FastifyInstance } from 'fastify';
import { metricsContentType, metricsText } from '../observability/cluster-metrics.js';

export function registerMetricsRoute(app: FastifyInstance): void {
  app.get('/metrics', async (_request, reply) => {
    const text = await metricsText();
    return reply.type(metricsContentType).send(text);
  });
}
