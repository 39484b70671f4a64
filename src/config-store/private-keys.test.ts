/** Unit: private keys are left out of served documents and restored, by certificate id, into written ones. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { GatewayConfig } from '../config/types.js';
import { withoutPrivateKeys, withStoredPrivateKeys } from './private-keys.js';

const ID = '0b9d2f1c-1d2e-4c3b-8a4f-5e6d7c8b9a01';
const served = { certificates: [{ id: ID, cert: 'C', key: 'K', cert_alt: 'CA', key_alt: 'KA' }] } as unknown as GatewayConfig;

describe('private keys', () => {
  it('removes key and key_alt from every certificate of a document', () => {
    assert.deepEqual(withoutPrivateKeys({ certificates: [{ id: ID, cert: 'C', key: 'K', cert_alt: 'CA', key_alt: 'KA' }], services: [] }), {
      certificates: [{ id: ID, cert: 'C', cert_alt: 'CA' }],
      services: [],
    });
  });

  it('fills a missing key from the served certificate with the same id, never over a given key or key file', () => {
    const restored = withStoredPrivateKeys({ certificates: [{ id: ID, cert: 'C', cert_alt: 'CA' }] }, served) as { certificates: unknown[] };
    assert.deepEqual(restored.certificates, [{ id: ID, cert: 'C', cert_alt: 'CA', key: 'K', key_alt: 'KA' }]);
    const given = withStoredPrivateKeys({ certificates: [{ id: ID, cert: 'C', key: 'NEW' }] }, served) as { certificates: unknown[] };
    assert.deepEqual(given.certificates, [{ id: ID, cert: 'C', key: 'NEW' }]);
    const fromFile = withStoredPrivateKeys({ certificates: [{ id: ID, cert: 'C', key_path: '/k.pem' }] }, served) as { certificates: unknown[] };
    assert.deepEqual(fromFile.certificates, [{ id: ID, cert: 'C', key_path: '/k.pem' }]);
    const unknown = withStoredPrivateKeys({ certificates: [{ id: 'other', cert: 'C' }] }, served) as { certificates: unknown[] };
    assert.deepEqual(unknown.certificates, [{ id: 'other', cert: 'C' }]);
  });
});
