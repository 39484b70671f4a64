/**
 * The `redis` block of plugins that keep state in Redis (rate-limiting's counters, proxy-cache's
 * entries), with Kong 3.x's names and defaults — one schema, as Kong shares `kong.tools.redis.schema`
 * between its plugins. When it names no Redis, the gateway's GATEHOUSE_REDIS_URL is used.
 */
import { z } from 'zod';

export const DEFAULT_REDIS_PORT = 6379;
export const DEFAULT_REDIS_DATABASE = 0;
/** Milliseconds a Redis command may take before the request goes on without it (Kong's is 2000; a gateway must not stall that long). */
export const DEFAULT_REDIS_TIMEOUT_MS = 100;
const DEFAULT_SENTINEL_PORT = 26379;
/** Kong 3.x's default for cluster_max_redirections. */
export const DEFAULT_CLUSTER_MAX_REDIRECTIONS = 5;

export const redisOptionsSchema = z
  .strictObject({
    host: z.string().min(1).optional().describe('Redis host; when neither it, sentinel_master nor cluster_nodes is set, the gateway\'s GATEHOUSE_REDIS_URL is used.'),
    port: z.int().min(1).max(65535).default(DEFAULT_REDIS_PORT).describe('Redis port.'),
    username: z.string().min(1).nullish().describe('Redis ACL user name.'),
    password: z.string().min(1).nullish().describe('Redis password.'),
    database: z.int().min(0).default(DEFAULT_REDIS_DATABASE).describe('Redis database number.'),
    ssl: z.boolean().default(false).describe('Connect to Redis over TLS.'),
    ssl_verify: z.boolean().default(true).describe('Verify the Redis server certificate when ssl is on.'),
    server_name: z.string().min(1).nullish().describe('SNI name sent to Redis when ssl is on.'),
    timeout: z.int().positive().default(DEFAULT_REDIS_TIMEOUT_MS).describe('Milliseconds one Redis command may take before it counts as a failure.'),
    sentinel_master: z.string().min(1).nullish().describe('Name of the master that the sentinels in sentinel_nodes watch; set it to connect through Redis Sentinel instead of to host.'),
    sentinel_role: z
      .enum(['master', 'slave', 'any'])
      .default('master')
      .refine((role) => role === 'master', 'the plugin writes to Redis, so only the master role can be used')
      .describe('Which node of the Sentinel group to use: master (the plugin writes, so replicas cannot serve).'),
    sentinel_nodes: z
      .array(
        z.strictObject({
          host: z.string().min(1).describe('Sentinel host.'),
          port: z.int().min(1).max(65535).default(DEFAULT_SENTINEL_PORT).describe('Sentinel port.'),
        }),
      )
      .nullish()
      .describe('The sentinels to ask for the master, when sentinel_master is set.'),
    sentinel_username: z.string().min(1).nullish().describe('ACL user name for the sentinels.'),
    sentinel_password: z.string().min(1).nullish().describe('Password for the sentinels.'),
    cluster_nodes: z
      .array(
        z.strictObject({
          ip: z.string().min(1).describe('Host name or IP address of a Cluster node.'),
          port: z.int().min(1).max(65535).default(DEFAULT_REDIS_PORT).describe('Port of that node.'),
        }),
      )
      .min(1)
      .nullish()
      .describe('Some nodes of a Redis Cluster (the rest are discovered); set them to keep state in a Cluster instead of on host (rate-limiting only: the keys of one identity share a hash slot, so each decision stays one script call).'),
    cluster_max_redirections: z
      .int()
      .min(0)
      .default(DEFAULT_CLUSTER_MAX_REDIRECTIONS)
      .describe('How many MOVED or ASK redirections one command may follow while the Cluster resharded, before it fails.'),
  })
  .superRefine((redis, ctx) => {
    if (redis.sentinel_master && !redis.sentinel_nodes?.length) {
      ctx.addIssue({ code: 'custom', path: ['sentinel_nodes'], message: 'sentinel_master needs at least one sentinel node' });
    }
    const named = (['host', 'sentinel_master', 'cluster_nodes'] as const).filter((field) => redis[field] != null);
    if (named.length > 1) ctx.addIssue({ code: 'custom', path: [named[1]!], message: `set only one of host, sentinel_master and cluster_nodes (${named.join(' and ')} are both set)` });
    if (redis.cluster_nodes && redis.database !== DEFAULT_REDIS_DATABASE) {
      ctx.addIssue({ code: 'custom', path: ['database'], message: 'a Redis Cluster has only database 0' });
    }
  });

export type PluginRedisOptions = z.output<typeof redisOptionsSchema>;
