/**
 * A store changed by hand (a table or column dropped, its version mark changed) is damaged, not a
 * bug of orgs: exit 5, `damaged_database`, naming what is wrong, and nothing written.
 */
import Database from 'better-sqlite3';
import { describe, expect, test } from 'vitest';
import { MIGRATIONS } from '../../src/store/migrations.js';
import { storeRows, expectError, sandbox } from '../helpers.js';
import { inStore, serverFor } from '../postgres-store.js';

const reachable = serverFor('damaged PostgreSQL store tests');

describe.skipIf(!reachable)('a PostgreSQL schema changed by hand', () => {
  test('a table dropped: damaged, naming the table', () =>
    inStore(async (s) => {
      await s.ok(['create', 'org1', '--user-id', 'user1']);
      await s.sql('DROP TABLE memberships');
      const before = await storeRows(s.url);
      const result = await s.run(['create', 'org2', '--user-id', 'user1']);
      expectError(result, 5, 'damaged_database');
      expect(result.stderr).toContain('"memberships"');
      expect(await storeRows(s.url)).toEqual(before);
    }));

  test('a column dropped: damaged, naming the column', () =>
    inStore(async (s) => {
      await s.ok(['create', 'org1', '--user-id', 'user1']);
      await s.sql('ALTER TABLE organizations DROP COLUMN description');
      const result = await s.run(['set', 'org1', '--description', 'kept']);
      expectError(result, 5, 'damaged_database');
      expect(result.stderr).toContain('"description"');
    }));

  test('its version mark set back: damaged, naming the mark found, nothing changed', () =>
    inStore(async (s) => {
      await s.ok(['create', 'org1', '--user-id', 'user1']);
      await s.sql(`COMMENT ON SCHEMA orgs IS 'orgs schema 3'`);
      const before = await storeRows(s.url);
      const result = await s.run(['list']);
      expectError(result, 5, 'damaged_database');
      expect(result.stderr).toContain('"orgs schema 3"');
      expect(result.stderr).toContain(`"orgs schema ${MIGRATIONS.length}"`);
      expect(await storeRows(s.url)).toEqual(before);
    }));

  test('its version mark replaced: not ours, naming the mark found', () =>
    inStore(async (s) => {
      await s.ok(['create', 'org1', '--user-id', 'user1']);
      await s.sql(`COMMENT ON SCHEMA orgs IS 'hand made'`);
      const result = await s.run(['list']);
      expectError(result, 5, 'foreign_database');
      expect(result.stderr).toContain('"hand made"');
    }));
});

describe('an SQLite file changed by hand', () => {
  /** A store file with org1, then changed by `change`. */
  async function changed(change: (db: Database.Database) => void) {
    const s = sandbox();
    const path = `${s.dir}/orgs.db`;
    await s.ok(['--db', path, 'create', 'org1', '--user-id', 'user1']);
    const db = new Database(path);
    try {
      change(db);
    } finally {
      db.close();
    }
    return { s, path };
  }

  test('a table dropped: damaged, naming the table, nothing written', async () => {
    const { s, path } = await changed((db) => db.exec('DROP TABLE memberships'));
    try {
      const before = await storeRows(path);
      const result = await s.run(['--db', path, 'create', 'org2', '--user-id', 'user1']);
      expectError(result, 5, 'damaged_database');
      expect(result.stderr).toContain('memberships');
      expect(await storeRows(path)).toEqual(before);
    } finally {
      await s.cleanup();
    }
  });

  test('its version set back: damaged, nothing changed', async () => {
    const { s, path } = await changed((db) => db.pragma('user_version = 3'));
    try {
      const before = await storeRows(path);
      expectError(await s.run(['--db', path, 'list']), 5, 'damaged_database');
      expect(await storeRows(path)).toEqual(before);
    } finally {
      await s.cleanup();
    }
  });
});
