/**
 * Private keys go into the config and never come out of the admin API: every document it serves
 * (`GET /config`, stored versions, and so `gatehouse export`) leaves certificates' `key`/`key_alt`
 * out, and a document written back without them keeps the keys stored for the same certificate ids —
 * so export, edit, `apply` works without the keys ever leaving the gateway.
 */
import type { GatewayConfig } from '../config/types.js';
import type { Json } from './document.js';

const KEY_FIELDS = [
  ['key', 'cert'],
  ['key_alt', 'cert_alt'],
] as const;

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The document with every certificate's private keys removed. */
export function withoutPrivateKeys(document: Json): Json {
  if (!Array.isArray(document.certificates)) return document;
  return {
    ...document,
    certificates: document.certificates.map((certificate: unknown) => {
      if (!isObject(certificate)) return certificate;
      const { key: _key, key_alt: _keyAlt, ...shown } = certificate;
      return shown;
    }),
  };
}

/**
 * A written document where each certificate that has the id of a served one, and neither a key nor a
 * key file, takes the served key (and the alternate key when it keeps an alternate certificate).
 * Whether that key still matches the certificate is then checked like any other.
 */
export function withStoredPrivateKeys(document: unknown, served: GatewayConfig): unknown {
  if (!isObject(document) || !Array.isArray(document.certificates) || served.certificates.length === 0) return document;
  const stored = new Map(served.certificates.map((certificate) => [certificate.id, certificate]));
  return {
    ...document,
    certificates: document.certificates.map((certificate: unknown) => {
      if (!isObject(certificate) || typeof certificate.id !== 'string' || certificate.key_path !== undefined) return certificate;
      const before = stored.get(certificate.id);
      if (!before) return certificate;
      const completed: Json = { ...certificate };
      for (const [keyField, certField] of KEY_FIELDS) {
        if (completed[keyField] === undefined && completed[certField] !== undefined && before[keyField] !== undefined) completed[keyField] = before[keyField];
      }
      return completed;
    }),
  };
}
