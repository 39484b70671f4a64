/**
 * Unit: the plugin kit is the only door from plugins/ into src/ (as Kong's PDK is into Kong's core).
 * Every file under plugins/, tests included, may import src/ only as src/plugin-kit/index.js (or, as a
 * user's plugin does, gatehouse/plugin-kit); anything else fails here, naming the file and the import.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SOURCE = /\.(ts|mts|cts|js|mjs|cjs)$/;
const PACKAGE_KIT = 'gatehouse/plugin-kit';

async function sourceFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const nested = await Promise.all(
    entries.map((entry) => (entry.isDirectory() ? sourceFiles(join(dir, entry.name)) : Promise.resolve(SOURCE.test(entry.name) ? [join(dir, entry.name)] : []))),
  );
  return nested.flat();
}

/** Every `file: imports 'specifier'` under `root`/plugins that reaches `root`/src other than through the kit. */
async function doorViolations(root: string): Promise<string[]> {
  const src = join(root, 'src') + sep;
  const kit = join(root, 'src', 'plugin-kit', 'index.js');
  const violations: string[] = [];
  for (const file of await sourceFiles(join(root, 'plugins'))) {
    // TypeScript's own scanner: static and type-only imports, re-exports, import() and require().
    const { importedFiles } = ts.preProcessFile(await readFile(file, 'utf8'), true, true);
    for (const { fileName: specifier } of importedFiles) {
      const local = specifier.startsWith('.') || isAbsolute(specifier);
      const target = local ? resolve(dirname(file), specifier) : null;
      const aroundTheKit = target !== null ? target.startsWith(src) && target !== kit : specifier.startsWith('gatehouse/') && specifier !== PACKAGE_KIT;
      if (aroundTheKit) violations.push(`${relative(root, file)}: imports '${specifier}'`);
    }
  }
  return violations.sort();
}

describe('the plugin kit is the only door into src/', () => {
  it('holds for every file under plugins/', async () => {
    const violations = await doorViolations(ROOT);
    assert.deepEqual(violations, [], `import these through src/plugin-kit/index.js instead:\n${violations.join('\n')}`);
  });

  it('names each file and import that goes around it', async () => {
    const root = await mkdtemp(join(tmpdir(), 'gatehouse-door-'));
    await mkdir(join(root, 'plugins', 'sample', 'test'), { recursive: true });
    await writeFile(
      join(root, 'plugins', 'sample', 'index.ts'),
      [
        "import { definePlugin } from '../../src/plugin-kit/index.js';",
        "import type { RouteEntity } from '../../src/config/types.js';",
        "export { Errors } from '../../src/errors.js';",
        "import { z } from 'zod';",
        "import { helper } from './helper.js';",
        "const lazy = () => import('../../src/config/validate.js');",
        "// import { hidden } from '../../src/in-a-comment.js';",
      ].join('\n'),
    );
    await writeFile(join(root, 'plugins', 'sample', 'test', 'sample.e2e.test.ts'), "import { Errors } from 'gatehouse/plugin-kit';\nimport { x } from 'gatehouse/dist/src/errors.js';\n");
    assert.deepEqual(await doorViolations(root), [
      "plugins/sample/index.ts: imports '../../src/config/types.js'",
      "plugins/sample/index.ts: imports '../../src/config/validate.js'",
      "plugins/sample/index.ts: imports '../../src/errors.js'",
      "plugins/sample/test/sample.e2e.test.ts: imports 'gatehouse/dist/src/errors.js'",
    ]);
  });
});
