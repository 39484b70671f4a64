/**
 * Which origins cors answers for, compiled once per config from Kong's `origins` rules: none or `*`
 * allows any; one plain entry is sent as it is; otherwise each entry is a plain origin (compared after
 * normalising, default ports dropped) or — when it has characters a plain origin cannot — a regex,
 * matched whole against the request's origin, or only its host when the entry has no `:`. A request's
 * origin is checked once per distinct value and remembered (browsers send a handful of them).
 */

/** What Access-Control-Allow-Origin says for a request, or null: the origin is not allowed. */
export type AllowedOrigin = string | null;

const PLAIN = /^[A-Za-z0-9.:/-]+$/;
const ORIGIN = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/(\[[^\]]*\]|[^/?#:]*)(?::(\d*))?/;
const DEFAULT_PORTS: Readonly<Record<string, string>> = { http: '80', https: '443' };
/** Distinct request origins remembered per plugin instance before the memory starts over. */
const REMEMBERED_ORIGINS = 1000;

interface NormalisedOrigin {
  /** scheme://host[:port], the port left out when it is the scheme's default. */
  domain: string;
  host: string;
}

/** As Kong normalises: a value that is not scheme://host[:port] is kept whole as both parts. */
export function normaliseOrigin(origin: string): NormalisedOrigin {
  const parts = ORIGIN.exec(origin);
  if (parts === null || parts[2] === '') return { domain: origin, host: origin };
  const scheme = parts[1]!.toLowerCase();
  const host = parts[2]!.toLowerCase();
  const port = parts[3] && parts[3] !== DEFAULT_PORTS[scheme] ? `:${parts[3]}` : '';
  return { domain: `${scheme}://${host}${port}`, host };
}

/** True when Kong takes the entry for a regex rather than a plain origin. */
export function isRegexEntry(entry: string): boolean {
  return entry !== '*' && !PLAIN.test(entry);
}

/** Kong anchors a regex entry at both ends (Kong 0.x did not, so a user's own anchors are tolerated). */
export function compileOriginRegex(entry: string): RegExp {
  const body = entry.replace(/^\^/, '').replace(/\$$/, '');
  return new RegExp(`^(?:${body})$`);
}

type Matcher = { regex: RegExp; byHost: boolean } | { domain: string } | { any: true };

export class OriginPolicy {
  /** `*` for any origin; a fixed origin; or null when each request's origin must be looked up. */
  readonly fixed: string | null;
  /** The answer depends on the request's origin (Vary: Origin). */
  readonly varies: boolean;
  private readonly matchers: readonly Matcher[];
  private readonly remembered = new Map<string, AllowedOrigin>();

  constructor(origins: readonly string[] | null | undefined) {
    const list = origins ?? [];
    if (list.length === 0 || (list.length === 1 && list[0] === '*')) {
      this.fixed = '*';
      this.varies = false;
    } else if (list.length === 1 && !isRegexEntry(list[0]!)) {
      this.fixed = list[0]!;
      this.varies = true;
    } else {
      this.fixed = null;
      this.varies = true;
    }
    this.matchers = list.map((entry): Matcher => {
      if (entry === '*') return { any: true };
      return isRegexEntry(entry) ? { regex: compileOriginRegex(entry), byHost: !entry.includes(':') } : { domain: normaliseOrigin(entry).domain };
    });
  }

  /**
   * What Access-Control-Allow-Origin is for a request from `origin` (undefined: none sent): the fixed
   * value; else, going through the list in order as Kong, `*` at a `*` entry or the normalised origin
   * at an entry it matches; null when none does.
   */
  allowed(origin: string | undefined): AllowedOrigin {
    if (this.fixed !== null) return this.fixed;
    if (!origin) return null;
    let answer = this.remembered.get(origin);
    if (answer === undefined) {
      answer = this.lookUp(origin);
      if (this.remembered.size >= REMEMBERED_ORIGINS) this.remembered.clear();
      this.remembered.set(origin, answer);
    }
    return answer;
  }

  private lookUp(origin: string): AllowedOrigin {
    const normalised = normaliseOrigin(origin);
    for (const matcher of this.matchers) {
      if ('any' in matcher) return '*';
      const found = 'regex' in matcher ? matcher.regex.test(matcher.byHost ? normalised.host : normalised.domain) : matcher.domain === normalised.domain;
      if (found) return normalised.domain;
    }
    return null;
  }
}
