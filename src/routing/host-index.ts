/**
 * Route buckets keyed by host: exact hosts in a map, wildcard hosts by their fixed suffix or prefix
 * (so a lookup costs one map probe per label of the request host, whatever the route count), and
 * one bucket for routes without hosts.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { beats, type Hit } from './path-index.js';
import { RouteBucket } from './route-bucket.js';

export class HostIndex {
  private readonly exact = new Map<string, RouteBucket>();
  /** `*.example.com` is stored as `.example.com`: it matches any host ending with that. */
  private readonly suffixes = new Map<string, RouteBucket>();
  /** `example.*` is stored as `example.`: it matches any host starting with that. */
  private readonly prefixes = new Map<string, RouteBucket>();
  private readonly anyHost = new RouteBucket();

  /** The bucket for one configured host pattern, or for routes without hosts when null. */
  bucket(pattern: string | null): RouteBucket {
    if (pattern === null) return this.anyHost;
    const host = pattern.toLowerCase();
    if (host.startsWith('*.')) return bucketIn(this.suffixes, host.slice(1));
    if (host.endsWith('.*')) return bucketIn(this.prefixes, host.slice(0, -1));
    return bucketIn(this.exact, host);
  }

  seal(): void {
    for (const map of [this.exact, this.suffixes, this.prefixes]) for (const bucket of map.values()) bucket.seal();
    this.anyHost.seal();
  }

  /** The best hit across every bucket the host reaches; `host` is lower-case without port. */
  lookup(method: string, host: string, path: string, headers: IncomingHttpHeaders): Hit | null {
    let best = this.exact.get(host)?.lookup(method, path, headers, 0) ?? null;
    if (this.suffixes.size > 0) {
      for (let dot = host.indexOf('.'); dot !== -1; dot = host.indexOf('.', dot + 1)) {
        best = better(best, this.suffixes.get(host.slice(dot)), method, path, headers);
      }
    }
    if (this.prefixes.size > 0) {
      for (let dot = host.indexOf('.'); dot !== -1; dot = host.indexOf('.', dot + 1)) {
        best = better(best, this.prefixes.get(host.slice(0, dot + 1)), method, path, headers);
      }
    }
    return better(best, this.anyHost, method, path, headers);
  }
}

function bucketIn(map: Map<string, RouteBucket>, key: string): RouteBucket {
  let bucket = map.get(key);
  if (bucket === undefined) {
    bucket = new RouteBucket();
    map.set(key, bucket);
  }
  return bucket;
}

function better(best: Hit | null, bucket: RouteBucket | undefined, method: string, path: string, headers: IncomingHttpHeaders): Hit | null {
  if (bucket === undefined) return best;
  const hit = bucket.lookup(method, path, headers, best === null ? 0 : best.rule.rank);
  return hit !== null && (best === null || beats(hit, best)) ? hit : best;
}
