/**
 * correlation-id: moves the request ID into a header of the route's choosing (Kong's plugin). A sane
 * incoming value in that header is kept; otherwise a new ID is made by the configured generator.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { definePlugin, isSaneRequestId } from '../../src/plugin-kit/index.js';
import { configSchema, type CorrelationIdConfig } from './schema.js';

const processUuid = randomUUID();
const host = hostname();
let counter = 0;

const generators: Record<CorrelationIdConfig['generator'], () => string> = {
  uuid: () => randomUUID(),
  'uuid#counter': () => `${processUuid}#${++counter}`,
  tracker: () => `${host}-${process.pid}-${Date.now()}-${++counter}`,
};

export default definePlugin({
  name: 'correlation-id',
  priority: 100_001,
  version: '1.0.0',
  configSchema,
  instantiate(config) {
    const header = config.header_name.toLowerCase();
    const generate = generators[config.generator];
    return {
      access(ctx) {
        const incoming = ctx.headers[header];
        ctx.useRequestId(isSaneRequestId(incoming) ? incoming : generate(), header);
      },
    };
  },
});
