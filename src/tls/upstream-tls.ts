/**
 * How a service's upstream connections speak TLS, built once per config version: verification on
 * unless `tls_verify: false`, against Node's root store (and NODE_EXTRA_CA_CERTS) or, when the service
 * names `ca_certificates`, against those CAs only (Kong's trust-store rule); `tls_verify_depth` as
 * OpenSSL counts it (intermediates between the upstream's certificate and the trust anchor); the
 * `client_certificate` presented for mutual TLS. SNI and the name verified are the Host sent upstream,
 * which undici takes from the request (Kong's `proxy_ssl_name $upstream_host`).
 */
import { createHash } from 'node:crypto';
import { checkServerIdentity, type ConnectionOptions, type PeerCertificate } from 'node:tls';
import type { GatewayConfig, ServiceEntity } from '../config/types.js';
import { certificatePem } from './pem-material.js';

export interface UpstreamTls {
  /** Identifies these options among pools: equal keys, interchangeable connections. */
  key: string;
  connect: ConnectionOptions;
}

/** OpenSSL's code for a chain deeper than allowed, so the log cause reads as OpenSSL's would. */
export const CHAIN_TOO_LONG = 'CERT_CHAIN_TOO_LONG';

/** Intermediate certificates in a verified chain: every issuer but the trust anchor. */
function intermediates(leaf: PeerCertificate & { issuerCertificate?: PeerCertificate }): number {
  let count = 0;
  let current = leaf as PeerCertificate & { issuerCertificate?: PeerCertificate };
  while (current.issuerCertificate && current.issuerCertificate.fingerprint256 !== current.fingerprint256) {
    count++;
    current = current.issuerCertificate as typeof current;
  }
  return Math.max(0, count - 1);
}

function depthChecker(depth: number): NonNullable<ConnectionOptions['checkServerIdentity']> {
  return (host, certificate) => {
    const mismatch = checkServerIdentity(host, certificate);
    if (mismatch) return mismatch;
    const found = intermediates(certificate);
    if (found <= depth) return undefined;
    return Object.assign(new Error(`certificate chain too long: ${found} intermediate certificates, tls_verify_depth is ${depth}`), { code: CHAIN_TOO_LONG });
  };
}

/** The TLS options of a service's upstream connections; null for a service without TLS. */
export function upstreamTls(service: ServiceEntity, config: GatewayConfig): UpstreamTls | null {
  if (service.protocol !== 'https' && service.protocol !== 'grpcs') return null;
  const verify = service.tls_verify ?? true;
  const connect: ConnectionOptions = { rejectUnauthorized: verify };
  const key: string[] = [`verify=${verify}`];
  if (verify && service.ca_certificates !== undefined) {
    const trusted = new Map(config.ca_certificates.map((ca) => [ca.id, ca]));
    connect.ca = service.ca_certificates.map((id) => trusted.get(id)!.cert);
    key.push(`ca=${service.ca_certificates.map((id) => trusted.get(id)!.cert_digest).join(',')}`);
  }
  if (verify && service.tls_verify_depth !== undefined) {
    connect.checkServerIdentity = depthChecker(service.tls_verify_depth);
    key.push(`depth=${service.tls_verify_depth}`);
  }
  if (service.client_certificate) {
    const entity = config.certificates.find((certificate) => certificate.id === service.client_certificate!.id)!;
    const pem = certificatePem(entity);
    connect.cert = pem.cert;
    connect.key = pem.key;
    key.push(`client=${createHash('sha256').update(pem.cert).update(pem.key).digest('hex')}`);
  }
  return { key: key.join('|'), connect };
}
