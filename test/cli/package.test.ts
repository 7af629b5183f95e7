/**
 * The published package: what `npm pack` puts in the tarball runs on its own, against the store
 * of the project running (an SQLite file, or a PostgreSQL database through dist/pg.js); yaml is
 * bundled beside it too (dist/yaml.js), for the registry file.
 */
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { execa } from 'execa';
import { afterAll, expect, test } from 'vitest';
import { onPostgres, sandbox } from '../helpers.js';

const ROOT = resolve(import.meta.dirname, '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'orgs-pack-'));
const s = sandbox();
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await s.cleanup();
});

test('the tarball holds the launcher, the bundle and the README, and runs from where it is unpacked', async () => {
  // --ignore-scripts: no rebuild of dist/ while other test files run the CLI from it.
  const { stdout } = await execa('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', dir], {
    cwd: ROOT,
  });
  const [packed] = JSON.parse(stdout) as [{ filename: string; files: { path: string }[] }];
  expect(packed.files.map((f) => f.path).sort()).toEqual([
    'README.md',
    'bin/orgs.js',
    'bin/package.json',
    'dist/orgs.js',
    'dist/orgs.js.cache',
    'dist/package.json',
    'dist/pg.js',
    'dist/pg.js.cache',
    'dist/yaml.js',
    'dist/yaml.js.cache',
    'package.json',
  ]);
  await execa('tar', ['xzf', join(dir, packed.filename), '-C', dir]);
  // The runtime dependencies (better-sqlite3; pg is bundled) as an install would provide them.
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'package', 'node_modules'));
  const bin = join(dir, 'package', 'bin', 'orgs.js');
  const help = await execa(bin, ['--help']);
  expect(help.stdout).toMatch(/^Usage: orgs /);
  const env = { ORGS_DB: s.db, ORGS_CONFIG_DIR: join(dir, 'config') };
  const created = await execa(bin, ['create', 'org1', '--user-id', 'user1'], { env });
  expect(JSON.parse(created.stdout).ids).toEqual({ organization_id: 'org1' });
});

// On SQLite: a PostgreSQL store needs the network, and loads it.
test.skipIf(onPostgres)(
  "a command pays only for what it uses: `orgs list` loads none of the servers', the registry's or yaml's modules",
  async () => {
    const hook = join(dir, 'loaded.cjs');
    writeFileSync(
      hook,
      "process.on('exit', () => require('fs').writeSync(2, JSON.stringify({ builtins: process.moduleLoadList, files: Object.keys(require.cache) }) + '\\n'));",
    );
    const result = await execa('node', ['--require', hook, join(ROOT, 'bin', 'orgs.js'), 'list'], {
      env: { ...s.env, ORGS_USER_ID: undefined, ORGS_API_KEY: undefined },
      extendEnv: true,
      reject: false,
    });
    expect(result.exitCode, result.stderr).toBe(0);
    const { builtins, files } = JSON.parse(result.stderr.trim().split('\n').pop()!);
    for (const module of ['net', 'http', 'https', 'tls', 'fs/promises', 'crypto']) {
      expect(builtins).not.toContain(`NativeModule ${module}`);
    }
    expect(files.filter((file: string) => /dist[\\/]yaml\.js$/.test(file))).toEqual([]);
  },
);
