#!/usr/bin/env node
// Bundles the CLI into one CommonJS file, dist/orgs.js, with esbuild. Every call of orgs pays for
// loading its code: one file loads faster than dozens, and CommonJS skips the ES module loader's
// start-up (about 30 ms here). Modules the core imports dynamically are still evaluated only
// when a command needs them. Type checking is `npm run typecheck`.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { build } from 'esbuild';

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
  // conf is loaded only by the commands that write the configuration; it stays a real import().
  external: ['conf'],
  define: { 'import.meta.url': '__orgsModuleUrl' },
  banner: { js: "const __orgsModuleUrl = require('node:url').pathToFileURL(__filename).href;" },
  logLevel: 'warning',
});
