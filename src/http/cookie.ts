/**
 * The one reading of a Cookie header, for the jwt plugin's `cookie_names` and the balancer's
 * `hash_on: cookie`. A value comes back as the client sent it, not percent-decoded: that is what
 * nginx's `$cookie_<name>` gives Kong for both, and RFC 6265 leaves cookie values opaque.
 */

/** The value of cookie `name` in a Cookie header (the first one, as nginx), if any. */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}
