/** Unit: the certificate chosen per server name follows Kong's order, and unchanged certificates keep their context across versions. */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { configOf, doc } from '../../test/helpers/config-assertions.js';
import { TestPki, type Issued } from '../../support/pki.js';
import { CertificateTable } from './certificate-table.js';

describe('certificate table', () => {
  const leaves: Record<string, Issued> = {};
  let table: CertificateTable;

  before(() => {
    const pki = new TestPki();
    for (const name of ['exact', 'left', 'right', 'star']) leaves[name] = pki.leaf({ dns: [`${name}.test`] });
    const certificate = (name: string, snis: string[]) => ({ cert: leaves[name]!.cert, key: leaves[name]!.key, snis });
    table = CertificateTable.build(
      configOf(doc({ certificates: [certificate('exact', ['api.example.com']), certificate('left', ['*.example.com']), certificate('right', ['api.example.*']), certificate('star', ['*'])] })),
      null,
    );
  });

  const servedFor = (name: string) => {
    const served = table.find(name);
    return Object.entries(leaves).find(([, leaf]) => leaf.cert === served?.pem.cert)?.[0];
  };

  it('tries the exact name, then *.rest, then head.*, then *', () => {
    assert.equal(servedFor('api.example.com'), 'exact');
    assert.equal(servedFor('API.EXAMPLE.COM'), 'exact');
    assert.equal(servedFor('www.example.com'), 'left');
    assert.equal(servedFor('api.example.org'), 'right');
    assert.equal(servedFor('example.com'), 'star');
    assert.equal(servedFor('a.b.example.com'), 'star');
    assert.equal(table.catchAll?.pem.cert, leaves.star!.cert);
  });

  it('finds nothing in an empty table, and reuses the contexts of certificates a new version keeps', () => {
    assert.equal(CertificateTable.EMPTY.find('api.example.com'), null);
    const next = CertificateTable.build(configOf(doc({ certificates: [{ cert: leaves.exact!.cert, key: leaves.exact!.key, snis: ['other.example.com'] }] })), table);
    assert.equal(next.find('other.example.com')?.context, table.find('api.example.com')?.context);
  });
});
