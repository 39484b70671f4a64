/**
 * Text the gateway puts in a header it sends upstream from data it did not choose (a consumer's
 * username, a token's subject or claims): HTTP/1.1 carries no control characters, and Node and
 * undici no characters beyond Latin-1, so one such character would fail the whole request.
 * Control characters are dropped and anything beyond printable ASCII is sent \u-escaped, so the
 * value arrives, and reads back, the same on every upstream.
 */

const UNSAFE = /[^\x20-\x7e\t]/;
const CONTROL_CHARACTERS = /[\u0000-\u0008\u000a-\u001f\u007f]/g;
const BEYOND_ASCII = /[^\x20-\x7e\t]/g;

export function headerSafe(text: string): string {
  if (!UNSAFE.test(text)) return text;
  return text.replace(CONTROL_CHARACTERS, '').replace(BEYOND_ASCII, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
