/**
 * Black-box: only the product is published and shipped. A copy of this checkout (without its
 * node_modules, builds or .git, as a fresh clone) is packed by npm itself, whose `prepare` builds it
 * as `npm install` would; the file list may hold no bench, test, support or fixture file, must hold
 * every entry point package.json names, and the packed `gatehouse` bin must run on its own. The
 * image's build stage may copy none of them either.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { isNotProduct } from './helpers/product-paths.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** Top-level entries a fresh clone does not have: installed packages, build output, git metadata, local state. */
const NOT_IN_A_CLONE = new Set(['node_modules', 'dist', 'dist-bench', '.git', '.gatehouse']);

interface PackageJson {
  bin?: string | Record<string, string>;
  main?: string;
  exports?: unknown;
}

/** Every file path the manifest points a user or importer at: bin, main and each exports target. */
function entryPoints(pkg: PackageJson): string[] {
  const targets: string[] = [];
  const collect = (value: unknown): void => {
    if (typeof value === 'string') targets.push(value);
    else if (value && typeof value === 'object') for (const nested of Object.values(value)) collect(nested);
  };
  collect(pkg.bin);
  collect(pkg.main);
  collect(pkg.exports);
  return targets.map((target) => target.replace(/^\.\//, ''));
}

/** Runs `command` in `cwd` with the parent's npm_* variables removed (npm_config_local_prefix would point npm back at this checkout). */
function run(command: string, args: string[], cwd: string): { status: number | null; stdout: string; stderr: string } {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.toLowerCase().startsWith('npm_')));
  const result = spawnSync(command, args, { cwd, env, encoding: 'utf8' });
  if (result.error) throw result.error;
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('what npm publishes and the image builds', () => {
  let work: string;
  let files: string[];
  let unpacked: string;
  let pkg: PackageJson;

  before(() => {
    work = mkdtempSync(join(tmpdir(), 'gatehouse-pack-'));
    const checkout = join(work, 'checkout');
    cpSync(ROOT, checkout, { recursive: true, filter: (source) => !NOT_IN_A_CLONE.has(relative(ROOT, source)) });
    // The build needs TypeScript and the types: the checkout's installed packages, shared rather than installed again.
    const nodeModules = realpathSync(join(ROOT, 'node_modules'));
    symlinkSync(nodeModules, join(checkout, 'node_modules'));
    const pack = run('npm', ['pack', '--json', '--pack-destination', work], checkout);
    assert.equal(pack.status, 0, `npm pack failed:\n${pack.stdout}\n${pack.stderr}`);
    const [result] = JSON.parse(pack.stdout) as Array<{ filename: string; files: Array<{ path: string }> }>;
    files = result!.files.map((file) => file.path);
    pkg = JSON.parse(readFileSync(join(checkout, 'package.json'), 'utf8')) as PackageJson;
    unpacked = join(work, 'unpacked');
    mkdirSync(unpacked);
    const untar = run('tar', ['-xzf', join(work, result!.filename), '-C', unpacked], work);
    assert.equal(untar.status, 0, untar.stderr);
    symlinkSync(nodeModules, join(unpacked, 'package', 'node_modules'));
  });
  after(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('publishes no bench, test, support or fixture file', () => {
    const offenders = files.filter(isNotProduct);
    assert.deepEqual(offenders, [], `npm pack would publish:\n  ${offenders.join('\n  ')}`);
  });

  it('publishes every entry point package.json names', () => {
    const entries = entryPoints(pkg);
    assert.ok(entries.length > 0, 'package.json names a bin');
    const missing = entries.filter((entry) => !files.includes(entry));
    assert.deepEqual(missing, [], `named in package.json but not published:\n  ${missing.join('\n  ')}`);
  });

  it('runs the packed bin on nothing but the package (and its dependencies)', () => {
    const bin = typeof pkg.bin === 'string' ? pkg.bin : pkg.bin!.gatehouse!;
    const validate = run(process.execPath, [bin, 'validate', 'config/examples/kong.yml'], join(unpacked, 'package'));
    assert.equal(validate.status, 0, `${validate.stdout}\n${validate.stderr}`);
    assert.match(validate.stdout, /^OK: config\/examples\/kong\.yml \(/);
  });

  it("copies no bench, test, support or fixture path into the image's build", () => {
    const copies = readFileSync(join(ROOT, 'Dockerfile'), 'utf8')
      .split('\n')
      .map((line) => line.trim().split(/\s+/))
      .filter(([keyword, first]) => keyword === 'COPY' && !first!.startsWith('--from'))
      .flatMap((words) => words.slice(1, -1));
    assert.ok(copies.includes('src'), 'the build stage copies src');
    const offenders = copies.filter((source) => isNotProduct(`${source}/`));
    assert.deepEqual(offenders, [], `the Dockerfile copies:\n  ${offenders.join('\n  ')}`);
  });
});
