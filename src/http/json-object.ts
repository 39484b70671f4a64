/**
 * Edits the top-level members of a JSON object body (the transformers' remove, rename, replace, add,
 * append) without re-encoding what it does not touch: each member keeps its value's exact text, so a
 * 64-bit id, a number's spelling or a nested object's layout reach the other side as they came —
 * JSON.parse and JSON.stringify would round 12345678901234567891 to 12345678901234567000.
 */

interface Member {
  /** The key as written, quotes and escapes included. */
  rawKey: string;
  key: string;
  /** The value's JSON text, exactly as it was (or as set). */
  raw: string;
}

const WHITESPACE = new Set([0x20, 0x09, 0x0a, 0x0d]);

/** End (exclusive) of the JSON string starting at `start` (a `"`). */
function stringEnd(text: string, start: number): number {
  let i = start + 1;
  while (text.charCodeAt(i) !== 0x22 /* " */) i += text.charCodeAt(i) === 0x5c /* \ */ ? 2 : 1;
  return i + 1;
}

/** End (exclusive) of the JSON value starting at `start`; the text is known to be valid JSON. */
function valueEnd(text: string, start: number): number {
  const first = text.charCodeAt(start);
  if (first === 0x22) return stringEnd(text, start);
  if (first === 0x7b /* { */ || first === 0x5b /* [ */) {
    let depth = 0;
    let i = start;
    for (;;) {
      const code = text.charCodeAt(i);
      if (code === 0x22) {
        i = stringEnd(text, i);
        continue;
      }
      if (code === 0x7b || code === 0x5b) depth++;
      else if (code === 0x7d /* } */ || code === 0x5d /* ] */) {
        if (--depth === 0) return i + 1;
      }
      i++;
    }
  }
  let i = start;
  while (i < text.length && !WHITESPACE.has(text.charCodeAt(i)) && text[i] !== ',' && text[i] !== '}') i++;
  return i;
}

function skipWhitespace(text: string, i: number): number {
  while (WHITESPACE.has(text.charCodeAt(i))) i++;
  return i;
}

export class JsonObjectEdit {
  private constructor(private members: Member[]) {}

  /** The edit of `text`'s members; null when `text` is not a JSON object. */
  static parse(text: string): JsonObjectEdit | null {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return null;
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return null;
    // Valid JSON, so the scan below need not check its syntax.
    const members: Member[] = [];
    let i = skipWhitespace(text, skipWhitespace(text, 0) + 1);
    while (text[i] !== '}') {
      const keyEnd = stringEnd(text, i);
      const rawKey = text.slice(i, keyEnd);
      const start = skipWhitespace(text, skipWhitespace(text, keyEnd) + 1);
      const end = valueEnd(text, start);
      members.push({ rawKey, key: JSON.parse(rawKey) as string, raw: text.slice(start, end) });
      i = skipWhitespace(text, end);
      if (text[i] === ',') i = skipWhitespace(text, i + 1);
    }
    return new JsonObjectEdit(members);
  }

  static empty(): JsonObjectEdit {
    return new JsonObjectEdit([]);
  }

  has(key: string): boolean {
    return this.members.some((member) => member.key === key);
  }

  /** The JSON text of `key`'s value (the last, when the object repeats the key, as JSON.parse reads it). */
  rawValue(key: string): string | undefined {
    for (let i = this.members.length - 1; i >= 0; i--) if (this.members[i]!.key === key) return this.members[i]!.raw;
    return undefined;
  }

  /** Removes every member named `key`; true when there was one. */
  remove(key: string): boolean {
    const before = this.members.length;
    this.members = this.members.filter((member) => member.key !== key);
    return this.members.length !== before;
  }

  /** Renames `from` to `to` where it stands (a member already named `to` gives way); true when `from` was there. */
  rename(from: string, to: string): boolean {
    if (from === to || !this.has(from)) return false;
    this.remove(to);
    const rawKey = JSON.stringify(to);
    for (const member of this.members) if (member.key === from) Object.assign(member, { key: to, rawKey });
    return true;
  }

  /** Sets `key` to the JSON text `raw`: in place when it exists (repeats dropped), else at the end. */
  set(key: string, raw: string): void {
    const at = this.members.findIndex((member) => member.key === key);
    if (at === -1) {
      this.members.push({ rawKey: JSON.stringify(key), key, raw });
      return;
    }
    this.members = this.members.filter((member, i) => i === at || member.key !== key);
    this.members[at]!.raw = raw;
  }

  /** Kong's append: an array gets `raw` at its end; any other value becomes [value, raw]; a missing one [raw]. */
  append(key: string, raw: string): void {
    const current = this.rawValue(key);
    if (current === undefined) this.set(key, `[${raw}]`);
    else if (current.startsWith('[')) {
      const inner = current.slice(1, -1);
      this.set(key, inner.trim() === '' ? `[${raw}]` : `[${inner},${raw}]`);
    } else this.set(key, `[${current},${raw}]`);
  }

  toString(): string {
    return `{${this.members.map((member) => `${member.rawKey}:${member.raw}`).join(',')}}`;
  }
}
