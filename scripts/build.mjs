#!/usr/bin/env node
// Bundles the CLI into one CommonJS file, dist/orgs.js, with esbuild. Every call of orgs pays for
// loading its code: one file loads faster than dozens, and CommonJS skips the ES module loader's
// start-up (about 30 ms here). Modules the core imports dynamically are still evaluated only
// when a command needs them. Type checking is `npm run typecheck`.
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import Module from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { Script } from 'node:vm';
import { build } from 'esbuild';
import { consoleAssets } from './console-assets.mjs';

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

/**
 * node-postgres probes for Cloudflare Workers when it loads, by making a fetch Response, which
 * loads Node's whole fetch implementation (about 25 ms) on every PostgreSQL command: orgs runs
 * on Node alone.
 */
const nodeOnlyPg = {
  name: 'node-only-pg',
  setup(build) {
    build.onLoad({ filter: /[\\/]pg[\\/]lib[\\/]stream\.js$/ }, (args) => ({
      contents: readFileSync(args.path, 'utf8').replace('if (isCloudflareRuntime())', 'if (false)'),
      loader: 'js',
    }));
  },
};

/**
 * yaml's parser reads process.env.LOG_TOKENS, a debugging switch, once for every token: a fifth of
 * the time it takes to parse a registry file. orgs never sets it.
 */
const yamlWithoutTokenLog = {
  name: 'yaml-without-token-log',
  setup(build) {
    build.onLoad({ filter: /[\\/]yaml[\\/]dist[\\/]parse[\\/]parser\.js$/ }, (args) => {
      const source = readFileSync(args.path, 'utf8');
      const contents = source.replace('if (node_process.env.LOG_TOKENS)', 'if (false)');
      if (contents === source) throw new Error(`${args.path} no longer reads LOG_TOKENS as expected: update the build`);
      return { contents, loader: 'js' };
    });
  },
};

/**
 * The bundle imports node-postgres and yaml from their own bundles beside it, dist/pg.js (loaded
 * only for a PostgreSQL store) and dist/yaml.js (loaded only to read a registry file). A dynamic
 * `import('yaml')` becomes a require() made at the same moment, as for the built-ins above.
 */
const besideBundles = {
  name: 'beside-bundles',
  setup(build) {
    build.onResolve({ filter: /^(pg|yaml)$/ }, (args) =>
      args.kind === 'dynamic-import'
        ? { path: args.path, namespace: 'beside' }
        : { path: `./${args.path}.js`, external: true },
    );
    build.onLoad({ filter: /.*/, namespace: 'beside' }, (args) => ({
      contents: `module.exports = require(${JSON.stringify(args.path)});`,
      loader: 'js',
    }));
  },
};

/**
 * The Console page's script and style, as the strings of the module `console-assets`
 * (scripts/console-assets.mjs): they ship inside the bundle, and load only with `orgs console`.
 */
const consoleAssetsModule = {
  name: 'console-assets',
  setup(plugin) {
    plugin.onResolve({ filter: /^console-assets$/ }, () => ({ path: 'console-assets', namespace: 'console-assets' }));
    plugin.onLoad({ filter: /.*/, namespace: 'console-assets' }, () => {
      const { contents, files } = consoleAssets();
      return { contents, loader: 'js', watchFiles: files };
    });
  },
};

const common = {
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  minify: true,
  write: false,
  logLevel: 'warning',
};

/**
 * The V8 code cache of a bundle, for bin/orgs.js: compiled as bin/orgs.js compiles it, run
 * (`use` defines its modules and exercises them, and may return a promise), then cached with every
 * function compiled so far. Made by the Node that builds, which is the Node that runs it after `npm
 * install`. The bundle is written first: a cache that does not fit the bundle beside it is refused,
 * never misused.
 */
async function writeWithCache(file, code, use) {
  const script = new Script(Module.wrap(code), { filename: file });
  const bundle = { exports: {} };
  script
    .runInThisContext()
    .call(bundle.exports, bundle.exports, Module.createRequire(file), bundle, file, dirname(file));
  await use(bundle.exports);
  const cache = script.createCachedData();
  replace(file, code);
  replace(`${file}.cache`, cache);
}

/**
 * Runs `orgs list` in-process, against a new store in a folder of its own, removed afterwards: what
 * every command's start-up runs (settings, opening the store, parsing, printing) is then compiled,
 * and goes in the code cache, instead of being compiled on each call.
 */
async function listInScratchStore(orgs) {
  const folder = mkdtempSync(join(tmpdir(), 'orgs-build-'));
  let errors = '';
  const sink = (take) =>
    new Writable({
      write(chunk, _encoding, done) {
        take(String(chunk));
        done();
      },
    });
  try {
    const exitCode = await orgs.main(['list'], {
      env: { ORGS_DB: join(folder, 'orgs.db'), ORGS_CONFIG_DIR: folder },
      cwd: folder,
      stdin: Readable.from([]),
      stdout: sink(() => {}),
      stderr: sink((text) => (errors += text)),
      clock: Date.now,
      onInterrupt: () => () => {},
    });
    if (exitCode !== 0) throw new Error(`orgs list, run for the code cache, failed (${exitCode}): ${errors}`);
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

/** A registry file of each kind of record, in YAML and in JSON, as `plan` and `apply` read them. */
const REGISTRY_SAMPLE = `version: 1
users:
  - { user_id: user1, name: User 1, admin: false }
organizations:
  - organization_id: org1
    name: "Org 1"
    attributes: { team: radio }
    members:
      user1: [RIGHT_ALL]
    api_keys:
      - { "id": "KEY1", "rights": ["RIGHT_ORGANIZATION_INFO"], "expires_at": null }
applications:
  - application_id: app1
    collaborators: { organizations: { org1: [RIGHT_APPLICATION_INFO] } }
`;

mkdirSync('dist', { recursive: true });
// The package is ESM; this folder (like bin/) holds CommonJS.
replace('dist/package.json', '{ "type": "commonjs" }\n');

const pg = await build({
  ...common,
  entryPoints: ['pg'],
  outfile: 'dist/pg.js',
  // pg-native is optional (pg tries it only when asked to); orgs does not.
  external: ['pg-native'],
  plugins: [nodeOnlyPg],
});
await writeWithCache(resolve('dist/pg.js'), pg.outputFiles[0].text, (exports) => new exports.Client());

const yaml = await build({ ...common, entryPoints: ['yaml'], outfile: 'dist/yaml.js', plugins: [yamlWithoutTokenLog] });
// Reading a small registry file compiles what reading any registry file runs.
await writeWithCache(resolve('dist/yaml.js'), yaml.outputFiles[0].text, (exports) => {
  const lineCounter = new exports.LineCounter();
  const options = { version: '1.2', schema: 'core', uniqueKeys: true, prettyErrors: false, lineCounter };
  const document = exports.parseDocument(REGISTRY_SAMPLE, options);
  exports.visit(document, () => {});
});

const orgs = await build({
  ...common,
  entryPoints: ['src/cli/main.ts'],
  outfile: 'dist/orgs.js',
  // The one use of import.meta.url is createRequire(), which takes a CommonJS file name as well.
  define: { 'import.meta.url': '__filename' },
  plugins: [lazyChildProcess, dynamicBuiltins, besideBundles, consoleAssetsModule],
});
await writeWithCache(resolve('dist/orgs.js'), orgs.outputFiles[0].text, listInScratchStore);
