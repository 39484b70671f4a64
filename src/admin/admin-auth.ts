/**
 * Admin API authentication: when GATEHOUSE_ADMIN_TOKEN is set, every admin request needs
 * `Authorization: Bearer <token>`, compared in constant time — except on the routes marked
 * WITHOUT_ADMIN_TOKEN (status, readiness, metrics), since probes and scrapers carry no admin secret.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route answers without the admin token. */
    withoutAdminToken?: boolean;
  }
}

/** Route options of a route that answers without the admin token. */
export const WITHOUT_ADMIN_TOKEN = { config: { withoutAdminToken: true } } as const;

const digest = (value: string) => createHash('sha256').update(value).digest();

export function requireBearerToken(app: FastifyInstance, token: string): void {
  const expected = digest(token);
  app.addHook('onRequest', async (request, reply) => {
    // The matched route decides, not the URL text, so no spelling of a path reaches another route.
    if (request.routeOptions.config.withoutAdminToken) return;
    const header = request.headers.authorization ?? '';
    const presented = header.startsWith('Bearer ') ? header.slice(7) : '';
    // Hashing first gives equal-length buffers, so the comparison time never depends on the input.
    if (!timingSafeEqual(digest(presented), expected)) {
      return reply
        .code(401)
        .header('www-authenticate', 'Bearer realm="gatehouse-admin"')
        .send({ message: 'Unauthorized', error: 'unauthorized' });
    }
  });
}
