#!/usr/bin/env node
// Bundles the CLI into one CommonJS file, dist/orgs.js, with esbuild. Every call of orgs pays for
// loading its code: one file loads faster than dozens, and CommonJS skips the ES module loader's
// start-up (about 30 ms here). Modules the core imports dynamically are still evaluated only
// when a command needs them. Type checking is `npm run typecheck`.
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import Module from 'node:module';
import { dirname, resolve } from 'node:path';
import { Script } from 'node:vm';
import { build } from 'esbuild';

/**
 * commander loads node:child_process up front (about 9 ms) for executable subcommands, which orgs
 * does not have: give it a stand-in that loads the real module on first use.
 */
const lazyChildProcess = {
  name: 'lazy-child-process',
  setup(build) {
    build.onResolve({ filter: /^(node:)?child_process$/ }, (args) =>
      args.importer.includes('/commander/') ? { path: 'child_process', namespace: 'lazy' } : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'lazy' }, () => ({
      contents: "module.exports = new Proxy({}, { get: (_, key) => require('node:child_process')[key] });",
      loader: 'js',
    }));
  },
};

/**
 * `await import('node:readline')` loads a built-in only when a command needs it; bin/orgs.js runs
 * the bundle as a vm.Script (for its code cache), where import() is not available: such an import
 * becomes a require() made at the same moment.
 */
const dynamicBuiltins = {
  name: 'dynamic-builtins',
  setup(build) {
    build.onResolve({ filter: /^node:/ }, (args) =>
      args.kind === 'dynamic-import' ? { path: args.path, namespace: 'builtin' } : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'builtin' }, (args) => ({
      contents: `module.exports = require(${JSON.stringify(args.path)});`,
      loader: 'js',
    }));
  },
};

/** Each file written beside its place and renamed over it: an orgs running meanwhile sees old or new, never half. */
function replace(path, contents) {
  writeFileSync(`${path}.${process.pid}.tmp`, contents);
  renameSync(`${path}.${process.pid}.tmp`, path);
}

mkdirSync('dist', { recursive: true });
// The package is ESM; this folder (like bin/) holds CommonJS.
replace('dist/package.json', '{ "type": "commonjs" }\n');
const { outputFiles } = await build({
  entryPoints: ['src/cli/main.ts'],
  outfile: 'dist/orgs.js',
  write: false,
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  // The one use of import.meta.url is createRequire(), which takes a CommonJS file name as well.
  define: { 'import.meta.url': '__filename' },
  minify: true,
  plugins: [lazyChildProcess, dynamicBuiltins],
  // node-postgres stays a package of its own, required only when the store is a PostgreSQL URL.
  external: ['pg'],
  logLevel: 'warning',
});

/**
 * The V8 code cache of the bundle, for bin/orgs.js: compiled as bin/orgs.js compiles it, run
 * (which defines every module and builds a command), then cached with every function compiled so
 * far. Made by the Node that builds, which is the Node that runs it after `npm install`.
 */
const file = resolve('dist/orgs.js');
const code = outputFiles[0].text;
const script = new Script(Module.wrap(code), { filename: file });
const bundle = { exports: {} };
script.runInThisContext().call(bundle.exports, bundle.exports, Module.createRequire(file), bundle, file, dirname(file));
bundle.exports.buildProgram(['list']);
const cache = script.createCachedData();
// The bundle first: a cache that does not fit the bundle beside it is refused, never misused.
replace(file, code);
replace(`${file}.cache`, cache);
