/**
 * The paths of routes that share one route-level rank under one host key: a prefix trie for plain
 * paths and a pre-sorted list of regexes, searched in Kong's path order.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { PrefixTrie } from './prefix-trie.js';
import { conditionsHold, type RouteRule } from './route-rule.js';

/** Path match kinds, best first by value: an exact plain path, a regex, a plain prefix. */
export enum PathKind {
  Prefix = 0,
  Regex = 1,
  Exact = 2,
}

/** One candidate match, ranked so hits from different host buckets can be compared. */
export interface Hit {
  readonly rule: RouteRule;
  readonly kind: PathKind;
  /** regex_priority for a regex, the prefix length for a plain path. */
  readonly strength: number;
  readonly matchedPath: string;
  readonly captures: Record<string, string>;
}

const NO_CAPTURES: Record<string, string> = Object.freeze(Object.create(null) as Record<string, string>);

/** True when `a` should win over `b` (see the precedence list in router.ts). */
export function beats(a: Hit, b: Hit): boolean {
  if (a.rule.rank !== b.rule.rank) return a.rule.rank > b.rule.rank;
  if (a.kind !== b.kind) return a.kind > b.kind;
  if (a.strength !== b.strength) return a.strength > b.strength;
  return a.rule.order < b.rule.order;
}

interface RegexPath {
  readonly rule: RouteRule;
  /** Sticky, so exec() only matches at lastIndex 0: Kong anchors route regexes at the path start. */
  readonly regex: RegExp;
}

export class PathIndex {
  /** Rules per plain prefix, in declaration order. */
  private readonly plain = new PrefixTrie<RouteRule[]>();
  private readonly regexes: RegexPath[] = [];

  constructor(readonly rank: number) {}

  addPlain(rule: RouteRule, prefix: string): void {
    this.plain.upsert(prefix, () => []).push(rule);
  }

  addRegex(rule: RouteRule, pattern: string): void {
    let regex: RegExp;
    try {
      regex = new RegExp(pattern, 'y');
    } catch (err) {
      throw new Error(`route ${rule.route.name ?? rule.route.id}: invalid regex path ~${pattern}: ${(err as Error).message}`);
    }
    this.regexes.push({ rule, regex });
  }

  /** Call once after the last add. */
  seal(): void {
    this.plain.seal();
    // Stable sort, so equal priorities keep declaration order (each route's paths in their order).
    this.regexes.sort((a, b) => b.rule.route.regex_priority - a.rule.route.regex_priority || a.rule.order - b.rule.order);
  }

  /**
   * The best hit in this index. Regexes are necessarily tried one by one; plain prefixes cost one
   * trie walk, and shorter prefixes are only visited when a longer one's conditions fail.
   */
  lookup(method: string, path: string, headers: IncomingHttpHeaders): Hit | null {
    let node = this.plain.longest(path);
    if (node !== null && node.prefix.length === path.length) {
      const rule = firstHolding(node.value, method, headers);
      if (rule !== null) return plainHit(rule, PathKind.Exact, node.prefix);
      node = node.shorter;
    }
    for (const { rule, regex } of this.regexes) {
      if (!conditionsHold(rule, method, headers)) continue;
      regex.lastIndex = 0;
      const m = regex.exec(path);
      if (m !== null) {
        return { rule, kind: PathKind.Regex, strength: rule.route.regex_priority, matchedPath: m[0], captures: namedCaptures(m) };
      }
    }
    for (; node !== null; node = node.shorter) {
      const rule = firstHolding(node.value, method, headers);
      if (rule !== null) return plainHit(rule, PathKind.Prefix, node.prefix);
    }
    return null;
  }
}

function firstHolding(rules: readonly RouteRule[], method: string, headers: IncomingHttpHeaders): RouteRule | null {
  for (const rule of rules) if (conditionsHold(rule, method, headers)) return rule;
  return null;
}

function plainHit(rule: RouteRule, kind: PathKind, prefix: string): Hit {
  return { rule, kind, strength: prefix.length, matchedPath: prefix, captures: NO_CAPTURES };
}

/** Named groups that took part in the match; exec() already built a fresh object we can own. */
function namedCaptures(m: RegExpExecArray): Record<string, string> {
  const groups = m.groups as Record<string, string | undefined> | undefined;
  if (groups === undefined) return NO_CAPTURES;
  for (const name in groups) if (groups[name] === undefined) delete groups[name];
  return groups as Record<string, string>;
}
