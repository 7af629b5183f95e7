/** The published package: what `npm pack` puts in the tarball runs on its own. */
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { execa } from 'execa';
import { afterAll, expect, test } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'orgs-pack-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

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
    'package.json',
  ]);
  await execa('tar', ['xzf', join(dir, packed.filename), '-C', dir]);
  // The runtime dependencies (better-sqlite3) as an install would provide them.
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'package', 'node_modules'));
  const bin = join(dir, 'package', 'bin', 'orgs.js');
  const help = await execa(bin, ['--help']);
  expect(help.stdout).toMatch(/^Usage: orgs /);
  const env = { ORGS_DB: join(dir, 'store.db'), ORGS_CONFIG_DIR: join(dir, 'config') };
  const created = await execa(bin, ['create', 'org1', '--user-id', 'user1'], { env });
  expect(JSON.parse(created.stdout).ids).toEqual({ organization_id: 'org1' });
});
