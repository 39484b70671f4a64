/**
 * Which certificate the HTTPS listener serves for a TLS server name, as Kong chooses it: an exact SNI,
 * then `*.example.com` (the first label replaced), then `example.*` (the last one replaced), then the
 * `*` SNI; the caller falls back to GATEHOUSE_TLS_CERT. Built once per config version, so a handshake
 * does at most four map lookups; secure contexts of certificates that did not change are carried
 * over from the previous version rather than made again.
 */
import { createHash } from 'node:crypto';
import { createSecureContext, type SecureContext } from 'node:tls';
import { DEFAULT_SNI } from '../config/tls-schema.js';
import type { GatewayConfig } from '../config/types.js';
import { certificatePem, type CertificatePem } from './pem-material.js';
import { TLS_POLICY } from './tls-policy.js';

/** A certificate ready to serve: its PEM (for the listener's default context) and its context. */
export interface ServedCertificate {
  readonly pem: CertificatePem;
  readonly context: SecureContext;
  /** Identifies the PEM, so a version that keeps a certificate keeps its context. */
  readonly fingerprint: string;
}

/** A secure context for a PEM pair (and its alternate of another key type) under the listener's policy. */
export function servedCertificate(pem: CertificatePem, previous?: ReadonlyMap<string, ServedCertificate>): ServedCertificate {
  const fingerprint = createHash('sha256').update(pem.cert).update('\0').update(pem.key).update('\0').update(pem.cert_alt ?? '').update('\0').update(pem.key_alt ?? '').digest('hex');
  const kept = previous?.get(fingerprint);
  if (kept) return kept;
  // Node installs only the context's last-set certificate on a connection whose SNI picked it; `cert`
  // goes last so that is the primary one. The listener's no-SNI default context serves both.
  const pairs = pem.cert_alt !== undefined && pem.key_alt !== undefined ? { cert: [pem.cert_alt, pem.cert], key: [pem.key_alt, pem.key] } : { cert: pem.cert, key: pem.key };
  return { pem, context: createSecureContext({ ...TLS_POLICY, ...pairs }), fingerprint };
}

/** `a.b.example.com` → `*.b.example.com`, only with at least three labels (Kong's rule). */
function leftWildcard(name: string): string | null {
  const dot = name.indexOf('.');
  return dot > 0 && name.indexOf('.', dot + 1) > dot + 1 ? `*${name.slice(dot)}` : null;
}

/** `example.com` → `example.*`. */
function rightWildcard(name: string): string | null {
  const dot = name.lastIndexOf('.');
  return dot > 0 && dot < name.length - 1 ? `${name.slice(0, dot + 1)}*` : null;
}

export class CertificateTable {
  static readonly EMPTY = new CertificateTable(new Map(), new Map(), 0);

  private constructor(
    /** SNI name (exact, wildcard or `*`) → certificate. */
    private readonly byName: ReadonlyMap<string, ServedCertificate>,
    /** Every certificate of the version by fingerprint, for the next version to reuse. */
    readonly byFingerprint: ReadonlyMap<string, ServedCertificate>,
    /** How many certificate entities the config has. */
    readonly size: number,
  ) {}

  /** Throws (a MaterialError, or OpenSSL's) when a certificate cannot be loaded: the version is then refused. */
  static build(config: GatewayConfig, previous: CertificateTable | null): CertificateTable {
    if (config.certificates.length === 0) return CertificateTable.EMPTY;
    const byId = new Map<string, ServedCertificate>();
    const byFingerprint = new Map<string, ServedCertificate>();
    for (const certificate of config.certificates) {
      const served = servedCertificate(certificatePem(certificate), previous?.byFingerprint);
      byId.set(certificate.id, served);
      byFingerprint.set(served.fingerprint, served);
    }
    const byName = new Map<string, ServedCertificate>();
    for (const sni of config.snis) {
      const served = byId.get(sni.certificate.id);
      if (served) byName.set(sni.name, served);
    }
    return new CertificateTable(byName, byFingerprint, config.certificates.length);
  }

  /** The certificate for a client's server name, or null when only the listener's default can serve it. */
  find(servername: string): ServedCertificate | null {
    const name = servername.toLowerCase();
    const byName = this.byName;
    if (byName.size === 0) return null;
    const exact = byName.get(name);
    if (exact) return exact;
    const left = leftWildcard(name);
    const right = rightWildcard(name);
    return (left === null ? undefined : byName.get(left)) ?? (right === null ? undefined : byName.get(right)) ?? byName.get(DEFAULT_SNI) ?? null;
  }

  /** The `*` SNI's certificate: served to clients that send no server name. */
  get catchAll(): ServedCertificate | null {
    return this.byName.get(DEFAULT_SNI) ?? null;
  }
}
