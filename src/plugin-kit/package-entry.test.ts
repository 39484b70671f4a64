/**
 * Unit: a user's plugin and the gateway import one kit. Installed, `gatehouse/plugin-kit` resolves
 * through package.json's exports to what the build emits for this module (types from tsc, JavaScript
 * from the bundle the gatehouse bin is part of); in this repository, tsconfig's paths map the same
 * name to the source, for the typechecker and tsx.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const KIT_SOURCE = join(ROOT, 'src', 'plugin-kit', 'index.ts');
const SPECIFIER = 'gatehouse/plugin-kit';

const packageJson = async () =>
  JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { bin: Record<string, string>; exports: Record<string, { types: string; default: string }> };

/** The options and files of a tsconfig, `extends` applied. */
function tsconfig(name: string): ts.ParsedCommandLine {
  const parsed = ts.getParsedCommandLineOfConfigFile(join(ROOT, name), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: (diagnostic) => assert.fail(String(diagnostic.messageText)) });
  assert.ok(parsed, `cannot read ${name}`);
  return parsed;
}

const packagePath = (file: string) => `./${relative(ROOT, file).split('\\').join('/')}`;

describe('the plugin kit as a package entry', () => {
  it("points package.json's ./plugin-kit export at the build's output for the kit, types included", async () => {
    const build = tsconfig('tsconfig.build.json');
    assert.ok(build.fileNames.includes(KIT_SOURCE), 'the product build compiles src/plugin-kit/index.ts');
    const outputs = ts.getOutputFileNames(build, KIT_SOURCE, false);
    const javascript = outputs.find((file) => file.endsWith('.js'));
    const types = outputs.find((file) => file.endsWith('.d.ts'));
    assert.ok(javascript && types, `the build emits JavaScript and declarations for the kit (${outputs.join(', ')})`);
    const { exports, bin } = await packageJson();
    // What runs is scripts/bundle.mjs's bundle of tsc's output (dist/src → dist/bundle): the kit's
    // entry there shares its chunks with the gatehouse bin, so a user's plugin meets the gateway's own modules.
    const bundled = (file: string) => packagePath(file).replace('./dist/src/', './dist/bundle/');
    assert.deepEqual(exports['./plugin-kit'], { types: packagePath(types), default: bundled(javascript) });
    assert.equal(`./${bin.gatehouse}`, bundled(join(ROOT, 'dist', 'src', 'main.js')), 'the gatehouse bin is the same bundle');
  });

  it(`maps ${SPECIFIER} to the kit's source in this repository`, () => {
    const paths = tsconfig('tsconfig.json').options.paths?.[SPECIFIER];
    assert.deepEqual(paths, ['./src/plugin-kit/index.ts']);
  });
});
