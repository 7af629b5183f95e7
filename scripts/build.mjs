#!/usr/bin/env node
// Bundles the CLI into one CommonJS file, dist/orgs.js, with esbuild. Every call of orgs pays for
// loading its code: one file loads faster than dozens, and CommonJS skips the ES module loader's
// start-up (about 30 ms here). Modules the core imports dynamically are still evaluated only
// when a command needs them. Type checking is `npm run typecheck`.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
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

rmSync('dist', { recursive: true, force: true });
mkdirSync('dist');
// The package is ESM; this folder (like bin/) holds CommonJS.
writeFileSync('dist/package.json', '{ "type": "commonjs" }\n');
await build({
  entryPoints: ['src/cli/main.ts'],
  outfile: 'dist/orgs.js',
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  // The one use of import.meta.url is createRequire(), which takes a CommonJS file name as well.
  define: { 'import.meta.url': '__filename' },
  minify: true,
  plugins: [lazyChildProcess],
  logLevel: 'warning',
});
