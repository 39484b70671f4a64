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
// prom-client (with @opentelemetry/api, which its process metrics import) is required on first use,
// not at start (src/observability/prom-client.ts). Required from node_modules that is 88 modules,
// which cost a sidecar that is scraped 1.8 MiB more idle RSS than the same code bundled; so it is
// bundled into a CommonJS file of its own, dist/bundle/prom-client.cjs, which that require names.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
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

const PROM_CLIENT_REQUIRE = "createRequire(import.meta.url)('prom-client')";
const lazyPromClient = {
  name: 'lazy-prom-client',
  setup(build) {
    build.onLoad({ filter: /[\\/]observability[\\/]prom-client\.js$/ }, ({ path }) => {
      const source = readFileSync(path, 'utf8');
      if (source.split(PROM_CLIENT_REQUIRE).length !== 2) throw new Error(`${path} no longer has one ${PROM_CLIENT_REQUIRE}`);
      return { contents: source.replace(PROM_CLIENT_REQUIRE, "createRequire(import.meta.url)('./prom-client.cjs')"), loader: 'js', resolveDir: dirname(path) };
    });
  },
};

// An ES module import of a Node builtin makes Node build the builtin's ES module facade, which reads
// every export once, getters included: node:tls's rootCertificates (Node's CA list, 140-odd strings),
// node:fs's lazy streams and promises, node:process's allowedNodeEnvironmentFlags (a Set of every
// flag). Each alone, against a require of it: 0.3, 0.15 and 0.4 MiB more heap. The bundle takes
// them by require (the start imports tls and fs: its heap 12.96 -> 12.82 MiB; process only the
// aws-lambda plugin's SDK does).
const BUILTINS_BY_REQUIRE = /^node:(process|tls|fs)$/;
const builtinsByRequire = {
  name: 'builtins-by-require',
  setup(build) {
    build.onResolve({ filter: BUILTINS_BY_REQUIRE }, ({ path, namespace }) =>
      namespace === 'builtin-by-require' ? { path, external: true } : { path, namespace: 'builtin-by-require' },
    );
    build.onLoad({ filter: /.*/, namespace: 'builtin-by-require' }, ({ path }) => ({ contents: `module.exports = require(${JSON.stringify(path)});`, loader: 'js' }));
  },
};

const minified = { bundle: true, platform: 'node', target: 'node20', minifyWhitespace: true, minifySyntax: true, logLevel: 'warning' };

await build({
  ...minified,
  entryPoints: [createRequire(import.meta.url).resolve('prom-client')],
  outfile: 'dist/bundle/prom-client.cjs',
  format: 'cjs',
});

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
  plugins: [lazyZodLocales, lazyPromClient, builtinsByRequire],
});
