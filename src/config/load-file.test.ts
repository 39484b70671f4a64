import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { testRegistry } from '../../test/fixtures/test-plugins.js';
import { at } from '../../test/helpers/at.js';
import { loadConfigFile } from './load-file.js';

async function file(name: string, text: string): Promise<string> {
  const path = join(await mkdtemp(join(tmpdir(), 'gatehouse-config-')), name);
  await writeFile(path, text);
  return path;
}

describe('loadConfigFile', () => {
  it('loads YAML and JSON files', async () => {
    const yaml = await loadConfigFile(await file('kong.yml', '_format_version: "3.0"\nservices: [{ name: s, host: h }]\n'), testRegistry);
    const json = await loadConfigFile(await file('kong.json', JSON.stringify({ _format_version: '3.0', services: [{ name: 's', host: 'h' }] })), testRegistry);
    assert.ok(yaml.ok && json.ok);
    assert.deepEqual(yaml.config, json.config);
  });

  it('reports YAML syntax errors with line and column, under the file name', async () => {
    const path = await file('bad.yaml', '_format_version: "3.0"\nservices:\n  - name: [unclosed\n');
    const result = await loadConfigFile(path, testRegistry);
    assert.ok(!result.ok);
    assert.equal(result.issues.length, 1);
    const issue = at(result.issues, 0);
    assert.equal(issue.path, path);
    assert.match(issue.message, /^invalid YAML at line \d+, column \d+: /);
  });

  it('reports JSON syntax errors and unreadable files', async () => {
    const badJson = await file('bad.json', '{"_format_version": ');
    const json = await loadConfigFile(badJson, testRegistry);
    assert.ok(!json.ok);
    const issue = at(json.issues, 0);
    assert.match(`${issue.path}: ${issue.message}`, /bad\.json: invalid JSON: /);
    const missing = await loadConfigFile('/nonexistent/kong.yml', testRegistry);
    assert.ok(!missing.ok);
    assert.match(at(missing.issues, 0).message, /^cannot read file: ENOENT/);
  });

  it('reports an empty file as a document that is not an object', async () => {
    const result = await loadConfigFile(await file('empty.yml', ''), testRegistry);
    assert.ok(!result.ok);
    assert.deepEqual(result.issues, [{ path: '', message: 'Invalid input: expected object, received null' }]);
  });
});
