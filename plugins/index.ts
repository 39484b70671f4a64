/** The plugins bundled with Gatehouse, listed in one place. */
import type { PluginDefinition } from '../src/pipeline/contract.js';
import { PluginRegistry } from '../src/pipeline/registry.js';
import acl from './acl/index.js';
import basicAuth from './basic-auth/index.js';
import correlationId from './correlation-id/index.js';
import fileLog from './file-log/index.js';
import forwardAuth from './forward-auth/index.js';
import httpLog from './http-log/index.js';
import jwt from './jwt/index.js';
import keyAuth from './key-auth/index.js';
import openTelemetry from './opentelemetry/index.js';
import prometheus from './prometheus/index.js';
import rateLimiting from './rate-limiting/index.js';
import requestSizeLimiting from './request-size-limiting/index.js';

/** In priority order (highest first), as they run. */
export const bundledPlugins: readonly PluginDefinition[] = [
  correlationId,
  jwt,
  keyAuth,
  basicAuth,
  forwardAuth,
  requestSizeLimiting,
  acl,
  rateLimiting,
  openTelemetry,
  prometheus,
  httpLog,
  fileLog,
];

export const bundledRegistry = new PluginRegistry(bundledPlugins);
