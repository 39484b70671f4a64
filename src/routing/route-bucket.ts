/**
 * The routes reachable under one host key, split into path indexes by route-level rank so the
 * first index (highest rank first) that yields a hit holds the best route under this key.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { PathIndex, type Hit } from './path-index.js';

export class RouteBucket {
  private readonly byRank = new Map<number, PathIndex>();
  private tiers: readonly PathIndex[] = [];

  index(rank: number): PathIndex {
    let tier = this.byRank.get(rank);
    if (tier === undefined) {
      tier = new PathIndex(rank);
      this.byRank.set(rank, tier);
    }
    return tier;
  }

  seal(): void {
    this.tiers = [...this.byRank.values()].sort((a, b) => b.rank - a.rank);
    for (const tier of this.tiers) tier.seal();
  }

  /** The best hit here, ignoring ranks below `floor` (a hit already found elsewhere beats them). */
  lookup(method: string, path: string, headers: IncomingHttpHeaders, floor: number): Hit | null {
    for (const tier of this.tiers) {
      if (tier.rank < floor) return null;
      const hit = tier.lookup(method, path, headers);
      if (hit !== null) return hit;
    }
    return null;
  }
}
