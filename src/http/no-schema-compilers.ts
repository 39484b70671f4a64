/**
 * Fastify's option for listeners whose routes declare no JSON schema (the proxy routes with its own
 * table; the admin API validates with zod): without it every Fastify instance builds ajv and
 * fast-json-stringify compilers at creation, about 7 MiB of RSS and tens of milliseconds of start
 * that a sidecar would pay in every pod for nothing. A route given a schema fails loudly instead.
 */
import type { FastifyServerOptions } from 'fastify';

const refuse = () => () => {
  throw new Error('this listener compiles no route schemas (see src/http/no-schema-compilers.ts)');
};

export const withoutSchemaCompilers: Pick<FastifyServerOptions, 'schemaController'> = {
  schemaController: { compilersFactory: { buildValidator: refuse, buildSerializer: refuse } },
};
