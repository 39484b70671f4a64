/**
 * The PEM behind a certificate entity — inline, or read from `cert_path`/`key_path` — and the checks
 * a certificate, its key and a CA certificate must pass before a config version can use them. Every
 * message names the field and the problem, never the PEM: a private key must not reach an error body
 * or a log line.
 */
import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { CertificateEntity } from '../config/types.js';

/** The certificate fields a config holds (the entity, before or after normalization). */
export type CertificateFields = Omit<CertificateEntity, 'id' | 'tags'>;

/** A certificate entity's PEM, files read. */
export interface CertificatePem {
  cert: string;
  key: string;
  cert_alt?: string;
  key_alt?: string;
}

/** A problem with one field of an entity. */
export interface MaterialProblem {
  field: string;
  message: string;
}

export class MaterialError extends Error {
  constructor(readonly problem: MaterialProblem) {
    super(`${problem.field}: ${problem.message}`);
  }
}

function readPemFile(field: string, path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new MaterialError({ field, message: `cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? 'unreadable'}` });
  }
}

/** The entity's PEM, reading `cert_path`/`key_path`; throws MaterialError. */
export function certificatePem(entity: CertificateFields): CertificatePem {
  const cert = entity.cert ?? (entity.cert_path === undefined ? undefined : readPemFile('cert_path', entity.cert_path));
  const key = entity.key ?? (entity.key_path === undefined ? undefined : readPemFile('key_path', entity.key_path));
  if (cert === undefined) throw new MaterialError({ field: 'cert', message: 'required field missing (or set cert_path)' });
  if (key === undefined) throw new MaterialError({ field: 'key', message: 'required field missing (or set key_path)' });
  return { cert, key, ...(entity.cert_alt === undefined ? {} : { cert_alt: entity.cert_alt }), ...(entity.key_alt === undefined ? {} : { key_alt: entity.key_alt }) };
}

function parseCertificate(field: string, pem: string): X509Certificate {
  try {
    return new X509Certificate(pem);
  } catch {
    throw new MaterialError({ field, message: 'invalid certificate: not a PEM X.509 certificate' });
  }
}

function parseKey(field: string, pem: string): KeyObject {
  try {
    return createPrivateKey(pem);
  } catch {
    // OpenSSL's reason may quote the input's first bytes; only the field is named.
    throw new MaterialError({ field, message: 'invalid key: not an unencrypted PEM private key' });
  }
}

function checkPair(certField: string, certPem: string, keyField: string, keyPem: string): KeyObject {
  const certificate = parseCertificate(certField, certPem);
  const key = parseKey(keyField, keyPem);
  if (!certificate.checkPrivateKey(key)) throw new MaterialError({ field: keyField, message: `does not match ${certField}` });
  return key;
}

/** Checks a certificate entity's PEM (Kong's rules: pairs match, an alternate pair of another key type). */
export function checkCertificatePem(pem: CertificatePem): void {
  const key = checkPair('cert', pem.cert, 'key', pem.key);
  if ((pem.cert_alt === undefined) !== (pem.key_alt === undefined)) {
    const missing = pem.cert_alt === undefined ? 'cert_alt' : 'key_alt';
    throw new MaterialError({ field: missing, message: 'required when cert_alt or key_alt is set' });
  }
  if (pem.cert_alt !== undefined && pem.key_alt !== undefined) {
    const alt = checkPair('cert_alt', pem.cert_alt, 'key_alt', pem.key_alt);
    if (alt.asymmetricKeyType === key.asymmetricKeyType) {
      throw new MaterialError({ field: 'cert_alt', message: 'certificate and alternative certificate need to have different type (e.g. RSA and ECDSA)' });
    }
  }
}

/** Checks a CA certificate (Kong: a CA, not expired) and returns its SHA-256 digest, hex. */
export function checkCaCertificate(pem: string): string {
  const certificate = parseCertificate('cert', pem);
  if (!certificate.ca) throw new MaterialError({ field: 'cert', message: 'certificate does not appear to be a CA because it is missing the "CA" basic constraint' });
  if (Date.parse(certificate.validTo) < Date.now()) throw new MaterialError({ field: 'cert', message: 'certificate expired, "Not After" time is in the past' });
  return certificate.fingerprint256.replaceAll(':', '').toLowerCase();
}
