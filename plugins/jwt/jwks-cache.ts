/**
 * The keys of one JWKS URI: fetched over HTTP(S), imported once per key and algorithm, refreshed in
 * the background when old, and refetched on an unknown `kid` at most once per cooldown — so a flood
 * of tokens with made-up key ids costs the issuer one request per cooldown, not one per token.
 */
import { importJWK, type CryptoKey, type JWK } from 'jose';
import { getBody, type Logger } from '../../src/plugin-kit/index.js';

const FETCH_TIMEOUT_MS = 5000;
const MAX_JWKS_BYTES = 512 * 1024;
/** Keys are refreshed in the background after this long, so a removed key stops working. */
const MAX_AGE_MS = 10 * 60_000;

const KEY_TYPES: Record<string, { kty: string; crv?: string }> = {
  RS256: { kty: 'RSA' },
  RS384: { kty: 'RSA' },
  RS512: { kty: 'RSA' },
  PS256: { kty: 'RSA' },
  PS384: { kty: 'RSA' },
  PS512: { kty: 'RSA' },
  ES256: { kty: 'EC', crv: 'P-256' },
  ES384: { kty: 'EC', crv: 'P-384' },
  ES512: { kty: 'EC', crv: 'P-521' },
  EdDSA: { kty: 'OKP' },
};

/** Why no key could be found for a token (the message is client-safe; the cause is for the log). */
export class KeyNotFound extends Error {
  constructor(
    message: string,
    readonly causeText: string,
  ) {
    super(message);
  }
}

export class JwksCache {
  private keys: JWK[] = [];
  private readonly imported = new Map<JWK, Map<string, Promise<CryptoKey | Uint8Array>>>();
  /** When the last fetch started (attempted, whatever its outcome); 0 = never. */
  private lastAttempt = 0;
  private loadedAt = 0;
  private inflight: Promise<void> | null = null;
  private lastError: string | null = null;

  constructor(
    readonly uri: string,
    readonly cooldownMs: number,
    private readonly logger: Logger,
  ) {}

  /** Starts the first fetch early so the first request does not wait for it. */
  prefetch(): void {
    void this.refresh();
  }

  async keyFor(header: { alg: string; kid?: unknown }): Promise<CryptoKey | Uint8Array> {
    let candidates = this.select(header);
    if (candidates.length === 0) {
      await this.refresh();
      candidates = this.select(header);
    } else if (Date.now() - this.loadedAt > MAX_AGE_MS) {
      void this.refresh();
    }
    const [key, ...others] = candidates;
    if (key === undefined) {
      const why = this.lastError ? `JWKS ${this.uri} unavailable: ${this.lastError}` : `no key in JWKS ${this.uri} for kid ${String(header.kid)} and alg ${header.alg}`;
      throw new KeyNotFound('No matching key for the token', why);
    }
    if (others.length > 0) throw new KeyNotFound('Ambiguous key: the token needs a kid', `several keys in JWKS ${this.uri} fit alg ${header.alg}`);
    return this.imports(key, header.alg);
  }

  private select(header: { alg: string; kid?: unknown }): JWK[] {
    const type = KEY_TYPES[header.alg];
    if (type === undefined) return [];
    return this.keys.filter(
      (jwk) =>
        jwk.kty === type.kty &&
        (type.crv === undefined || jwk.crv === type.crv) &&
        (jwk.use === undefined || jwk.use === 'sig') &&
        (jwk.alg === undefined || jwk.alg === header.alg) &&
        (header.kid === undefined || jwk.kid === header.kid),
    );
  }

  private imports(jwk: JWK, alg: string): Promise<CryptoKey | Uint8Array> {
    let byAlg = this.imported.get(jwk);
    if (!byAlg) this.imported.set(jwk, (byAlg = new Map()));
    let key = byAlg.get(alg);
    if (!key) {
      key = importJWK(jwk, alg);
      byAlg.set(alg, key);
    }
    return key;
  }

  /** Fetches the set unless a fetch is running (then waits for it) or the cooldown has not passed. */
  private refresh(): Promise<void> {
    if (this.inflight) return this.inflight;
    const now = Date.now();
    if (this.lastAttempt !== 0 && now - this.lastAttempt < this.cooldownMs) return Promise.resolve();
    this.lastAttempt = now;
    this.inflight = this.fetch()
      .then((keys) => {
        this.keys = keys;
        this.imported.clear();
        this.loadedAt = Date.now();
        this.lastError = null;
      })
      .catch((error: unknown) => {
        this.lastError = error instanceof Error ? error.message : String(error);
        this.logger.warn({ jwks_uri: this.uri, cause: this.lastError }, 'JWKS fetch failed');
      })
      .finally(() => {
        this.inflight = null;
      });
    return this.inflight;
  }

  private async fetch(): Promise<JWK[]> {
    const { status, body } = await getBody(this.uri, { timeoutMs: FETCH_TIMEOUT_MS, maxBytes: MAX_JWKS_BYTES });
    if (status !== 200) throw new Error(`HTTP ${status}`);
    const parsed = JSON.parse(body.toString('utf8')) as { keys?: unknown };
    if (!Array.isArray(parsed.keys)) throw new Error('not a JWKS: no "keys" array');
    // Private parts are never kept, in case an issuer publishes them by mistake.
    return parsed.keys.filter((key): key is JWK => typeof key === 'object' && key !== null && typeof (key as JWK).kty === 'string' && (key as JWK).d === undefined);
  }
}
