/**
 * Consumer mode's verification keys: each consumer jwt_secret turned into a key once per plugin
 * instance — the HMAC secret's bytes, or the imported PEM public key.
 */
import { importSPKI, type CryptoKey } from 'jose';
import type { JwtSecret } from '../../src/plugin-kit/index.js';

export class ConsumerKeys {
  private readonly keys = new Map<string, Promise<CryptoKey | Uint8Array>>();

  constructor(private readonly secretIsBase64: boolean) {}

  keyFor(secret: JwtSecret): Promise<CryptoKey | Uint8Array> {
    let key = this.keys.get(secret.id);
    if (!key) {
      key = this.load(secret);
      this.keys.set(secret.id, key);
    }
    return key;
  }

  private async load(secret: JwtSecret): Promise<CryptoKey | Uint8Array> {
    if (secret.algorithm.startsWith('HS')) {
      const value = secret.secret ?? '';
      return this.secretIsBase64 ? Buffer.from(value, 'base64') : new TextEncoder().encode(value);
    }
    return importSPKI(secret.rsa_public_key ?? '', secret.algorithm);
  }
}
