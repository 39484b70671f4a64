/**
 * The compiled route table: built once per config version, then asked on every request which
 * route takes it, following Kong 3.x's traditional_compatible precedence.
 *
 * A route matches when every attribute it configures matches: one of its hosts (exact, `*.suffix`
 * or `prefix.*`, case-insensitive), one of its methods, every configured header (one of the listed
 * values, case-insensitive), and one of its paths (a plain path is a prefix of the raw request
 * path; a `~` path is a regex anchored at the path start). A route without paths matches any path
 * as the prefix "/".
 *
 * Among matching routes, and per matched path (as Kong splits a route's paths into separate
 * matchers), the winner is decided by, in order:
 *  1. more configured attribute kinds (hosts, methods, headers, paths);
 *  2. a route whose hosts are all plain beats one with any wildcard host;
 *  3. more header conditions;
 *  4. path kind: a plain path equal to the whole request path, then a regex, then a plain prefix;
 *  5. within regexes, higher regex_priority; within plain paths, the longer one;
 *  6. declaration order.
 * Rule 4's "exact plain path first" is Gatehouse's contract; Kong 3.x itself ranks any regex above
 * any plain path, exact or not (get_priority in kong/router/transform.lua).
 *
 * Cost: the request host selects a few buckets (exact map, one probe per host label for wildcard
 * suffixes and prefixes, the host-less bucket). Inside a bucket, routes are grouped by rules 1-3;
 * in each group plain paths sit in a radix trie, so the longest prefix is found in one walk of the
 * path and shorter ones are visited only when method/header conditions fail. Regex paths are
 * necessarily tested one by one, pre-sorted by regex_priority at compile time, so only they make
 * lookup cost grow with the route count.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { RouteEntity } from '../config/types.js';
import { HostIndex } from './host-index.js';
import { compileRule } from './route-rule.js';

export interface RouteMatch {
  route: RouteEntity;
  /** The matched prefix (plain) or whole regex match, for strip_path. */
  matchedPath: string;
  /** Named groups of a regex path; a frozen empty object when none. */
  captures: Record<string, string>;
}

export interface Router {
  /** `host` is lower-case without port; `path` is the raw path without query. */
  match(method: string, host: string, path: string, headers: IncomingHttpHeaders): RouteMatch | null;
}

const ANY_PATH = '/';

export function compileRouter(routes: readonly RouteEntity[]): Router {
  const hosts = new HostIndex();
  routes.forEach((route, order) => {
    const rule = compileRule(route, order);
    const buckets = new Set(route.hosts?.length ? route.hosts.map((h) => hosts.bucket(h)) : [hosts.bucket(null)]);
    const paths = new Set(route.paths?.length ? route.paths : [ANY_PATH]);
    for (const bucket of buckets) {
      const index = bucket.index(rule.rank);
      for (const path of paths) {
        if (path.startsWith('~')) index.addRegex(rule, path.slice(1));
        else index.addPlain(rule, path);
      }
    }
  });
  hosts.seal();
  return {
    match(method, host, path, headers) {
      const hit = hosts.lookup(method, host, path, headers);
      return hit === null ? null : { route: hit.rule.route, matchedPath: hit.matchedPath, captures: hit.captures };
    },
  };
}
