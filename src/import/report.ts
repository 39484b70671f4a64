/**
 * The import report: what each part of the source document became (`mapped`), what it became only
 * approximately or with something left for the user to fill in (`partial`), and what has no
 * equivalent (`unmapped`), each with the JSON path of the source part and, where there is one, the
 * path of what it became in the output.
 */
export type ReportKind = 'mapped' | 'partial' | 'unmapped';

export interface ReportEntry {
  kind: ReportKind;
  /** JSONPath of the source part, e.g. `$.paths["/pets/{petId}"].get`. */
  path: string;
  /** Path in the output config, e.g. `services[0].routes[2].plugins[0]`. */
  to?: string;
  message: string;
}

export class ImportReport {
  readonly entries: ReportEntry[] = [];

  constructor(
    readonly from: string,
    readonly source: string,
  ) {}

  mapped(path: string, message: string, to?: string): void {
    this.entries.push({ kind: 'mapped', path, ...(to ? { to } : {}), message });
  }

  partial(path: string, message: string, to?: string): void {
    this.entries.push({ kind: 'partial', path, ...(to ? { to } : {}), message });
  }

  unmapped(path: string, message: string): void {
    this.entries.push({ kind: 'unmapped', path, message });
  }

  count(kind: ReportKind): number {
    return this.entries.filter((entry) => entry.kind === kind).length;
  }

  toJSON() {
    return {
      from: this.from,
      source: this.source,
      summary: { mapped: this.count('mapped'), partial: this.count('partial'), unmapped: this.count('unmapped') },
      entries: this.entries,
    };
  }

  /** One line per entry, for a terminal. */
  toText(): string {
    const lines = this.entries.map((entry) => `${entry.kind.padEnd(8)} ${entry.path}${entry.to ? ` → ${entry.to}` : ''}: ${entry.message}`);
    const { mapped, partial, unmapped } = this.toJSON().summary;
    lines.push(`${mapped} mapped, ${partial} partial, ${unmapped} unmapped`);
    return `${lines.join('\n')}\n`;
  }
}

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/** JSONPath of `segments` under `$`: identifiers with dots, anything else in brackets. */
export function jsonPath(...segments: (string | number)[]): string {
  return segments.reduce<string>((path, segment) => {
    if (typeof segment === 'number') return `${path}[${segment}]`;
    return IDENTIFIER.test(segment) ? `${path}.${segment}` : `${path}[${JSON.stringify(segment)}]`;
  }, '$');
}

/** Extends a JSONPath made by `jsonPath`. */
export function childPath(path: string, ...segments: (string | number)[]): string {
  return path + jsonPath(...segments).slice(1);
}
