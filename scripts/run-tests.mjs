// Runs every *.test.ts file (unit tests beside the code, black-box suites in test/ and plugins/<name>/test/) with node's test runner.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const roots = ['src', 'plugins', 'test'];
const files = [];
function walk(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path);
    else if (name.endsWith('.test.ts')) files.push(path);
  }
}
for (const root of roots) walk(root);
const selected = process.argv.length > 2 ? files.filter((f) => process.argv.slice(2).some((p) => f.includes(p))) : files;
if (selected.length === 0) {
  console.error('no test files matched');
  process.exit(1);
}
// The container suites build the image and the stand-in base images it and the compose file need.
// Cold that takes minutes, more than one suite may take, so it is done here first (and cached);
// the suites then find it built. A failure here is reported again by those suites, as failed tests.
if (selected.some((file) => /(container-image|compose)\.e2e\.test\.ts$/.test(file))) {
  spawnSync('bash', ['scripts/containers.sh', 'prepare'], { stdio: 'inherit' });
}
const result = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=2', '--test-timeout=120000', ...selected.sort()], {
  stdio: 'inherit',
});
process.exit(result.status ?? 1);
