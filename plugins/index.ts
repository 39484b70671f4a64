/** The plugins bundled with Gatehouse, listed in one place. */
import type { PluginDefinition } from '../src/pipeline/contract.js';
import { PluginRegistry } from '../src/pipeline/registry.js';
import correlationId from './correlation-id/index.js';
import rateLimiting from './rate-limiting/index.js';
import requestSizeLimiting from './request-size-limiting/index.js';

export const bundledPlugins: readonly PluginDefinition[] = [correlationId, requestSizeLimiting, rateLimiting];

export const bundledRegistry = new PluginRegistry(bundledPlugins);
