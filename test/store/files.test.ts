/** Store files that are not what they should be: each refused with one line, and left untouched. */
import { createHash } from 'node:crypto';
import { chmodSync, chownSync, copyFileSync, cpSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { execa } from 'execa';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { APPLICATION_ID } from '../../src/store/migrations.js';
import { SCHEMA_VERSION } from '../../src/store/migrations.js';
import { openSqliteStore } from '../../src/store/sqlite.js';
import { BIN, expectError, sandbox, type Sandbox } from '../helpers.js';

const REPO = resolve(import.meta.dirname, '..', '..');
const FIXTURE = resolve(import.meta.dirname, '..', 'fixtures', 'schema-v1.db');
const FIXTURE_KEY = readFileSync(resolve(import.meta.dirname, '..', 'fixtures', 'schema-v1.key'), 'utf8').trim();

let s: Sandbox;
beforeEach(() => {
  s = sandbox();
});
afterEach(() => s.cleanup());

const digest = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

/** Runs `orgs --db path list` and checks the refusal: one line naming the file, the file untouched. */
async function expectRefused(path: string, name: string, exitCode: number) {
  const before = digest(path);
  const result = await s.run(['--db', path, 'list']);
  expectError(result, exitCode, name);
  expect(result.stderr).toContain(path);
  expect(digest(path)).toBe(before);
}

describe('a new store', () => {
  test('is created with its folders, mode 0600', async () => {
    await s.ok(['list']);
    expect(statSync(s.db).mode & 0o777).toBe(0o600);
    const db = new Database(s.db, { readonly: true });
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect(db.pragma('application_id', { simple: true })).toBe(APPLICATION_ID);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
  });
});

describe('an open store', () => {
  test("keeps SQLite's temporary storage (statement journals) in memory, not in files", async () => {
    const store = await openSqliteStore(s.db);
    try {
      expect(await store.executor.all('PRAGMA temp_store', [])).toEqual([{ temp_store: 2 }]);
    } finally {
      await store.close();
    }
  });
});

describe('a store made by schema 1 (part 1)', () => {
  test('is migrated in place, keeping every organization, member and API key', async () => {
    const path = join(s.dir, 'old.db');
    copyFileSync(FIXTURE, path);
    const all = await s.ok(['--db', path, 'list', '--all']);
    expect(all.json).toEqual([
      expect.objectContaining({
        ids: { organization_id: 'org1' },
        name: 'Org One',
        description: 'first',
        attributes: { team: 'radio' },
      }),
    ]);
    const deleted = await s.ok(['--db', path, 'list', '--deleted']);
    expect(deleted.json.map((o: any) => o.ids.organization_id)).toEqual(['org2']);
    const members = await s.ok(['--db', path, 'collaborators', 'list', 'org1']);
    expect(members.json).toEqual([
      { ids: { user_ids: { user_id: 'user1' } }, rights: ['RIGHT_ALL'] },
      { ids: { user_ids: { user_id: 'user2' } }, rights: ['RIGHT_ORGANIZATION_INFO'] },
    ]);
    // The API key made before the upgrade still authenticates; search uses the new index.
    await s.ok(['--db', path, 'get', 'org1'], { env: { ORGS_API_KEY: FIXTURE_KEY } });
    const found = await s.ok(['--db', path, 'search', '--name-contains', 'org on']);
    expect(found.json.map((o: any) => o.ids.organization_id)).toEqual(['org1']);
    const db = new Database(path, { readonly: true });
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(db.pragma('foreign_key_check')).toEqual([]);
    db.close();
  });
});

describe('files that are not an orgs store', () => {
  test('a text file', async () => {
    const path = join(s.dir, 'notes.txt');
    writeFileSync(path, 'hello, this is not a database\n'.repeat(100));
    await expectRefused(path, 'not_a_database', 5);
  });

  test('random bytes', async () => {
    const path = join(s.dir, 'random.bin');
    writeFileSync(path, createHash('sha512').update('seed').digest().toString('hex').repeat(64));
    await expectRefused(path, 'not_a_database', 5);
  });

  test("another program's SQLite database", async () => {
    const path = join(s.dir, 'other.db');
    const db = new Database(path);
    db.exec('CREATE TABLE notes (body TEXT); INSERT INTO notes VALUES (1)');
    db.close();
    await expectRefused(path, 'foreign_database', 5);
  });

  test('a store made by a newer orgs', async () => {
    const path = join(s.dir, 'newer.db');
    const db = new Database(path);
    db.pragma(`application_id = ${APPLICATION_ID}`);
    db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    db.close();
    await expectRefused(path, 'newer_schema', 5);
  });

  test('a folder', async () => {
    const path = join(s.dir, 'folder.db');
    mkdirSync(path);
    expectError(await s.run(['--db', path, 'list']), 5, 'invalid_store_path');
  });
});

// Permissions do not bind root, so these run the CLI as nobody when the tests run as root. The
// checkout may sit in a folder nobody cannot enter (mktemp -d makes 0700 ones), so nobody runs
// a copy of what `orgs list` needs: the launcher, the bundle and the SQLite addon.
const asNobody = process.getuid?.() === 0;

function copyForNobody(): string {
  chmodSync(s.dir, 0o755);
  const root = join(s.dir, 'orgs');
  const addon = join('node_modules', 'better-sqlite3');
  for (const part of [
    'bin',
    'dist',
    join(addon, 'package.json'),
    join(addon, 'build', 'Release', 'better_sqlite3.node'),
  ]) {
    cpSync(join(REPO, part), join(root, part), { recursive: true });
  }
  return join(root, 'bin', 'orgs.js');
}

const runAs = (args: string[]) =>
  asNobody
    ? execa('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', 'node', copyForNobody(), ...args], {
        reject: false,
        env: { ORGS_CONFIG_DIR: join(s.dir, 'config') },
      })
    : execa('node', [BIN, ...args], { reject: false, env: { ORGS_CONFIG_DIR: join(s.dir, 'config') } });
const own = (path: string) => asNobody && chownSync(path, 65534, 65534);

describe('files the caller may not write', () => {
  test('a read-only store file', async () => {
    chmodSync(s.dir, 0o755);
    const folder = join(s.dir, 'rw');
    mkdirSync(folder, { mode: 0o777 });
    const path = join(folder, 'orgs.db');
    copyFileSync(FIXTURE, path);
    own(folder);
    own(path);
    chmodSync(path, 0o444);
    const before = digest(path);
    const result = await runAs(['--db', path, 'list']);
    expectError(result, 4, 'store_not_writable');
    expect(result.stderr).toMatch(/^error:store:store_not_writable \(cannot write .*orgs\.db.*\)$/);
    expect(digest(path)).toBe(before);
  });

  test('a read-only folder', async () => {
    chmodSync(s.dir, 0o755);
    const folder = join(s.dir, 'ro');
    mkdirSync(folder);
    own(folder);
    chmodSync(folder, 0o555);
    const result = await runAs(['--db', join(folder, 'orgs.db'), 'list']);
    expectError(result, 4, 'store_not_writable');
    expect(result.stderr).toMatch(/^error:store:store_not_writable \(.*ro\/orgs\.db.*\)$/);
  });
});
