#!/usr/bin/env node
// CommonJS (see bin/package.json): the ES module loader would add to every call's start-up.
// The bundle is compiled with the V8 code cache the build left beside it (scripts/build.mjs):
// compiling the bundle anew is most of what orgs adds to Node's own start-up. A cache that does
// not fit this Node is refused by V8, and the bundle is compiled as usual. node-postgres and yaml
// are bundles of their own, dist/pg.js and dist/yaml.js, loaded the same way when a command opens
// a PostgreSQL store or reads a registry file.
const { readFileSync } = require('node:fs');
const Module = require('node:module');
const { dirname, join } = require('node:path');
const { Script } = require('node:vm');

const dist = join(__dirname, '..', 'dist');
const nodeRequire = Module.createRequire(join(dist, 'orgs.js'));
/** The bundles beside dist/orgs.js that it requires (scripts/build.mjs). */
const BESIDE = ['./pg.js', './yaml.js'];

/** Runs dist/<name> with its code cache; returns its exports. */
function load(name) {
  const file = join(dist, name);
  let cachedData;
  try {
    cachedData = readFileSync(`${file}.cache`);
  } catch {
    // No cache (a build that could not make one): compile as usual.
  }
  const script = new Script(Module.wrap(readFileSync(file, 'utf8')), { filename: file, cachedData });
  const bundle = { exports: {} };
  const bundleRequire = (id) => (BESIDE.includes(id) ? load(id.slice(2)) : nodeRequire(id));
  script.runInThisContext().call(bundle.exports, bundle.exports, bundleRequire, bundle, file, dirname(file));
  return bundle.exports;
}

const orgs = load('orgs.js');
orgs.main(process.argv.slice(2), orgs.processRuntime()).then((code) => {
  process.exitCode = code;
});
