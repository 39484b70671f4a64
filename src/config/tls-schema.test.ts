/** Unit: SNI names, certificate and CA certificate entities are checked as Kong checks them, and their issues never quote a PEM. */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { configOf, doc, issuesOf } from '../../test/helpers/config-assertions.js';
import { TestPki, type Issued } from '../../support/pki.js';

describe('TLS entities', () => {
  let pki: TestPki;
  let leaf: Issued;
  let other: Issued;

  before(() => {
    pki = new TestPki();
    leaf = pki.leaf({ dns: ['a.test'] });
    other = pki.leaf({ dns: ['b.test'] });
  });

  it('accepts hostnames, one leftmost or rightmost wildcard, and *; lower-cases them', () => {
    const config = configOf(doc({ certificates: [{ cert: leaf.cert, key: leaf.key, snis: ['API.Example.com', '*.example.com', 'example.*', '*'] }] }));
    assert.deepEqual(config.snis.map((sni) => sni.name), ['api.example.com', '*.example.com', 'example.*', '*']);
    assert.deepEqual(
      issuesOf(doc({ certificates: [{ cert: leaf.cert, key: leaf.key, snis: ['10.0.0.1', 'a.*.com', '*.*.com', 'a.com:443', 'bad_host!'] }] })),
      [
        'certificates[0].snis[0].name: must not be an IP',
        'certificates[0].snis[1].name: wildcard must be leftmost or rightmost character',
        'certificates[0].snis[2].name: only one wildcard must be specified',
        'certificates[0].snis[3].name: must not have a port',
        'certificates[0].snis[4].name: invalid value: must be a hostname',
      ],
    );
  });

  it('checks the pair and names the field, never the PEM', () => {
    // Distinct certificates: two entities with the same cert and no ids would be one id twice.
    const [third, fourth] = [pki.leaf({ dns: ['c.test'] }), pki.leaf({ dns: ['d.test'] })];
    const issues = issuesOf(doc({ certificates: [{ cert: leaf.cert, key: other.key }, { cert: 'not a pem', key: leaf.key }, { cert: third.cert, key: 'nope' }, { cert: fourth.cert }] }));
    assert.deepEqual(issues, [
      'certificates[0].key: does not match cert',
      'certificates[1].cert: invalid certificate: not a PEM X.509 certificate',
      'certificates[2].key: invalid key: not an unencrypted PEM private key',
      'certificates[3].key: required field missing (or set key_path)',
    ]);
    assert.doesNotMatch(issues.join('\n'), /BEGIN/);
  });

  it('needs SNI names unique, SNI certificates and service references to exist, and CA certificates to be CAs', () => {
    const cert = { id: '0b9d2f1c-1d2e-4c3b-8a4f-5e6d7c8b9a01', cert: leaf.cert, key: leaf.key, snis: ['a.test'] };
    assert.deepEqual(
      issuesOf(
        doc({
          certificates: [cert],
          snis: [{ name: 'a.test', certificate: cert.id }, { name: 'c.test', certificate: '0b9d2f1c-1d2e-4c3b-8a4f-5e6d7c8b9a09' }],
          ca_certificates: [{ cert: leaf.cert }],
          services: [{ name: 's', url: 'https://s.test', client_certificate: '0b9d2f1c-1d2e-4c3b-8a4f-5e6d7c8b9a09', ca_certificates: ['0b9d2f1c-1d2e-4c3b-8a4f-5e6d7c8b9a08'] }],
        }),
      ),
      [
        'services[0].client_certificate: no certificate with id "0b9d2f1c-1d2e-4c3b-8a4f-5e6d7c8b9a09"',
        'services[0].ca_certificates[0]: no ca_certificate with id "0b9d2f1c-1d2e-4c3b-8a4f-5e6d7c8b9a08"',
        'snis[0].name: duplicate sni name "a.test" (first at certificates[0].snis[0])',
        'snis[1].certificate: no certificate with id "0b9d2f1c-1d2e-4c3b-8a4f-5e6d7c8b9a09"',
        'ca_certificates[0].cert: certificate does not appear to be a CA because it is missing the "CA" basic constraint',
      ],
    );
    assert.deepEqual(issuesOf(doc({ services: [{ name: 'p', url: 'http://p.test', tls_verify: true, tls_verify_depth: 1 }] })), [
      'services[0].tls_verify: only for a TLS protocol (https), not http',
      'services[0].tls_verify_depth: only for a TLS protocol (https), not http',
    ]);
    const ca = configOf(doc({ ca_certificates: [{ cert: pki.root.cert }] })).ca_certificates[0];
    assert.match(ca?.cert_digest ?? '', /^[0-9a-f]{64}$/);
  });
});
