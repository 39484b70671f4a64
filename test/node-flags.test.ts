/** Unit: every way the gateway is started runs node with the bin's shebang flags (README, "Node flags"). */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';

const read = (file: string) => readFileSync(new URL(`../${file}`, import.meta.url), 'utf8');
const shebang = read('src/main.ts').split('\n', 1)[0]!;
const flags = /^#!\/usr\/bin\/env -S node (?<flags>.+)$/.exec(shebang)?.groups?.flags;

describe('node flags', () => {
  it('the bin names its node flags in its shebang', () => {
    assert.equal(flags, '--max-semi-space-size=8', shebang);
  });

  it('npm start runs node with them', () => {
    const scripts = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts;
    assert.equal(scripts.start, `node ${flags} dist/bundle/main.js start --demo`);
  });

  it("the image's entrypoint runs node with them", () => {
    const entrypoint = /^ENTRYPOINT (.+)$/m.exec(read('Dockerfile'))?.[1];
    assert.deepEqual(JSON.parse(entrypoint!), ['node', ...flags!.split(' '), '/app/dist/bundle/main.js']);
  });
});
