/**
 * Normalization of the TLS entities: certificates get ids and give up their nested SNIs to the flat
 * `snis` list, PEM pairs are checked (files read for `cert_path`/`key_path`), SNI names and CA
 * digests are unique as in Kong, and services' `client_certificate`/`ca_certificates` must name
 * entities that exist.
 */
import { createHash } from 'node:crypto';
import { certificatePem, checkCaCertificate, checkCertificatePem, MaterialError } from '../tls/pem-material.js';
import { deterministicId } from './ids.js';
import type { DeclarativeConfig } from './schema.js';
import type { CaCertificateEntity, CertificateEntity, ConfigIssue, ServiceEntity, SniEntity } from './types.js';

type CertificateInput = DeclarativeConfig['certificates'][number];

export interface NormalizedTls {
  certificates: CertificateEntity[];
  snis: SniEntity[];
  ca_certificates: CaCertificateEntity[];
}

const digest = (text: string) => createHash('sha256').update(text).digest('hex');

/** What identifies a certificate without an id: its certificate text, or the file it is read from. */
function naturalKey(certificate: CertificateInput): string {
  return certificate.cert !== undefined ? `pem:${digest(certificate.cert)}` : `path:${certificate.cert_path ?? ''}`;
}

export function normalizeTls(document: DeclarativeConfig, issues: ConfigIssue[]): NormalizedTls {
  const certificates: CertificateEntity[] = [];
  const snis: SniEntity[] = [];
  const firstAt = new Map<string, string>();
  const claim = (key: string, path: string, issuePath: string, what: string) => {
    const first = firstAt.get(key);
    if (first === undefined) firstAt.set(key, path);
    else issues.push({ path: issuePath, message: `duplicate ${what} (first at ${first})` });
  };

  document.certificates.forEach((input, i) => {
    const path = `certificates[${i}]`;
    const { snis: nested, id: givenId, ...fields } = input;
    const id = givenId ?? deterministicId('certificate', naturalKey(input));
    claim(`certificate:${id}`, path, givenId === undefined ? path : `${path}.id`, `certificate id "${id}"`);
    try {
      checkCertificatePem(certificatePem(fields));
    } catch (error) {
      if (!(error instanceof MaterialError)) throw error;
      issues.push({ path: `${path}.${error.problem.field}`, message: error.problem.message });
    }
    certificates.push({ id, ...fields });
    nested.forEach((sni, j) => {
      snis.push({ id: sni.id ?? deterministicId('sni', sni.name), name: sni.name, certificate: { id }, ...(sni.tags ? { tags: sni.tags } : {}) });
      claim(`sni:${sni.name}`, `${path}.snis[${j}]`, `${path}.snis[${j}]`, `sni name "${sni.name}"`);
    });
  });

  const certificateIds = new Set(certificates.map((certificate) => certificate.id));
  document.snis.forEach((input, i) => {
    const path = `snis[${i}]`;
    claim(`sni:${input.name}`, path, `${path}.name`, `sni name "${input.name}"`);
    const reference = input.certificate;
    if (reference === undefined) {
      issues.push({ path: `${path}.certificate`, message: 'required field missing' });
      return;
    }
    if (!certificateIds.has(reference.value)) {
      issues.push({ path: `${path}.certificate`, message: `no certificate with id "${reference.value}"` });
      return;
    }
    snis.push({ ...input, id: input.id ?? deterministicId('sni', input.name), certificate: { id: reference.value } });
  });

  const ca_certificates = document.ca_certificates.map((input, i): CaCertificateEntity => {
    const path = `ca_certificates[${i}]`;
    let computed = '';
    try {
      computed = checkCaCertificate(input.cert);
    } catch (error) {
      if (!(error instanceof MaterialError)) throw error;
      issues.push({ path: `${path}.${error.problem.field}`, message: error.problem.message });
    }
    if (input.cert_digest !== undefined && computed !== '' && input.cert_digest !== computed) {
      issues.push({ path: `${path}.cert_digest`, message: 'does not match cert' });
    }
    const id = input.id ?? deterministicId('ca_certificate', computed || digest(input.cert));
    claim(`ca:${id}`, path, `${path}.id`, `ca_certificate id "${id}"`);
    if (computed !== '') claim(`ca-digest:${computed}`, path, `${path}.cert`, 'CA certificate (same cert_digest)');
    return { id, cert: input.cert, cert_digest: computed || (input.cert_digest ?? ''), ...(input.tags ? { tags: input.tags } : {}) };
  });

  return { certificates, snis, ca_certificates };
}

/** A service's references to TLS entities must resolve, as Kong's foreign keys do. */
export function checkServiceTlsReferences(service: ServiceEntity, path: string, tls: NormalizedTls, issues: ConfigIssue[]): void {
  if (service.client_certificate && !tls.certificates.some((certificate) => certificate.id === service.client_certificate!.id)) {
    issues.push({ path: `${path}.client_certificate`, message: `no certificate with id "${service.client_certificate.id}"` });
  }
  service.ca_certificates?.forEach((id, j) => {
    if (!tls.ca_certificates.some((ca) => ca.id === id)) issues.push({ path: `${path}.ca_certificates[${j}]`, message: `no ca_certificate with id "${id}"` });
  });
}
