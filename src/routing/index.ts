/** The routing module's public surface: compile a route table, match requests, build upstream paths. */
export { compileRouter, type RouteMatch, type Router } from './router.js';
export { upstreamPath } from './upstream-path.js';
