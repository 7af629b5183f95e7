/**
 * What the PostgreSQL store adds to the contract (STORES.md), against a real server: its schema
 * (created, recognised, refused, upgraded), a server that is not there, the password never shown,
 * and backups between the two engines. The black-box suite runs on PostgreSQL too (vitest.config.ts).
 */
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { MIGRATIONS } from '../../src/store/migrations.js';
import { contactsView, storeRows, expectError, sandbox } from '../helpers.js';
import { databaseUrl } from '../postgres.js';
import { inStore, serverFor } from '../postgres-store.js';

const reachable = serverFor('PostgreSQL store tests');

/** The tables every store has, whatever the engine (the search index is each engine's own). */
const RECORDS = [
  'accounts',
  'users',
  'organizations',
  'memberships',
  'api_keys',
  'entities',
  'entity_collaborators',
  'events',
  'event_identifiers',
];

/** A store's records, each row as a sorted-key object, so that both engines' dumps compare. */
async function records(db: string): Promise<Record<string, unknown[]>> {
  const dump = (await storeRows(db)) ?? {};
  const normal = (row: string) => {
    const parsed = JSON.parse(row) as Record<string, unknown>;
    return Object.fromEntries(
      Object.keys(parsed)
        .sort()
        .map((key) => [key, parsed[key]]),
    );
  };
  return Object.fromEntries(RECORDS.map((table) => [table, (dump[table] ?? []).map(normal).sort(byJson)]));
}
const byJson = (a: unknown, b: unknown) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1);

describe.skipIf(!reachable)('the orgs schema', () => {
  test('is made on first use, marked as ours at the current version, with the pg_trgm indexes', () =>
    inStore(async (s) => {
      expect(await s.sql(`SELECT count(*) FROM pg_namespace WHERE nspname = 'orgs'`)).toEqual(['0']);
      await s.ok(['list']);
      expect(
        await s.sql(`SELECT obj_description(oid, 'pg_namespace') FROM pg_namespace WHERE nspname = 'orgs'`),
      ).toEqual([`orgs schema ${MIGRATIONS.length}`]);
      const indexes = await s.sql(
        `SELECT indexname FROM pg_indexes WHERE schemaname = 'orgs' AND indexdef LIKE '%gin_trgm_ops%'`,
      );
      expect(indexes).toContain('organizations_search_name');
      expect(indexes).toContain('entities_search_description');
    }));

  test('of something else is refused, and left untouched', () =>
    inStore(async (s) => {
      await s.sql(`CREATE SCHEMA orgs; CREATE TABLE orgs.accounts (x int); INSERT INTO orgs.accounts VALUES (42)`);
      expectError(await s.run(['create', 'org1', '--user-id', 'user1']), 5, 'foreign_database');
      expect(await s.sql('SELECT x FROM orgs.accounts')).toEqual(['42']);
      expect(await s.sql(`SELECT count(*) FROM pg_tables WHERE schemaname = 'orgs'`)).toEqual(['1']);
    }));

  test('of a newer orgs is refused, and left untouched', () =>
    inStore(async (s) => {
      await s.ok(['create', 'org1', '--user-id', 'user1']);
      await s.sql(`COMMENT ON SCHEMA orgs IS 'orgs schema ${MIGRATIONS.length + 1}'`);
      const before = await storeRows(s.url);
      const result = await s.run(['list']);
      expectError(result, 5, 'newer_schema');
      expect(await storeRows(s.url)).toEqual(before);
    }));

  test('of an older orgs is upgraded in place, its records kept', () =>
    inStore(async (s) => {
      // Schema 4 (before events), as orgs made it then, with an organization in it.
      const older = MIGRATIONS.slice(0, 4);
      await s.sql(`CREATE SCHEMA orgs; SET search_path = orgs, public; ${older.map((m) => m.postgres).join('\n')}
        COMMENT ON SCHEMA orgs IS 'orgs schema 4';
        INSERT INTO accounts VALUES ('user1', 'user'), ('old1', 'organization');
        INSERT INTO users (id, created_at, updated_at) VALUES ('user1', 0, 0);
        INSERT INTO organizations (id, name, created_at, updated_at) VALUES ('old1', 'Old One', 0, 0);
        INSERT INTO organizations_search (rowid, id, name, attributes)
          SELECT pk, id, lower(name), '{}' FROM organizations;
        INSERT INTO memberships VALUES ('old1', 'user1', '["RIGHT_ALL"]', 0, 0);`);
      const listed = await s.ok(['search', '--name-contains', 'old one']);
      expect(listed.json.map((o: any) => o.ids.organization_id)).toEqual(['old1']);
      expect(
        await s.sql(`SELECT obj_description(oid, 'pg_namespace') FROM pg_namespace WHERE nspname = 'orgs'`),
      ).toEqual([`orgs schema ${MIGRATIONS.length}`]);
      await s.ok(['set', 'old1', '--description', 'kept']);
      expect((await s.ok(['events', '--organization-id', 'old1'])).stdout).toContain('"organization.update"');
    }));

  test('of schema 6 gains last_used_at: the keys kept, unused until they authenticate', () =>
    inStore(async (s) => {
      await s.sql(`CREATE SCHEMA orgs; SET search_path = orgs, public;
        ${MIGRATIONS.slice(0, 6)
          .map((m) => m.postgres)
          .join('\n')}
        COMMENT ON SCHEMA orgs IS 'orgs schema 6';
        INSERT INTO accounts VALUES ('user1', 'user'), ('old1', 'organization');
        INSERT INTO users (id, created_at, updated_at) VALUES ('user1', 0, 0);
        INSERT INTO organizations (id, created_at, updated_at) VALUES ('old1', 0, 0);
        INSERT INTO memberships VALUES ('old1', 'user1', '["RIGHT_ALL"]', 0, 0);
        INSERT INTO api_keys VALUES ('OLDKEY', 'old1', NULL, '["RIGHT_ORGANIZATION_INFO"]', 'x:y', 0, 0, NULL);`);
      expect((await s.ok(['api-keys', 'list', 'old1'])).json).toEqual([
        expect.not.objectContaining({ last_used_at: expect.anything() }),
      ]);
      const { key } = (await s.ok(['api-keys', 'create', 'old1', '--right-organization-info'])).json;
      await s.ok(['rights', 'old1'], undefined, { ORGS_API_KEY: key });
      const used = await s.sql(`SELECT id, last_used_at IS NOT NULL FROM orgs.api_keys ORDER BY id`);
      expect(used).toEqual(expect.arrayContaining(['OLDKEY|f', `${key.split('.')[1]}|t`]));
    }));

  test('of schema 7 gains contacts: the records kept, with none until one is set', () =>
    inStore(async (s) => {
      await s.sql(`CREATE SCHEMA orgs; SET search_path = orgs, public;
        ${MIGRATIONS.slice(0, 7)
          .map((m) => m.postgres)
          .join('\n')}
        COMMENT ON SCHEMA orgs IS 'orgs schema 7';
        INSERT INTO accounts VALUES ('user1', 'user'), ('old1', 'organization');
        INSERT INTO users (id, created_at, updated_at) VALUES ('user1', 0, 0);
        INSERT INTO organizations (id, created_at, updated_at) VALUES ('old1', 0, 0);
        INSERT INTO memberships VALUES ('old1', 'user1', '["RIGHT_ALL"]', 0, 0);
        INSERT INTO entities (kind, id, created_at, updated_at) VALUES ('application', 'app1', 0, 0);
        INSERT INTO entity_collaborators (entity_pk, account_id, rights, created_at, updated_at)
          SELECT pk, 'old1', '["RIGHT_APPLICATION_ALL"]', 0, 0 FROM entities;`);
      expect((await s.ok(['get', 'old1', '--all'])).json).not.toHaveProperty('administrative_contact');
      expect((await s.ok(['applications', 'get', 'app1', '--all'])).json).not.toHaveProperty('technical_contact');
      await s.ok(['applications', 'set', 'app1', '--technical-contact.ids.organization-ids.organization-id', 'old1']);
      expect(await s.sql(`SELECT technical_contact, administrative_contact IS NULL FROM orgs.entities`)).toEqual([
        'organization:old1|t',
      ]);
      expect(
        await s.sql(`SELECT obj_description(oid, 'pg_namespace') FROM pg_namespace WHERE nspname = 'orgs'`),
      ).toEqual([`orgs schema ${MIGRATIONS.length}`]);
    }));
});

describe.skipIf(!reachable)('a server that is not there', () => {
  let silent: Server;
  let silentPort: number;
  beforeAll(async () => {
    // Accepts connections and never answers: a server that hangs.
    silent = createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    silentPort = (silent.address() as { port: number }).port;
  });
  afterAll(() => silent.close());
  const s = () => sandbox();

  test('refusing connections: exit 6, one line, no password', async () => {
    const box = s();
    try {
      const result = await box.run(['--db', 'postgres://x:secret@127.0.0.1:1/none', 'list']);
      expectError(result, 6, 'unavailable');
      expect(result.stderr).toContain('postgres://x:***@127.0.0.1:1/none');
      expect(result.stderr).not.toContain('secret');
    } finally {
      await box.cleanup();
    }
  });

  test('refusing the login: exit 6, no password', async () => {
    const box = s();
    try {
      const url = databaseUrl('orgs_no_such_database').replace('//root@', '//nobody_here:secret@');
      const result = await box.run(['--db', url, 'list']);
      expectError(result, 6, 'unavailable');
      expect(result.stderr).not.toContain('secret');
    } finally {
      await box.cleanup();
    }
  });

  test('answering nothing: exit 6 within connect-timeout', async () => {
    const box = s();
    try {
      await box.ok(['config', 'set', 'connect-timeout', '1s']);
      const started = Date.now();
      const result = await box.run(['--db', `postgres://x:secret@127.0.0.1:${silentPort}/none`, 'list']);
      const seconds = (Date.now() - started) / 1000;
      expectError(result, 6, 'unavailable');
      expect(result.stderr).not.toContain('secret');
      expect(seconds).toBeLessThan(5);
    } finally {
      await box.cleanup();
    }
  });

  test('connect-timeout must be a duration longer than nothing', async () => {
    const box = s();
    try {
      for (const value of ['0s', 'soon']) expectError(await box.run(['config', 'set', 'connect-timeout', value]), 2);
      expect((await box.ok(['config', 'get', 'connect-timeout'])).stdout).toBe('10s\n');
    } finally {
      await box.cleanup();
    }
  });
});

describe.skipIf(!reachable)('a lock held by another connection', () => {
  test('is waited on for connect-timeout at most: exit 6, nothing changed', () =>
    inStore(async (s) => {
      await s.ok(['create', 'org1', '--user-id', 'user1']);
      await s.ok(['config', 'set', 'connect-timeout', '1s']);
      const holder = s.hold('LOCK TABLE orgs.accounts IN ACCESS EXCLUSIVE MODE');
      try {
        await holder.ready;
        const started = Date.now();
        const result = await s.run(['create', 'org2', '--user-id', 'user1']);
        expectError(result, 6, 'unavailable');
        expect((Date.now() - started) / 1000).toBeLessThan(5);
      } finally {
        await holder.release();
      }
      expect((await s.ok(['list'])).json.map((o: any) => o.ids.organization_id)).toEqual(['org1']);
    }));
});

describe.skipIf(!reachable)('the password', () => {
  test('is never printed: not by config get or list, not in errors, not in events', () =>
    inStore(async (s) => {
      // Trust authentication: the server ignores the password, orgs must still hide it.
      const withPassword = s.url.replace('//root@', '//root:hunter2@');
      await s.ok(['config', 'set', 'db', withPassword], undefined, { ORGS_DB: undefined });
      const outputs = [
        await s.ok(['config', 'get', 'db'], undefined, { ORGS_DB: undefined }),
        await s.ok(['config', 'list'], undefined, { ORGS_DB: undefined }),
        await s.ok(['create', 'org1', '--user-id', 'user1'], undefined, { ORGS_DB: undefined }),
        await s.ok(['events'], undefined, { ORGS_DB: undefined }),
        await s.run(['get', 'nothere'], undefined, { ORGS_DB: undefined }),
      ];
      expect(outputs[0]!.stdout).toBe(`${withPassword.replace('hunter2', '***')}\n`);
      expect(outputs[1]!.json.db).toBe(withPassword.replace('hunter2', '***'));
      for (const { stdout, stderr } of outputs) expect(stdout + stderr).not.toContain('hunter2');
    }));
});

describe.skipIf(!reachable)('orgs backup between the engines', () => {
  test('a local store into PostgreSQL and back: every record, and its API key still works', () =>
    inStore(async (database) => {
      const local = sandbox();
      try {
        const ok = (args: string[], env: Record<string, string> = {}) => local.ok(args, { env });
        await ok(['create', 'org1', '--user-id', 'user1', '--name', 'Straße Eins', '--attributes', 'team=radio']);
        await ok(['create', 'org2', '--user-id', 'user1']);
        await ok(['delete', 'org2']);
        await ok(['collaborators', 'set', 'org1', '--user-id', 'user2', '--right-organization-info']);
        await ok(['applications', 'create', 'app1', '--organization-id', 'org1']);
        await ok(['set', 'org1', '--technical-contact.ids.user-ids.user-id', 'user2']);
        const { key } = (await ok(['api-keys', 'create', 'org1', '--right-organization-info', '--name', 'reader']))
          .json;

        const moved = await ok(['backup', database.url]);
        expect(moved.stdout).toBe('');
        expect(await records(database.url)).toEqual(await records(local.db));
        // The key authenticates against the database; search finds what the index holds.
        expect((await database.ok(['rights', 'org1'], undefined, { ORGS_API_KEY: key })).json).toEqual([
          'RIGHT_ORGANIZATION_INFO',
        ]);
        // Contacts come along: org1's, one of them changed, and app1's, its organization.
        expect((await database.ok(['get', 'org1', '--all'])).json).toMatchObject({
          administrative_contact: { user_ids: { user_id: 'user1' } },
          technical_contact: { user_ids: { user_id: 'user2' } },
        });
        expect((await database.ok(['applications', 'get', 'app1', '--all'])).json).toMatchObject(
          contactsView('org1', 'organization'),
        );
        const found = await database.ok(['search', '--name-contains', 'STRAßE']);
        expect(found.json.map((o: any) => o.ids.organization_id)).toEqual(['org1']);
        const byAttribute = await database.ok(['search', '--attributes-contain', 'team=RAD']);
        expect(byAttribute.json.map((o: any) => o.ids.organization_id)).toEqual(['org1']);
        expect((await database.ok(['list', '--deleted'])).json.map((o: any) => o.ids.organization_id)).toEqual([
          'org2',
        ]);

        // New records go on from the copied ones: keys, and events in order.
        await database.ok(['create', 'org3', '--user-id', 'user1']);
        const ids = [...(await database.ok(['events'])).stdout.matchAll(/"unique_id": "([0-9A-Z]{26})"/g)].map(
          (m) => m[1],
        );
        expect(ids).toHaveLength((await records(local.db)).events!.length + 1);
        expect([...ids].sort()).toEqual(ids);

        // Into a database that already has a store: refused, nothing changed.
        const before = await storeRows(database.url);
        expectError(await local.run(['backup', database.url]), 5, 'backup_exists');
        expect(await storeRows(database.url)).toEqual(before);

        // And back to a file.
        const back = join(local.dir, 'back.db');
        await database.ok(['backup', back]);
        expect(await records(back)).toEqual(await records(database.url));
        expect((await ok(['rights', 'org1'], { ORGS_DB: back, ORGS_API_KEY: key })).json).toEqual([
          'RIGHT_ORGANIZATION_INFO',
        ]);
      } finally {
        await local.cleanup();
      }
    }));
});
