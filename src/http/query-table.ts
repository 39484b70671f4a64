/** A raw query string read as Kong's query table: names and values form-decoded (`+` is a space), a bare name's value `true`, repeats kept in order. */

/** Form-decodes one name or value; text that is not valid percent-encoding is kept as written. */
export function decodeQueryComponent(text: string): string {
  try {
    return decodeURIComponent(text.replaceAll('+', ' '));
  } catch {
    return text;
  }
}

/** name → every value it was given, in order (`true` for a bare name). */
export function queryTable(query: string): Map<string, (string | true)[]> {
  const values = new Map<string, (string | true)[]>();
  for (const pair of query.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const name = decodeQueryComponent(eq === -1 ? pair : pair.slice(0, eq));
    const value = eq === -1 ? true : decodeQueryComponent(pair.slice(eq + 1));
    const list = values.get(name);
    if (list) list.push(value);
    else values.set(name, [value]);
  }
  return values;
}
