/**
 * Kong's request-transformer templates, `$(headers.x-user or 'anonymous')`, compiled once per config.
 * Kong evaluates the text inside `$()` as Lua; Gatehouse takes the forms Kong documents — a header,
 * query argument or named URI capture by `.name` or `['name']`, string literals (which is how Kong
 * escapes a template: `$('$(not a template)')`), and `or` between them — and rejects anything else
 * when the config is loaded, rather than failing requests. A missing value renders as "", as in Kong.
 */

/** Where a template's values come from: the request as the client sent it. */
export interface TemplateValues {
  header(name: string): string | undefined;
  query(name: string): string | undefined;
  capture(name: string): string | undefined;
}

type Source = 'header' | 'query' | 'capture';
const SOURCES: Readonly<Record<string, Source>> = { headers: 'header', query_params: 'query', uri_captures: 'capture' };

type Operand = { literal: string } | { source: Source; names: readonly string[] };
type Part = string | readonly Operand[];

export class TemplateError extends Error {}

export class Template {
  private constructor(
    private readonly parts: readonly Part[],
    /** The rendered text when the template reads nothing from the request. */
    readonly fixed: string | null,
  ) {}

  static compile(text: string): Template {
    const parts = parseParts(text);
    const fixed = parts.every((part) => typeof part === 'string' || part.every((operand) => 'literal' in operand)) ? renderParts(parts, null) : null;
    return new Template(parts, fixed);
  }

  render(values: TemplateValues): string {
    return this.fixed ?? renderParts(this.parts, values);
  }
}

function evaluate(operands: readonly Operand[], values: TemplateValues | null): string {
  for (const operand of operands) {
    if ('literal' in operand) return operand.literal;
    for (const name of operand.names) {
      const value = values![operand.source](name);
      if (value !== undefined) return value;
    }
  }
  return '';
}

function renderParts(parts: readonly Part[], values: TemplateValues | null): string {
  let out = '';
  for (const part of parts) out += typeof part === 'string' ? part : evaluate(part, values);
  return out;
}

/** Splits text into literal runs and `$( … )` expressions (parentheses balanced, quotes respected). */
function parseParts(text: string): Part[] {
  const parts: Part[] = [];
  let at = 0;
  for (let start = text.indexOf('$(', at); start !== -1; start = text.indexOf('$(', at)) {
    if (start > at) parts.push(text.slice(at, start));
    let depth = 0;
    let end = start + 1;
    let quote: string | null = null;
    for (; end < text.length; end++) {
      const char = text[end]!;
      if (quote !== null) {
        if (char === '\\') end++;
        else if (char === quote) quote = null;
      } else if (char === "'" || char === '"') quote = char;
      else if (char === '(') depth++;
      else if (char === ')' && --depth === 0) break;
    }
    if (end >= text.length) throw new TemplateError(`unclosed template in '${text}'`);
    parts.push(parseExpression(text.slice(start + 2, end)));
    at = end + 1;
  }
  if (at < text.length) parts.push(text.slice(at));
  return parts;
}

const TOKEN = /\s*(?:([A-Za-z_][A-Za-z0-9_]*)|('(?:\\.|[^'\\])*'|"(?:\\.|[^"\\])*")|(\d+)|([.[\]]))/y;
const ESCAPES: Readonly<Record<string, string>> = { n: '\n', t: '\t', r: '\r', '\\': '\\', "'": "'", '"': '"' };

function unquote(literal: string): string {
  return literal.slice(1, -1).replace(/\\(.)/g, (_, char: string) => ESCAPES[char] ?? char);
}

function unsupported(expression: string): TemplateError {
  return new TemplateError(
    `unsupported template expression '$(${expression})': use headers.<name>, query_params.<name>, uri_captures.<name> (or ['<name>']), 'text', joined by or`,
  );
}

/** The names a header is looked up by: Kong's headers table is case-insensitive and reads `_` as `-`. */
function headerNames(name: string): string[] {
  const lower = name.toLowerCase();
  const dashed = lower.replaceAll('_', '-');
  return dashed === lower ? [lower] : [lower, dashed];
}

function parseExpression(expression: string): Operand[] {
  const tokens: string[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < expression.length) {
    const start = TOKEN.lastIndex;
    const match = TOKEN.exec(expression);
    if (match === null) {
      if (expression.slice(start).trim() === '') break;
      throw unsupported(expression);
    }
    tokens.push(match[1] ?? match[2] ?? match[3] ?? match[4]!);
  }
  const operands: Operand[] = [];
  let i = 0;
  const next = () => tokens[i++];
  for (;;) {
    const token = next();
    if (token === undefined) throw unsupported(expression);
    if (token.startsWith("'") || token.startsWith('"')) operands.push({ literal: unquote(token) });
    else {
      const source = SOURCES[token];
      if (source === undefined) throw unsupported(expression);
      let name: string | undefined;
      const accessor = next();
      if (accessor === '.') name = next();
      else if (accessor === '[') {
        const key = next();
        if (next() !== ']' || key === undefined) throw unsupported(expression);
        if (/^\d+$/.test(key)) throw new TemplateError(`'$(${expression})': captures by position are not available; name the group, e.g. (?<id>...), and use uri_captures.id`);
        if (!key.startsWith("'") && !key.startsWith('"')) throw unsupported(expression);
        name = unquote(key);
      }
      if (name === undefined || name === '' || name === '.' || name === '[' || name === ']') throw unsupported(expression);
      operands.push({ source, names: source === 'header' ? headerNames(name) : [name] });
    }
    const joiner = next();
    if (joiner === undefined) return operands;
    if (joiner !== 'or') throw unsupported(expression);
  }
}
