/** The plugins bundled with Gatehouse, listed in one place. */
import type { PluginDefinition } from '../src/pipeline/contract.js';
import { PluginRegistry } from '../src/pipeline/registry.js';
import correlationId from './correlation-id/index.js';
import fileLog from './file-log/index.js';
import httpLog from './http-log/index.js';
import openTelemetry from './opentelemetry/index.js';
import prometheus from './prometheus/index.js';

export const bundledPlugins: readonly PluginDefinition[] = [correlationId, openTelemetry, prometheus, httpLog, fileLog];

export const bundledRegistry = new PluginRegistry(bundledPlugins);
