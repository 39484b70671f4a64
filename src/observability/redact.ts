/**
 * Header redaction for log entries: credentials are always replaced, plus any header a plugin's
 * `redact_headers` names, so a log sink never receives a secret.
 */

export const ALWAYS_REDACTED = ['authorization', 'proxy-authorization', 'cookie', 'set-cookie', 'x-api-key', 'apikey'] as const;
export const REDACTED = '[redacted]';

type Headers = Record<string, string | string[] | undefined>;

/** Builds the redactor for a list of extra header names (any case), once per config version. */
export function headerRedactor(extra: readonly string[]): (headers: Headers) => Record<string, string | string[]> {
  const names = new Set<string>([...ALWAYS_REDACTED, ...extra.map((name) => name.toLowerCase())]);
  return (headers) => {
    const out: Record<string, string | string[]> = {};
    for (const name in headers) {
      const value = headers[name];
      if (value === undefined) continue;
      out[name] = names.has(name.toLowerCase()) ? REDACTED : value;
    }
    return out;
  };
}
