import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { testRegistry } from '../../test/fixtures/test-plugins.js';
import { runValidate } from './validate.js';

async function run(text: string): Promise<{ code: number; stdout: string; stderr: string; path: string }> {
  const path = join(await mkdtemp(join(tmpdir(), 'gatehouse-validate-')), 'kong.yml');
  await writeFile(path, text);
  let stdout = '';
  let stderr = '';
  const code = await runValidate(path, testRegistry, { stdout: { write: (t: string) => (stdout += t) }, stderr: { write: (t: string) => (stderr += t) } });
  return { code, stdout, stderr, path };
}

describe('gatehouse validate', () => {
  it('prints a summary and exits 0 for a valid file', async () => {
    const { code, stdout, stderr, path } = await run(
      '_format_version: "3.0"\nservices: [{ name: s, url: "http://u", routes: [{ paths: [/] }] }]\nupstreams: [{ name: u, targets: [{ target: a }] }]\n',
    );
    assert.equal(code, 0);
    assert.equal(stdout, `OK: ${path} (1 service, 1 route, 1 upstream, 1 target, 0 consumers, 0 plugins)\n`);
    assert.equal(stderr, '');
  });

  it('prints every issue on its own line and exits 1', async () => {
    const { code, stdout, stderr } = await run('_format_version: "3.0"\nroutes: [{ paths: [x] }, { service: nope, paths: [/] }]\nplugins: [{ name: foo }]\n');
    assert.equal(code, 1);
    assert.equal(stdout, '');
    assert.equal(stderr, 'routes[0].paths[0]: should start with: / (fixed path) or ~/ (regex path)\nplugins[0].name: unknown plugin "foo"\n');
  });

  it('names the file when the problem is the whole document', async () => {
    const { code, stderr, path } = await run('[1, 2]\n');
    assert.equal(code, 1);
    assert.equal(stderr, `${path}: Invalid input: expected object, received array\n`);
  });
});
