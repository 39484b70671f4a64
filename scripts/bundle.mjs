// The product as it runs: tsc's output (dist/src, dist/plugins) bundled by esbuild into dist/bundle,
// the `gatehouse` bin and the plugin kit's package entry. Measured on the bundled config (bench/
// footprint.ts, paired runs): idle RSS 75.7 → 66.4 MiB and the start's CPU time 620 → 370 ms. A
// Node module costs memory and start time for its own sake (its source text kept for lazy
// compilation, its record, its resolution and file read: 616 modules at start), and its comments and
// indentation are kept with its source; zod's files hold non-ASCII characters, which makes V8 store
// their whole source at two bytes per character. Bundled, whitespace-minified and ASCII-escaped, the
// same code is a few files a third of the size; identifiers keep their names, so stack traces and
// logged class names read as in the sources.
//
// Code splitting keeps what only some configs use out of the start: each bundled plugin, the Redis
// store and every CLI command other than the one run stay chunks of their own, imported when used,
// and the plugin kit entry shares its chunks with the gateway, so a user's plugin that imports
// `gatehouse/plugin-kit` meets the running gateway's own modules. ioredis and undici's Pool are
// loaded by createRequire from node_modules, as before (ioredis only in Redis mode).
//
// Fastify requires its schema compilers (ajv, fast-json-stringify: 0.4 MB of source with their
// dependencies) only for a route with a schema, which no Gatehouse listener has (src/http/
// no-schema-compilers.ts), and light-my-request only for app.inject(), which nothing calls. Bundled,
// their source was read, parsed and held in the start chunk all the same; they stay in node_modules,
// where the require would find them.
const NEVER_REQUIRED_AT_RUN_TIME = ['@fastify/ajv-compiler', '@fastify/fast-json-stringify-compiler', 'light-my-request'];
//
// zod's `locales` namespace (z.locales: error messages in 50 languages, 0.3 MB of source, half the
// zod chunk) is re-exported by zod's entry and so was bundled whole, though zod itself imports only
// `en`, its default. In the bundle the namespace keeps `en` and reads every other locale from
// node_modules when it is first used (z.config(z.locales.de())).
//
// Two CommonJS packages the gateway requires by path are bundled into CommonJS files of their own,
// which those requires name instead of node_modules: one file rather than a module per source file,
// without comments (a Node module costs memory for its own sake, its comments kept with its source):
// - prom-client (with @opentelemetry/api, which its process metrics import), required on first use
//   (src/observability/prom-client.ts): 88 modules, which cost a scraped sidecar 1.8 MiB more idle RSS;
// - undici's Pool (src/proxy/pools.ts), required at start: 22 modules; bundled, idle RSS 60.6 -> 59.8 /
//   60.0 MiB and the start's CPU 300 -> 270 ms (footprint runs of each build). What undici
//   requires lazily (llhttp's WebAssembly as base64 text, fetch's body module) stays in node_modules.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { build } from 'esbuild';

// The ES module index (resolve picks the CommonJS one), whose `export { default as de } from "./de.js"` lines name the locales.
const zodLocalesIndex = join(dirname(createRequire(import.meta.url).resolve('zod/v4/locales')), 'index.js');
const lazyZodLocales = {
  name: 'lazy-zod-locales',
  setup(build) {
    build.onResolve({ filter: /\/locales\/index\.js$/ }, ({ path, resolveDir }) =>
      /[\\/]zod[\\/]v4[\\/](classic|core|mini)$/.test(resolveDir) && path === '../locales/index.js' ? { path: zodLocalesIndex, namespace: 'lazy-zod-locales' } : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'lazy-zod-locales' }, () => {
      const locales = [...readFileSync(zodLocalesIndex, 'utf8').matchAll(/export \{ default as (\w+) \} from "\.\/([\w-]+)\.js"/g)];
      const getters = locales.filter(([, name]) => name !== 'en').map(([, name, file]) => `get ${name}() { return fromNodeModules('${file}'); },`);
      // CommonJS, so the namespace zod re-exports keeps the getters; the name is built at run time, so esbuild leaves that require alone.
      const contents = `const fromNodeModules = (file) => { const locale = require('zod/v4/locales/' + file + '.cjs'); return locale.default ?? locale; };
module.exports = { en: require('zod/v4/locales/en.js').default, ${getters.join(' ')} };`;
      return { contents, resolveDir: process.cwd(), loader: 'js' };
    });
  },
};

const BUNDLED_REQUIRES = [
  { file: /[\\/]observability[\\/]prom-client\.js$/, entry: 'prom-client', bundle: 'prom-client.cjs' },
  { file: /[\\/]proxy[\\/]pools\.js$/, entry: 'undici/lib/dispatcher/pool.js', bundle: 'undici-pool.cjs' },
];
const requiresOfBundles = {
  name: 'requires-of-bundles',
  setup(build) {
    for (const { file, entry, bundle } of BUNDLED_REQUIRES) {
      const required = `createRequire(import.meta.url)('${entry}')`;
      build.onLoad({ filter: file }, ({ path }) => {
        const source = readFileSync(path, 'utf8');
        if (source.split(required).length !== 2) throw new Error(`${path} no longer has one ${required}`);
        return { contents: source.replace(required, `createRequire(import.meta.url)('./${bundle}')`), loader: 'js', resolveDir: dirname(path) };
      });
    }
  },
};

/**
 * What undici requires lazily stays in node_modules, required when first needed as before: llhttp's
 * WebAssembly (with the first upstream response) and fetch's body module (for a FormData body, which
 * the gateway never sends). Bundled, their text would be held with the file's source from the start.
 */
const UNDICI_LAZY_REQUIRES = /[\\/](llhttp[\\/]llhttp(_simd)?-wasm|web[\\/]fetch[\\/]body)\.js$/;
const undiciLib = dirname(dirname(createRequire(import.meta.url).resolve('undici/lib/dispatcher/pool.js')));
const undiciLazyRequires = {
  name: 'undici-lazy-requires',
  setup(build) {
    build.onResolve({ filter: UNDICI_LAZY_REQUIRES }, ({ path, resolveDir }) => ({ path: `undici/lib/${relative(undiciLib, join(resolveDir, path))}`, external: true }));
  },
};

/**
 * Imports of the modules `filter` matches are answered by `shim(path)`, a CommonJS module in a
 * namespace of its own whose `require(path)` then reaches the real module at run time (external).
 */
function requireShims(namespace, filter, shim) {
  return {
    name: namespace,
    setup(build) {
      build.onResolve({ filter }, ({ path, namespace: from }) => (from === namespace ? { path, external: true } : { path, namespace }));
      build.onLoad({ filter: /.*/, namespace }, ({ path }) => ({ contents: shim(path), loader: 'js' }));
    },
  };
}

// Packages that bundled modules require at their top but call only on paths the gateway never takes:
// semver (Fastify checks a plugin's declared Fastify version; no Gatehouse listener registers such a
// plugin) and thread-stream (pino's transports; the gateway writes its own destination). Each is a
// stand-in that requires the package from node_modules on first use: idle RSS 59.8 / 60.0 -> 59.5 / 59.5 MiB (footprint runs).
const LAZY_PACKAGES = /^(semver|thread-stream)$/;
const lazyPackages = requireShims('lazy-package', LAZY_PACKAGES, (path) => `let loaded;
const load = () => (loaded ??= require(${JSON.stringify(path)}));
module.exports = new Proxy(function lazyPackage() {}, {
  get: (_, key) => load()[key],
  has: (_, key) => key in load(),
  apply: (_, self, args) => Reflect.apply(load(), self, args),
  construct: (_, args) => Reflect.construct(load(), args),
});`);

// An ES module import of a Node builtin makes Node build the builtin's ES module facade, which reads
// every export once, getters included: node:tls's rootCertificates (Node's CA list, 140-odd strings),
// node:fs's lazy streams and promises, node:process's allowedNodeEnvironmentFlags (a Set of every
// flag). Each alone, against a require of it: 0.3, 0.15 and 0.4 MiB more heap. The bundle takes
// them by require (the start imports tls and fs: its heap 12.96 -> 12.82 MiB; process only the
// aws-lambda plugin's SDK does).
const BUILTINS_BY_REQUIRE = /^node:(process|tls|fs)$/;
const builtinsByRequire = requireShims('builtin-by-require', BUILTINS_BY_REQUIRE, (path) => `module.exports = require(${JSON.stringify(path)});`);

const minified = { bundle: true, platform: 'node', target: 'node20', minifyWhitespace: true, minifySyntax: true, logLevel: 'warning' };

for (const { entry, bundle } of BUNDLED_REQUIRES) {
  await build({
    ...minified,
    entryPoints: [createRequire(import.meta.url).resolve(entry)],
    outfile: `dist/bundle/${bundle}`,
    format: 'cjs',
    plugins: [undiciLazyRequires],
  });
}

await build({
  ...minified,
  entryPoints: ['dist/src/main.js', 'dist/src/plugin-kit/index.js'],
  outbase: 'dist/src',
  outdir: 'dist/bundle',
  splitting: true,
  format: 'esm',
  external: ['ioredis', ...NEVER_REQUIRED_AT_RUN_TIME],
  // The CommonJS packages bundled in (Fastify, pino…) call require for Node's modules.
  banner: { js: "import { createRequire as createRequireForBundle } from 'node:module'; const require = createRequireForBundle(import.meta.url);" },
  plugins: [lazyZodLocales, requiresOfBundles, builtinsByRequire, lazyPackages],
});
