/**
 * `GET /` on the admin API, as Kong's node information: who answers, and the proxy listeners as they
 * are bound (`configuration.proxy_listeners`, Kong's name), which `gatehouse export --format openapi`
 * turns into the document's servers.
 */
import { hostname } from 'node:os';
import type { FastifyInstance } from 'fastify';

export interface ProxyListener {
  ip: string;
  port: number;
  ssl: boolean;
}

export function registerNodeInfoRoute(app: FastifyInstance, proxyListeners: () => readonly ProxyListener[]): void {
  app.get('/', async () => ({ tagline: 'Welcome to gatehouse', hostname: hostname(), pid: process.pid, configuration: { proxy_listeners: proxyListeners() } }));
}
