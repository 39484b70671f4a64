/**
 * Edits a raw query string by argument name (decoded, as Kong's query table reads them), keeping
 * every argument it does not touch exactly as the client wrote it — order, encoding, repeats, nested
 * `a[b]=1` names — where Kong re-encodes the whole query once it changes any of it.
 */
import { decodeQueryComponent } from '../../src/plugin-kit/index.js';

interface Arg {
  /** The decoded name (the raw one when it cannot be decoded). */
  name: string;
  /** The pair as written, `name=value` or a bare `name`. */
  raw: string;
}

function pair(name: string, value: string): string {
  return `${encodeURIComponent(name)}=${encodeURIComponent(value)}`;
}

export class QueryArgs {
  private args: Arg[];

  constructor(query: string) {
    this.args = [];
    if (query === '') return;
    for (const raw of query.split('&')) {
      if (raw === '') continue;
      const eq = raw.indexOf('=');
      this.args.push({ name: decodeQueryComponent(eq === -1 ? raw : raw.slice(0, eq)), raw });
    }
  }

  has(name: string): boolean {
    return this.args.some((arg) => arg.name === name);
  }

  /** The first value of `name`, decoded ("" for a bare `name`). */
  get(name: string): string | undefined {
    const arg = this.args.find((candidate) => candidate.name === name);
    if (arg === undefined) return undefined;
    const eq = arg.raw.indexOf('=');
    return eq === -1 ? '' : decodeQueryComponent(arg.raw.slice(eq + 1));
  }

  remove(name: string): void {
    this.args = this.args.filter((arg) => arg.name !== name);
  }

  /** Every `from` argument takes the name `to`, its value untouched. */
  rename(from: string, to: string): void {
    if (from === to) return;
    const encoded = encodeURIComponent(to);
    for (const arg of this.args) {
      if (arg.name !== from) continue;
      const eq = arg.raw.indexOf('=');
      arg.name = to;
      arg.raw = eq === -1 ? encoded : encoded + arg.raw.slice(eq);
    }
  }

  /** One `name=value` where the first `name` stood, as Kong's replace: only when there is one. */
  replace(name: string, value: string): void {
    const at = this.args.findIndex((arg) => arg.name === name);
    if (at === -1) return;
    this.args = this.args.filter((arg, i) => i === at || arg.name !== name);
    this.args[at] = { name, raw: pair(name, value) };
  }

  /** Kong's add: only when the argument is not there. */
  add(name: string, value: string): void {
    if (!this.has(name)) this.append(name, value);
  }

  append(name: string, value: string): void {
    this.args.push({ name, raw: pair(name, value) });
  }

  toString(): string {
    return this.args.map((arg) => arg.raw).join('&');
  }
}
