/** Unit: the example plugin shown in plugins/README.md is, character for character, the file the tests run. */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, it } from 'node:test';

const EXAMPLE_BLOCK = /<!-- example:api-version -->\n```js\n([\s\S]*?)```\n<!-- \/example:api-version -->/;

describe('plugins/README.md', () => {
  it('shows examples/plugins/api-version/index.js as it is', async () => {
    const readme = await readFile(new URL('./README.md', import.meta.url), 'utf8');
    const shown = EXAMPLE_BLOCK.exec(readme)?.[1];
    assert.ok(shown !== undefined, 'the README marks its example with <!-- example:api-version --> … <!-- /example:api-version -->');
    assert.equal(shown, await readFile(new URL('../examples/plugins/api-version/index.js', import.meta.url), 'utf8'));
  });
});
