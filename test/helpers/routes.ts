/** Builds normalized RouteEntity values for tests, with Kong's defaults for every unset field. */
import type { RouteEntity } from '../../src/config/types.js';

export function route(id: string, fields: Partial<RouteEntity> = {}): RouteEntity {
  return {
    id,
    name: id,
    service: { id: 'svc' },
    protocols: ['http', 'https'],
    regex_priority: 0,
    strip_path: true,
    preserve_host: false,
    path_handling: 'v0',
    https_redirect_status_code: 426,
    request_buffering: true,
    response_buffering: true,
    ...fields,
  };
}
