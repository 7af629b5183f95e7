/**
 * The Transaction contract (src/core/store.ts), one suite run in-process against every engine, as
 * The Things Stack's pkg/identityserver/storetest does: what passes on one engine must pass on the
 * other. A case that finds the engines differing is marked `fails` on the engine that differs,
 * with the difference named. The PostgreSQL half is skipped with one line without a server
 * (failing instead under CI=true: test/postgres-store.ts).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, afterEach, beforeEach, describe, expect, test } from 'vitest';
import type { Organization } from '../../src/core/model.js';
import type { OrganizationQuery, Store, Transaction } from '../../src/core/store.js';
import type { KeyOwnerKindName } from '../../src/core/key-owners.js';
import { openPostgresStore } from '../../src/store/postgres.js';
import { openSqliteStore } from '../../src/store/sqlite.js';
import { createTestDatabase, dropTestDatabase, emptyOrgsSchema } from '../postgres.js';
import { serverFor } from '../postgres-store.js';
import { apiKey, collaborator, entity, event, membership, organization, T0, user } from './conformance-fixtures.js';

interface Engine {
  name: 'sqlite' | 'postgres';
  /** Whether the engine can run here. */
  available: () => boolean;
  /** A new, empty store of the engine. */
  open(): Promise<Store>;
  /** After each case: nothing of it is left for the next one's open(). */
  cleanup(): Promise<void>;
  /** After the engine's last case. */
  finish(): Promise<void>;
  /**
   * Another connection holding what a writer of the API keys holds (SQLite's write lock, a key
   * row's lock on PostgreSQL) until the returned function is called.
   */
  lockApiKeys(): Promise<() => Promise<void>>;
}

function sqliteEngine(): Engine {
  let folder: string | undefined;
  let store: Store | undefined;
  return {
    name: 'sqlite',
    available: () => true,
    async open() {
      folder = mkdtempSync(join(tmpdir(), 'orgs-conformance-'));
      return (store = await openSqliteStore(join(folder, 'orgs.db')));
    },
    async cleanup() {
      await store?.close();
      if (folder) rmSync(folder, { recursive: true, force: true });
    },
    finish: async () => {},
    async lockApiKeys() {
      const other = new Database(join(folder!, 'orgs.db'));
      other.exec('BEGIN IMMEDIATE');
      return async () => {
        other.exec('ROLLBACK');
        other.close();
      };
    },
  };
}

/** One database (createTestDatabase) and store for all the engine's cases, emptied after each. */
function postgresEngine(): Engine {
  let database: { name: string; url: string } | undefined;
  let store: Store | undefined;
  let reachable: boolean | undefined;
  return {
    name: 'postgres',
    available: () => (reachable ??= serverFor('PostgreSQL conformance')),
    async open() {
      database ??= createTestDatabase();
      // A unique violation is taken for a lost race and run again until connect-timeout
      // (src/store/postgres.ts): short, so that the cases that break one fail soon.
      return (store ??= await openPostgresStore(database.url, { connectTimeoutMs: 1_000 }));
    },
    async cleanup() {
      if (database) await emptyOrgsSchema(database.url);
    },
    async finish() {
      await store?.close();
      if (database) dropTestDatabase(database.name);
    },
    async lockApiKeys() {
      const other = new pg.Client({ connectionString: database!.url });
      await other.connect();
      await other.query('BEGIN');
      await other.query('SELECT id FROM orgs.api_keys FOR UPDATE');
      return async () => {
        await other.query('ROLLBACK');
        await other.end();
      };
    },
  };
}

const ENGINES: Engine[] = [sqliteEngine(), postgresEngine()];

const byCreation: OrganizationQuery['order'] = { field: 'created_at', direction: 'asc' };
const orgQuery = (over: Partial<OrganizationQuery> = {}): OrganizationQuery => ({
  limit: 100,
  offset: 0,
  deleted: false,
  order: byCreation,
  ...over,
});
const ids = (records: Array<{ id: string }>) => records.map((record) => record.id);

describe.each(ENGINES)('the store contract on $name', (engine) => {
  const skip = !engine.available();

  let store: Store;
  beforeEach(async () => {
    if (!skip) store = await engine.open();
  });
  afterEach(async () => {
    if (!skip) await engine.cleanup();
  });
  afterAll(() => engine.finish());

  const it = skip ? test.skip : test;
  const write = <T>(work: (tx: Transaction) => Promise<T>) => store.write(work);
  const read = <T>(work: (tx: Transaction) => Promise<T>) => store.read(work);

  /** Writes these organizations in one transaction, in the order given. */
  const seedOrganizations = (...records: Organization[]) =>
    write(async (tx) => {
      for (const record of records) await tx.insertOrganizations([record]);
    });

  describe('organizations', () => {
    it('are read back equal, every field', async () => {
      const full = organization('org-full', { fanoutNotifications: true, deletedAt: T0 + 5 });
      await seedOrganizations(full);
      expect(await read((tx) => tx.getOrganization('org-full'))).toEqual(full);
    });

    it('are read back with absent optional fields absent and empty attributes', async () => {
      const bare = organization('org-bare', { attributes: {} });
      delete bare.name;
      delete bare.description;
      await seedOrganizations(bare);
      const got = await read((tx) => tx.getOrganization('org-bare'));
      expect(got).toEqual(bare);
      expect([got?.name, got?.description, got?.deletedAt]).toEqual([undefined, undefined, undefined]);
    });

    it('that are not there read as undefined', async () => {
      expect(await read((tx) => tx.getOrganization('nobody'))).toBeUndefined();
    });

    it('are updated, every field, and optional fields cleared', async () => {
      await seedOrganizations(organization('org1'));
      const changed = organization('org1', {
        description: 'new',
        attributes: { other: 'x' },
        fanoutNotifications: true,
        updatedAt: T0 + 9,
        deletedAt: T0 + 9,
      });
      delete changed.name;
      await write((tx) => tx.updateOrganization(changed));
      expect(await read((tx) => tx.getOrganization('org1'))).toEqual(changed);
    });

    it('are purged with their memberships, API keys and collaborations, and their ID freed', async () => {
      await write(async (tx) => {
        await tx.insertOrganizations([organization('org1')]);
        await tx.insertUser(user('user1'));
        await tx.putMembership(membership('org1', 'user1'));
        await tx.insertApiKey(apiKey('KEY1', 'org1'));
        await tx.insertEntities([entity('application', 'app1')]);
        await tx.putEntityCollaborator(collaborator('application', 'app1', { kind: 'organization', id: 'org1' }));
      });
      await write((tx) => tx.purgeOrganization('org1'));
      await read(async (tx) => {
        expect(await tx.getOrganization('org1')).toBeUndefined();
        expect(await tx.accountKind('org1')).toBeUndefined();
        expect(await tx.listUserMemberships('user1')).toEqual([]);
        expect(await tx.getApiKey('KEY1')).toBeUndefined();
        expect(await tx.listEntityCollaborators('application', 'app1')).toEqual([]);
        expect(await tx.listOrganizations(orgQuery({ query: 'org1' }))).toEqual([]);
        expect(await tx.getUser('user1')).toBeDefined();
      });
      await seedOrganizations(organization('org1', { name: 'Again' }));
      expect((await read((tx) => tx.getOrganization('org1')))?.name).toBe('Again');
    });
  });

  describe('accounts', () => {
    it('are told apart by kind, users and organizations sharing one namespace', async () => {
      await write(async (tx) => {
        await tx.insertOrganizations([organization('org1')]);
        await tx.insertUser(user('user1'));
      });
      await read(async (tx) => {
        expect(await tx.accountKind('org1')).toBe('organization');
        expect(await tx.accountKind('user1')).toBe('user');
        expect(await tx.accountKind('nobody')).toBeUndefined();
      });
      await expect(write((tx) => tx.insertUser(user('org1')))).rejects.toThrow();
    });

    it('prefetched answer as they would have without it, found or not', async () => {
      await write(async (tx) => {
        await tx.insertOrganizations([organization('org1')]);
        await tx.insertUser(user('user1'));
      });
      await write(async (tx) => {
        await tx.prefetchAccounts(['org1', 'user1', 'nobody']);
        expect(await tx.accountKind('org1')).toBe('organization');
        expect(await tx.accountKind('user1')).toBe('user');
        expect(await tx.accountKind('nobody')).toBeUndefined();
        // Created after the prefetch, in the same transaction.
        await tx.insertUser(user('nobody'));
        expect(await tx.accountKind('nobody')).toBe('user');
        await tx.deleteUser('user1');
        expect(await tx.accountKind('user1')).toBeUndefined();
      });
    });
  });

  describe('organizations, prefetched', () => {
    it('are read back as without a prefetch, found or not, and after writes in the same transaction', async () => {
      await write((tx) => tx.insertOrganizations([organization('org1')]));
      const deleted = organization('org1', { deletedAt: T0 + 5, updatedAt: T0 + 5 });
      await write(async (tx) => {
        await tx.prefetchOrganizations(['org1', 'org2']);
        expect(await tx.getOrganization('org1')).toEqual(organization('org1'));
        expect(await tx.getOrganization('org2')).toBeUndefined();
        await tx.updateOrganization(deleted);
        expect(await tx.getOrganization('org1')).toEqual(deleted);
        await tx.insertOrganizations([organization('org2')]);
        expect(await tx.getOrganization('org2')).toEqual(organization('org2'));
        await tx.purgeOrganization('org2');
        expect(await tx.getOrganization('org2')).toBeUndefined();
      });
      expect(await read((tx) => tx.getOrganization('org1'))).toEqual(deleted);
    });

    it("are read again, the transaction's own writes included, once its lookups are forgotten", async () => {
      await write((tx) => tx.insertOrganizations([organization('org1')]));
      const renamed = organization('org1', { name: 'Renamed', updatedAt: T0 + 5 });
      await write(async (tx) => {
        await tx.prefetchOrganizations(['org1', 'org2']);
        await tx.updateOrganization(renamed);
        await tx.insertUser(user('user1'));
        tx.forgetLookups();
        expect(await tx.getOrganization('org1')).toEqual(renamed);
        expect(await tx.getOrganization('org2')).toBeUndefined();
        expect(await tx.accountKind('user1')).toBe('user');
      });
    });

    it('are read back after a listing as without one', async () => {
      await write((tx) => tx.insertOrganizations([organization('org1', { attributes: { a: 'b' } })]));
      await read(async (tx) => {
        const order = { field: 'organization_id', direction: 'asc' } as const;
        await tx.listOrganizations({ deleted: false, order, limit: 10, offset: 0 });
        expect(await tx.getOrganization('org1')).toEqual(organization('org1', { attributes: { a: 'b' } }));
      });
    });
  });

  describe('users', () => {
    it('are read back after a prefetch as without one, found or not', async () => {
      await write((tx) => tx.insertUser(user('user1', { admin: true })));
      await write(async (tx) => {
        await tx.prefetchUsers(['user1', 'nobody']);
        expect(await tx.getUser('user1')).toEqual(user('user1', { admin: true }));
        expect(await tx.getUser('nobody')).toBeUndefined();
        // Registered after the prefetch, in the same transaction.
        await tx.insertUser(user('nobody'));
        expect(await tx.getUser('nobody')).toEqual(user('nobody'));
      });
    });

    it('are read back equal, with and without a name', async () => {
      const named = user('user1', { admin: true });
      const nameless = user('user2');
      delete nameless.name;
      await write(async (tx) => {
        await tx.insertUser(named);
        await tx.insertUser(nameless);
      });
      await read(async (tx) => {
        expect(await tx.getUser('user1')).toEqual(named);
        expect(await tx.getUser('user2')).toEqual(nameless);
        expect(await tx.getUser('nobody')).toBeUndefined();
      });
    });

    it('are updated', async () => {
      await write((tx) => tx.insertUser(user('user1')));
      const changed = user('user1', { admin: true, updatedAt: T0 + 7 });
      delete changed.name;
      await write((tx) => tx.updateUser(changed));
      expect(await read((tx) => tx.getUser('user1'))).toEqual(changed);
    });

    it('are deleted with their memberships and collaborations, and their ID freed', async () => {
      await write(async (tx) => {
        await tx.insertOrganizations([organization('org1')]);
        await tx.insertUser(user('user1'));
        await tx.insertUser(user('user2'));
        await tx.putMembership(membership('org1', 'user1'));
        await tx.putMembership(membership('org1', 'user2'));
        await tx.insertEntities([entity('gateway', 'gtw1')]);
        await tx.putEntityCollaborator(collaborator('gateway', 'gtw1', { kind: 'user', id: 'user1' }));
      });
      await write((tx) => tx.deleteUser('user1'));
      await read(async (tx) => {
        expect(await tx.getUser('user1')).toBeUndefined();
        expect(await tx.accountKind('user1')).toBeUndefined();
        expect((await tx.listMemberships('org1')).map((m) => m.userId)).toEqual(['user2']);
        expect(await tx.listAccountCollaborations('user1')).toEqual([]);
      });
      await write((tx) => tx.insertUser(user('user1')));
      expect(await read((tx) => tx.listUserMemberships('user1'))).toEqual([]);
    });

    it('are listed in ID order, paged', async () => {
      await write(async (tx) => {
        for (const id of ['user-c', 'user-a', 'user-b', 'user-d']) await tx.insertUser(user(id));
      });
      await read(async (tx) => {
        expect(ids(await tx.listUsers({ limit: 100, offset: 0 }))).toEqual(['user-a', 'user-b', 'user-c', 'user-d']);
        expect(ids(await tx.listUsers({ limit: 2, offset: 1 }))).toEqual(['user-b', 'user-c']);
        expect(ids(await tx.listUsers({ limit: 2, offset: 4 }))).toEqual([]);
      });
    });

    it('made --admin are listed apart, in ID order, and no more once unmade', async () => {
      await write(async (tx) => {
        for (const id of ['user-c', 'user-a', 'user-b']) await tx.insertUser({ ...user(id), admin: id !== 'user-b' });
      });
      expect(ids(await read((tx) => tx.listAdministrators()))).toEqual(['user-a', 'user-c']);
      await write(async (tx) => tx.updateUser({ ...(await tx.getUser('user-a'))!, admin: false }));
      expect(ids(await read((tx) => tx.listAdministrators()))).toEqual(['user-c']);
    });
  });

  describe('listing organizations', () => {
    /** Named so that ID, name and creation orders all differ; one without a name. */
    const seedForOrder = () =>
      seedOrganizations(
        organization('org-b', { name: 'Alpha', createdAt: T0 + 2 }),
        organization('org-c', { name: undefined, createdAt: T0 + 1 }),
        organization('org-a', { name: 'Charlie', createdAt: T0 + 3 }),
        organization('org-d', { name: 'Bravo', createdAt: T0 + 1 }),
      );

    const orders: Array<[OrganizationQuery['order'], string[]]> = [
      [{ field: 'organization_id', direction: 'asc' }, ['org-a', 'org-b', 'org-c', 'org-d']],
      [{ field: 'organization_id', direction: 'desc' }, ['org-d', 'org-c', 'org-b', 'org-a']],
      // Absent names first ascending, last descending (as SQLite sorts NULLs); the ID breaks ties.
      [{ field: 'name', direction: 'asc' }, ['org-c', 'org-b', 'org-d', 'org-a']],
      [{ field: 'name', direction: 'desc' }, ['org-a', 'org-d', 'org-b', 'org-c']],
      [{ field: 'created_at', direction: 'asc' }, ['org-c', 'org-d', 'org-b', 'org-a']],
      [{ field: 'created_at', direction: 'desc' }, ['org-a', 'org-b', 'org-d', 'org-c']],
    ];
    for (const [order, expected] of orders) {
      it(`orders by ${order.field} ${order.direction}`, async () => {
        await seedForOrder();
        expect(ids(await read((tx) => tx.listOrganizations(orgQuery({ order }))))).toEqual(expected);
      });
    }

    it('pages with limit and offset, without overlap', async () => {
      await seedForOrder();
      const order = { field: 'name', direction: 'asc' } as const;
      const pages = await read(async (tx) => [
        ids(await tx.listOrganizations(orgQuery({ order, limit: 3, offset: 0 }))),
        ids(await tx.listOrganizations(orgQuery({ order, limit: 3, offset: 3 }))),
        ids(await tx.listOrganizations(orgQuery({ order, limit: 3, offset: 6 }))),
      ]);
      expect(pages).toEqual([['org-c', 'org-b', 'org-d'], ['org-a'], []]);
    });

    it('lists live or deleted ones, as asked, read back whole and readable', async () => {
      const gone = organization('org-gone', { deletedAt: T0 + 4 });
      await seedOrganizations(organization('org-live'), gone);
      await read(async (tx) => {
        expect(ids(await tx.listOrganizations(orgQuery()))).toEqual(['org-live']);
        expect(await tx.listOrganizations(orgQuery({ deleted: true }))).toEqual([{ ...gone, readable: true }]);
      });
    });

    it('of a member, readable only where the member holds one of the rights given', async () => {
      await write(async (tx) => {
        for (const id of ['org1', 'org2', 'org3']) await tx.insertOrganizations([organization(id)]);
        await tx.insertUser(user('user1'));
        await tx.putMembership(membership('org1', 'user1', { rights: ['RIGHT_ORGANIZATION_INFO'] }));
        await tx.putMembership(membership('org2', 'user1', { rights: ['RIGHT_ORGANIZATION_DELETE'] }));
      });
      const listed = await read((tx) =>
        tx.listOrganizations(orgQuery({ memberOf: 'user1', readableWith: ['RIGHT_ORGANIZATION_INFO'] })),
      );
      expect(listed.map(({ id, readable }) => [id, readable])).toEqual([
        ['org1', true],
        ['org2', false],
      ]);
    });

    it('of a member, searches the description only where readable', async () => {
      await write(async (tx) => {
        await tx.insertOrganizations([organization('org1', { description: 'secret plans' })]);
        await tx.insertOrganizations([organization('org2', { description: 'secret plans' })]);
        await tx.insertUser(user('user1'));
        await tx.putMembership(membership('org1', 'user1', { rights: ['RIGHT_ORGANIZATION_INFO'] }));
        await tx.putMembership(membership('org2', 'user1', { rights: ['RIGHT_ORGANIZATION_DELETE'] }));
      });
      const query = orgQuery({ memberOf: 'user1', readableWith: ['RIGHT_ORGANIZATION_INFO'] });
      expect(ids(await read((tx) => tx.listOrganizations({ ...query, descriptionContains: 'secret' })))).toEqual([
        'org1',
      ]);
    });

    it('counts what a listing holds on every page, with its filters (X-Total-Count)', async () => {
      await seedForOrder();
      await write(async (tx) => {
        await tx.insertOrganizations([organization('org-gone', { deletedAt: T0 + 4 })]);
        await tx.insertUser(user('user1'));
        await tx.putMembership(membership('org-a', 'user1', { rights: ['RIGHT_ORGANIZATION_INFO'] }));
        await tx.putMembership(membership('org-b', 'user1', { rights: ['RIGHT_ORGANIZATION_DELETE'] }));
      });
      const { limit: _, offset: __, ...every } = orgQuery();
      const counts = await read(async (tx) => [
        await tx.countOrganizations(every),
        await tx.countOrganizations({ ...every, deleted: true }),
        await tx.countOrganizations({ ...every, nameContains: 'a' }),
        await tx.countOrganizations({ ...every, memberOf: 'user1', readableWith: ['RIGHT_ORGANIZATION_INFO'] }),
      ]);
      expect(counts).toEqual([4, 1, 3, 2]);
    });
  });

  describe('search', () => {
    const seedSearchable = () =>
      seedOrganizations(
        organization('org-strasse', { name: 'Große Straße', description: 'ÄÖ Überall', createdAt: T0 + 1 }),
        organization('org-percent', { name: '100% sure', description: 'snake_case here', createdAt: T0 + 2 }),
        organization('org-plain', {
          name: 'Plain',
          description: 'nothing',
          attributes: { region: 'us-west', tier: 'Silver' },
          createdAt: T0 + 3,
        }),
      );
    const search = (filters: Partial<OrganizationQuery>) =>
      read(async (tx) => ids(await tx.listOrganizations(orgQuery(filters))));

    it('by ID, name and description, each a substring', async () => {
      await seedSearchable();
      expect(await search({ idContains: 'perc' })).toEqual(['org-percent']);
      expect(await search({ nameContains: 'lai' })).toEqual(['org-plain']);
      expect(await search({ descriptionContains: 'noth' })).toEqual(['org-plain']);
      expect(await search({ idContains: 'org', nameContains: 'sure' })).toEqual(['org-percent']);
      expect(await search({ nameContains: 'nowhere' })).toEqual([]);
    });

    it('folds case, non-ASCII too, at every length', async () => {
      await seedSearchable();
      expect(await search({ nameContains: 'STRASSE' })).toEqual([]);
      expect(await search({ nameContains: 'STRAßE' })).toEqual(['org-strasse']);
      expect(await search({ nameContains: 'ß' })).toEqual(['org-strasse']);
      expect(await search({ descriptionContains: 'äö' })).toEqual(['org-strasse']);
      expect(await search({ descriptionContains: 'Ä' })).toEqual(['org-strasse']);
      expect(await search({ descriptionContains: 'üBERALL' })).toEqual(['org-strasse']);
    });

    it("takes '%' and '_' as plain characters", async () => {
      await seedSearchable();
      expect(await search({ nameContains: '%' })).toEqual(['org-percent']);
      expect(await search({ nameContains: '0%' })).toEqual(['org-percent']);
      expect(await search({ descriptionContains: '_' })).toEqual(['org-percent']);
      expect(await search({ descriptionContains: 'e_c' })).toEqual(['org-percent']);
      expect(await search({ idContains: '_' })).toEqual([]);
    });

    it('by query: the ID, the name or the description', async () => {
      await seedSearchable();
      expect(await search({ query: 'strasse' })).toEqual(['org-strasse']);
      expect(await search({ query: 'SURE' })).toEqual(['org-percent']);
      expect(await search({ query: 'überall' })).toEqual(['org-strasse']);
      expect(await search({ query: 'org-' })).toEqual(['org-strasse', 'org-percent', 'org-plain']);
    });

    it('by attributes: each key present with a value containing the text', async () => {
      await seedSearchable();
      expect(await search({ attributesContain: [['region', 'WEST']] })).toEqual(['org-plain']);
      expect(await search({ attributesContain: [['region', 'e']] })).toEqual([
        'org-strasse',
        'org-percent',
        'org-plain',
      ]);
      expect(
        await search({
          attributesContain: [
            ['region', 'us'],
            ['tier', 'silv'],
          ],
        }),
      ).toEqual(['org-plain']);
      expect(await search({ attributesContain: [['missing', '']] })).toEqual([]);
    });

    it('follows updates and purges', async () => {
      await seedSearchable();
      await write(async (tx) => {
        await tx.updateOrganization(organization('org-plain', { name: 'Renamed', createdAt: T0 + 3 }));
        await tx.purgeOrganization('org-percent');
      });
      expect(await search({ nameContains: 'plain' })).toEqual([]);
      expect(await search({ nameContains: 'renamed' })).toEqual(['org-plain']);
      expect(await search({ query: 'sure' })).toEqual([]);
    });

    it('sees what the same transaction created, changed and purged before it', async () => {
      // The index's rows of new records are held back until the transaction ends or the index is read.
      await seedSearchable();
      const inside = (filters: Partial<OrganizationQuery>) => (tx: Transaction) =>
        tx.listOrganizations(orgQuery(filters)).then(ids);
      await write(async (tx) => {
        await tx.insertOrganizations([organization('org-new', { name: 'Fresh Name', createdAt: T0 + 4 })]);
        expect(await inside({ nameContains: 'fresh' })(tx)).toEqual(['org-new']);
        expect(await tx.countOrganizations({ deleted: false, order: byCreation, nameContains: 'fresh' })).toBe(1);
        await tx.insertOrganizations([organization('org-newer', { name: 'Fresh Again', createdAt: T0 + 5 })]);
        await tx.updateOrganization(organization('org-new', { name: 'Stale', createdAt: T0 + 4 }));
        expect(await inside({ nameContains: 'fresh' })(tx)).toEqual(['org-newer']);
        expect(await inside({ nameContains: 'stale' })(tx)).toEqual(['org-new']);
        await tx.insertOrganizations([organization('org-gone', { name: 'Fresh Gone', createdAt: T0 + 6 })]);
        await tx.purgeOrganization('org-gone');
        await tx.insertEntities([entity('gateway', 'gtw-new', { name: 'Fresh Gateway' })]);
        await tx.purgeEntity('gateway', 'gtw-new');
        const gateways = { kind: 'gateway', deleted: false, order: { field: 'id', direction: 'asc' } } as const;
        expect(await tx.countEntities({ ...gateways, nameContains: 'fresh' })).toBe(0);
      });
      expect(await search({ nameContains: 'fresh' })).toEqual(['org-newer']);
      expect(await search({ nameContains: 'stale' })).toEqual(['org-new']);
    });

    it('of entities, by the same rules', async () => {
      await write(async (tx) => {
        await tx.insertEntities([entity('client', 'cli-1', { name: 'Straße', attributes: { k: 'Wert_1%' } })]);
        await tx.insertEntities([entity('client', 'cli-2', { name: 'Other' })]);
        await tx.insertEntities([entity('gateway', 'gtw-1', { name: 'Straße' })]);
      });
      const found = (filters: object) =>
        read(async (tx) =>
          ids(
            await tx.listEntities({
              kind: 'client',
              deleted: false,
              limit: 100,
              offset: 0,
              order: { field: 'id', direction: 'asc' },
              ...filters,
            }),
          ),
        );
      expect(await found({ nameContains: 'STRAßE' })).toEqual(['cli-1']);
      expect(await found({ query: 'other' })).toEqual(['cli-2']);
      expect(await found({ attributesContain: [['k', '_1%']] })).toEqual(['cli-1']);
      expect(await found({ attributesContain: [['k', 'wert']] })).toEqual(['cli-1']);
    });
  });

  describe('memberships', () => {
    const seedMembers = () =>
      write(async (tx) => {
        for (const id of ['org-b', 'org-a']) await tx.insertOrganizations([organization(id)]);
        for (const id of ['user2', 'user1']) await tx.insertUser(user(id));
        await tx.putMembership(membership('org-b', 'user2'));
        await tx.putMembership(membership('org-b', 'user1', { rights: ['RIGHT_ORGANIZATION_INFO'] }));
        await tx.putMembership(membership('org-a', 'user1'));
      });

    it('are read back equal; one that is not there is undefined', async () => {
      await seedMembers();
      await read(async (tx) => {
        expect(await tx.getMembership('org-b', 'user1')).toEqual(
          membership('org-b', 'user1', { rights: ['RIGHT_ORGANIZATION_INFO'] }),
        );
        expect(await tx.getMembership('org-a', 'user2')).toBeUndefined();
      });
    });

    it('are read back after a listing as without one, and after writes in the same transaction', async () => {
      await seedMembers();
      await write(async (tx) => {
        await tx.listUserMemberships('user1');
        const changed = membership('org-b', 'user1', { rights: ['RIGHT_ORGANIZATION_ALL'], updatedAt: T0 + 9 });
        await tx.putMembership(changed);
        expect(await tx.getMembership('org-b', 'user1')).toEqual(changed);
        await tx.deleteMembership('org-a', 'user1');
        expect(await tx.getMembership('org-a', 'user1')).toBeUndefined();
        await tx.listMemberships('org-b');
        await tx.deleteUser('user2');
        expect(await tx.getMembership('org-b', 'user2')).toBeUndefined();
        await tx.listMemberships('org-b');
        await tx.purgeOrganization('org-b');
        expect(await tx.getMembership('org-b', 'user1')).toBeUndefined();
      });
    });

    it('are listed by user ID for an organization, by organization ID for a user', async () => {
      await seedMembers();
      await read(async (tx) => {
        expect((await tx.listMemberships('org-b')).map((m) => m.userId)).toEqual(['user1', 'user2']);
        expect((await tx.listUserMemberships('user1')).map((m) => m.organizationId)).toEqual(['org-a', 'org-b']);
        expect(await tx.listUserMemberships('nobody')).toEqual([]);
      });
    });

    it('put again replace the rights and the update time, keeping the creation time', async () => {
      await seedMembers();
      await write((tx) =>
        tx.putMembership(
          membership('org-a', 'user1', { rights: ['RIGHT_ORGANIZATION_INFO'], createdAt: T0 + 50, updatedAt: T0 + 60 }),
        ),
      );
      expect(await read((tx) => tx.getMembership('org-a', 'user1'))).toEqual(
        membership('org-a', 'user1', { rights: ['RIGHT_ORGANIZATION_INFO'], updatedAt: T0 + 60 }),
      );
    });

    it('are deleted one at a time', async () => {
      await seedMembers();
      await write((tx) => tx.deleteMembership('org-b', 'user1'));
      await read(async (tx) => {
        expect(await tx.getMembership('org-b', 'user1')).toBeUndefined();
        expect((await tx.listMemberships('org-b')).map((m) => m.userId)).toEqual(['user2']);
        expect(await tx.getMembership('org-a', 'user1')).toBeDefined();
      });
    });
  });

  describe('API keys', () => {
    it('of several organizations are listed at once, by organization then ID', async () => {
      await write(async (tx) => {
        for (const id of ['org1', 'org2', 'org3']) await tx.insertOrganizations([organization(id)]);
        for (const [key, org] of [
          ['KEY3', 'org1'],
          ['KEY1', 'org2'],
          ['KEY2', 'org1'],
          ['KEY4', 'org3'],
        ] as const)
          await tx.insertApiKey(apiKey(key, org));
      });
      const listed = await read((tx) => tx.listApiKeysOf('organization', ['org2', 'org1', 'nowhere']));
      expect(listed.map((key) => `${key.ownerId}:${key.id}`)).toEqual(['org1:KEY2', 'org1:KEY3', 'org2:KEY1']);
      expect(listed[0]).toEqual(apiKey('KEY2', 'org1'));
      expect(await read((tx) => tx.listApiKeysOf('organization', []))).toEqual([]);
    });

    it('belong to users, applications and gateways too, kept apart by owner kind, and go with their owner', async () => {
      await write(async (tx) => {
        await tx.insertUser(user('u1'));
        await tx.insertOrganizations([organization('org1')]);
        for (const kind of ['application', 'gateway'] as const) await tx.insertEntities([entity(kind, 'x1')]);
        await tx.insertApiKey(apiKey('KEY-U', 'u1', { ownerKind: 'user', rights: ['RIGHT_USER_ALL'] }));
        await tx.insertApiKey(apiKey('KEY-O', 'org1'));
        await tx.insertApiKey(apiKey('KEY-A', 'x1', { ownerKind: 'application' }));
        await tx.insertApiKey(apiKey('KEY-G', 'x1', { ownerKind: 'gateway' }));
      });
      const of = (ownerKind: KeyOwnerKindName, ownerId: string) =>
        read(async (tx) =>
          ids(
            await tx.listApiKeys({
              ownerKind,
              ownerId,
              limit: 10,
              offset: 0,
              order: { field: 'api_key_id', direction: 'asc' },
            }),
          ),
        );
      expect(await of('user', 'u1')).toEqual(['KEY-U']);
      expect(await of('application', 'x1')).toEqual(['KEY-A']);
      expect(await of('gateway', 'x1')).toEqual(['KEY-G']);
      expect(await read((tx) => tx.getApiKey('KEY-U'))).toEqual(
        apiKey('KEY-U', 'u1', { ownerKind: 'user', rights: ['RIGHT_USER_ALL'] }),
      );
      expect(ids(await read((tx) => tx.listApiKeysOf('application', ['x1'])))).toEqual(['KEY-A']);
      await write(async (tx) => {
        await tx.purgeEntity('application', 'x1');
        await tx.deleteUser('u1');
        await tx.purgeOrganization('org1');
      });
      expect(await of('application', 'x1')).toEqual([]);
      expect(await of('user', 'u1')).toEqual([]);
      expect(await read((tx) => tx.getApiKey('KEY-O'))).toBeUndefined();
      expect(await of('gateway', 'x1')).toEqual(['KEY-G']);
    });

    it('are read back equal, with and without a name and an expiry', async () => {
      const full = apiKey('KEY1', 'org1');
      const bare = apiKey('KEY2', 'org1');
      delete bare.name;
      delete bare.expiresAt;
      await write(async (tx) => {
        await tx.insertOrganizations([organization('org1')]);
        await tx.insertApiKey(full);
        await tx.insertApiKey(bare);
      });
      await read(async (tx) => {
        expect(await tx.getApiKey('KEY1')).toEqual(full);
        expect(await tx.getApiKey('KEY2')).toEqual(bare);
        expect(await tx.getApiKey('KEY3')).toBeUndefined();
      });
    });

    it('are updated (name, rights, update time, expiry) and deleted', async () => {
      await write(async (tx) => {
        await tx.insertOrganizations([organization('org1')]);
        await tx.insertApiKey(apiKey('KEY1', 'org1'));
        await tx.insertApiKey(apiKey('KEY2', 'org1'));
      });
      const changed = apiKey('KEY1', 'org1', { rights: ['RIGHT_ORGANIZATION_ALL'], updatedAt: T0 + 8 });
      delete changed.name;
      delete changed.expiresAt;
      await write(async (tx) => {
        await tx.updateApiKey(changed);
        await tx.deleteApiKey('KEY2');
      });
      await read(async (tx) => {
        expect(await tx.getApiKey('KEY1')).toEqual(changed);
        expect(await tx.getApiKey('KEY2')).toBeUndefined();
      });
    });

    const seedKeys = () =>
      write(async (tx) => {
        await tx.insertOrganizations([organization('org1')]);
        await tx.insertOrganizations([organization('org2')]);
        await tx.insertApiKey(apiKey('KEY-B', 'org1', { name: 'alpha', createdAt: T0 + 2, expiresAt: undefined }));
        await tx.insertApiKey(apiKey('KEY-C', 'org1', { name: undefined, createdAt: T0 + 1, expiresAt: T0 + 30 }));
        await tx.insertApiKey(apiKey('KEY-A', 'org1', { name: 'bravo', createdAt: T0 + 3, expiresAt: T0 + 10 }));
        await tx.insertApiKey(apiKey('KEY-Z', 'org2'));
      });
    const keyOrders: Array<[{ field: 'api_key_id' | 'name' | 'created_at' | 'expires_at' }, string[]]> = [
      [{ field: 'api_key_id' }, ['KEY-A', 'KEY-B', 'KEY-C']],
      [{ field: 'name' }, ['KEY-C', 'KEY-B', 'KEY-A']],
      [{ field: 'created_at' }, ['KEY-C', 'KEY-B', 'KEY-A']],
      // No expiry sorts as an absent name does: first ascending.
      [{ field: 'expires_at' }, ['KEY-B', 'KEY-A', 'KEY-C']],
    ];
    for (const [{ field }, ascending] of keyOrders) {
      for (const direction of ['asc', 'desc'] as const) {
        it(`are listed by ${field} ${direction}, of one organization`, async () => {
          await seedKeys();
          const listed = await read((tx) =>
            tx.listApiKeys({
              ownerKind: 'organization',
              ownerId: 'org1',
              limit: 100,
              offset: 0,
              order: { field, direction },
            }),
          );
          expect(ids(listed)).toEqual(direction === 'asc' ? ascending : [...ascending].reverse());
        });
      }
    }

    it('record their last use once per hour, never back in time, and never wait for a lock', async () => {
      const hour = 3_600_000;
      await write(async (tx) => {
        await tx.insertOrganizations([organization('org1')]);
        await tx.insertApiKey(apiKey('KEY1', 'org1'));
      });
      const lastUsed = () => read(async (tx) => (await tx.getApiKey('KEY1'))!.lastUsedAt);
      expect(await lastUsed()).toBeUndefined();
      expect(await store.recordApiKeyUse('KEY1', T0 + hour)).toBe(true);
      expect(await store.recordApiKeyUse('KEY1', T0 + hour)).toBe(false);
      expect(await store.recordApiKeyUse('KEY1', T0)).toBe(false);
      expect(await lastUsed()).toBe(T0 + hour);
      expect(await store.recordApiKeyUse('KEY2', T0 + hour)).toBe(false);

      const release = await engine.lockApiKeys();
      try {
        const started = performance.now();
        expect(await store.recordApiKeyUse('KEY1', T0 + 2 * hour)).toBe(false);
        expect(performance.now() - started, 'no wait for the lock').toBeLessThan(500);
      } finally {
        await release();
      }
      expect(await lastUsed()).toBe(T0 + hour);
      // The store is usable afterwards, and records the next hour.
      expect(await store.recordApiKeyUse('KEY1', T0 + 2 * hour)).toBe(true);
      expect(await lastUsed()).toBe(T0 + 2 * hour);
    });

    it('are listed a page at a time', async () => {
      await seedKeys();
      const page = await read((tx) =>
        tx.listApiKeys({
          ownerKind: 'organization',
          ownerId: 'org1',
          limit: 1,
          offset: 1,
          order: { field: 'api_key_id', direction: 'desc' },
        }),
      );
      expect(ids(page)).toEqual(['KEY-B']);
    });
  });

  describe('entities', () => {
    it('are read back equal, of their kind only, and undefined when not there', async () => {
      const full = entity('application', 'app1', { deletedAt: T0 + 3 });
      const bare = entity('gateway', 'app1', { attributes: {} });
      delete bare.name;
      delete bare.description;
      await write(async (tx) => {
        await tx.insertEntities([full]);
        await tx.insertEntities([bare]);
      });
      await read(async (tx) => {
        expect(await tx.getEntity('application', 'app1')).toEqual(full);
        expect(await tx.getEntity('gateway', 'app1')).toEqual(bare);
        expect(await tx.getEntity('client', 'app1')).toBeUndefined();
      });
    });

    it('are updated, and read back after a prefetch as without one', async () => {
      await write(async (tx) => {
        await tx.insertEntities([entity('application', 'app1')]);
        await tx.insertEntities([entity('application', 'app2')]);
      });
      const changed = entity('application', 'app1', { attributes: { a: 'b' }, updatedAt: T0 + 6, deletedAt: T0 + 6 });
      delete changed.description;
      await write(async (tx) => {
        await tx.prefetchEntities('application', ['app1', 'app2', 'app3']);
        expect(await tx.getEntity('application', 'app3')).toBeUndefined();
        expect(await tx.getEntity('application', 'app2')).toEqual(entity('application', 'app2'));
        await tx.updateEntity(changed);
        expect(await tx.getEntity('application', 'app1')).toEqual(changed);
        await tx.insertEntities([entity('application', 'app3')]);
        expect(await tx.getEntity('application', 'app3')).toEqual(entity('application', 'app3'));
        await tx.purgeEntity('application', 'app2');
        expect(await tx.getEntity('application', 'app2')).toBeUndefined();
      });
      expect(await read((tx) => tx.getEntity('application', 'app1'))).toEqual(changed);
    });

    it('are purged with their collaborators and search rows, and their ID freed', async () => {
      await write(async (tx) => {
        await tx.insertUser(user('user1'));
        await tx.insertEntities([entity('client', 'cli1', { name: 'Findable' })]);
        await tx.putEntityCollaborator(collaborator('client', 'cli1', { kind: 'user', id: 'user1' }));
      });
      await write((tx) => tx.purgeEntity('client', 'cli1'));
      const listing = {
        kind: 'client',
        deleted: false,
        limit: 10,
        offset: 0,
        order: { field: 'id', direction: 'asc' },
      } as const;
      await read(async (tx) => {
        expect(await tx.getEntity('client', 'cli1')).toBeUndefined();
        expect(await tx.listAccountCollaborations('user1')).toEqual([]);
        expect(await tx.listEntities({ ...listing, nameContains: 'findable' })).toEqual([]);
      });
      await write((tx) => tx.insertEntities([entity('client', 'cli1', { name: 'Other' })]));
      await read(async (tx) => {
        expect(await tx.listEntityCollaborators('client', 'cli1')).toEqual([]);
        expect(await tx.listEntities({ ...listing, nameContains: 'findable' })).toEqual([]);
      });
    });

    const seedEntities = () =>
      write(async (tx) => {
        await tx.insertEntities([entity('gateway', 'gtw-b', { name: 'Alpha', createdAt: T0 + 2 })]);
        await tx.insertEntities([entity('gateway', 'gtw-c', { name: undefined, createdAt: T0 + 1 })]);
        await tx.insertEntities([entity('gateway', 'gtw-a', { name: 'Charlie', createdAt: T0 + 3 })]);
        await tx.insertEntities([entity('gateway', 'gtw-d', { name: 'Bravo', createdAt: T0 + 1 })]);
        await tx.insertEntities([entity('gateway', 'gtw-x', { deletedAt: T0 + 5 })]);
        await tx.insertEntities([entity('application', 'app-1')]);
      });
    const entityOrders: Array<[{ field: 'id' | 'name' | 'created_at' }, string[]]> = [
      [{ field: 'id' }, ['gtw-a', 'gtw-b', 'gtw-c', 'gtw-d']],
      [{ field: 'name' }, ['gtw-c', 'gtw-b', 'gtw-d', 'gtw-a']],
      [{ field: 'created_at' }, ['gtw-c', 'gtw-d', 'gtw-b', 'gtw-a']],
    ];
    for (const [{ field }, ascending] of entityOrders) {
      for (const direction of ['asc', 'desc'] as const) {
        it(`are listed by ${field} ${direction}, of their kind, live`, async () => {
          await seedEntities();
          const listed = await read((tx) =>
            tx.listEntities({ kind: 'gateway', deleted: false, limit: 100, offset: 0, order: { field, direction } }),
          );
          expect(ids(listed)).toEqual(direction === 'asc' ? ascending : [...ascending].reverse());
        });
      }
    }

    it('are listed deleted when asked, and a page at a time', async () => {
      await seedEntities();
      await read(async (tx) => {
        const order = { field: 'name', direction: 'asc' } as const;
        expect(ids(await tx.listEntities({ kind: 'gateway', deleted: true, limit: 10, offset: 0, order }))).toEqual([
          'gtw-x',
        ]);
        expect(ids(await tx.listEntities({ kind: 'gateway', deleted: false, limit: 2, offset: 1, order }))).toEqual([
          'gtw-b',
          'gtw-d',
        ]);
      });
    });
  });

  describe('entity collaborators', () => {
    const seedCollaborators = () =>
      write(async (tx) => {
        await tx.insertUser(user('user1'));
        await tx.insertUser(user('user2'));
        await tx.insertOrganizations([organization('org1')]);
        await tx.insertOrganizations([organization('org-gone', { deletedAt: T0 + 1 })]);
        await tx.putMembership(membership('org1', 'user1', { rights: ['RIGHT_APPLICATION_ALL'] }));
        await tx.putMembership(membership('org-gone', 'user1'));
        await tx.insertEntities([entity('application', 'app1')]);
        await tx.insertEntities([entity('application', 'app2', { deletedAt: T0 + 2 })]);
        await tx.insertEntities([entity('client', 'cli1')]);
        await tx.putEntityCollaborator(
          collaborator('application', 'app1', { kind: 'user', id: 'user1' }, { rights: ['RIGHT_APPLICATION_INFO'] }),
        );
        await tx.putEntityCollaborator(
          collaborator(
            'application',
            'app1',
            { kind: 'organization', id: 'org1' },
            { rights: ['RIGHT_APPLICATION_LINK'] },
          ),
        );
        await tx.putEntityCollaborator(collaborator('application', 'app1', { kind: 'organization', id: 'org-gone' }));
        await tx.putEntityCollaborator(collaborator('application', 'app2', { kind: 'organization', id: 'org1' }));
        await tx.putEntityCollaborator(collaborator('client', 'cli1', { kind: 'organization', id: 'org1' }));
      });

    it('are read back equal, users and organizations, undefined when not there', async () => {
      await seedCollaborators();
      await read(async (tx) => {
        expect(await tx.getEntityCollaborator('application', 'app1', 'user1')).toEqual(
          collaborator('application', 'app1', { kind: 'user', id: 'user1' }, { rights: ['RIGHT_APPLICATION_INFO'] }),
        );
        expect(await tx.getEntityCollaborator('application', 'app1', 'org1')).toEqual(
          collaborator(
            'application',
            'app1',
            { kind: 'organization', id: 'org1' },
            { rights: ['RIGHT_APPLICATION_LINK'] },
          ),
        );
        expect(await tx.getEntityCollaborator('application', 'app1', 'user2')).toBeUndefined();
        expect(await tx.getEntityCollaborator('gateway', 'app1', 'user1')).toBeUndefined();
      });
    });

    it('are read back after a listing as without one, and after writes in the same transaction', async () => {
      await seedCollaborators();
      await write(async (tx) => {
        await tx.listEntityCollaborators('application', 'app1');
        const changed = collaborator(
          'application',
          'app1',
          { kind: 'user', id: 'user1' },
          { rights: ['RIGHT_APPLICATION_ALL'], updatedAt: T0 + 9 },
        );
        await tx.putEntityCollaborator(changed);
        expect(await tx.getEntityCollaborator('application', 'app1', 'user1')).toEqual(changed);
        await tx.deleteEntityCollaborator('application', 'app1', 'org1');
        expect(await tx.getEntityCollaborator('application', 'app1', 'org1')).toBeUndefined();
        await tx.listEntityCollaborators('application', 'app1');
        await tx.deleteUser('user1');
        expect(await tx.getEntityCollaborator('application', 'app1', 'user1')).toBeUndefined();
        await tx.listEntityCollaborators('client', 'cli1');
        await tx.purgeOrganization('org1');
        expect(await tx.getEntityCollaborator('client', 'cli1', 'org1')).toBeUndefined();
        await tx.listEntityCollaborators('application', 'app1');
        await tx.purgeEntity('application', 'app1');
        expect(await tx.getEntityCollaborator('application', 'app1', 'org-gone')).toBeUndefined();
      });
    });

    it("are listed in ID order for an entity, by kind and ID for an account (deleted entities' too)", async () => {
      await seedCollaborators();
      await read(async (tx) => {
        expect((await tx.listEntityCollaborators('application', 'app1')).map((c) => c.collaborator.id)).toEqual([
          'org-gone',
          'org1',
          'user1',
        ]);
        expect((await tx.listAccountCollaborations('org1')).map((c) => `${c.entityKind}:${c.entityId}`)).toEqual([
          'application:app1',
          'application:app2',
          'client:cli1',
        ]);
        expect(await tx.listAccountCollaborations('user2')).toEqual([]);
      });
    });

    it('put again replace the rights and the update time; deleted one at a time', async () => {
      await seedCollaborators();
      const replaced = collaborator(
        'application',
        'app1',
        { kind: 'user', id: 'user1' },
        { rights: ['RIGHT_APPLICATION_ALL'], updatedAt: T0 + 20 },
      );
      await write(async (tx) => {
        await tx.putEntityCollaborator({ ...replaced, createdAt: T0 + 20 });
        await tx.deleteEntityCollaborator('application', 'app1', 'org1');
      });
      await read(async (tx) => {
        expect(await tx.getEntityCollaborator('application', 'app1', 'user1')).toEqual(replaced);
        expect(await tx.getEntityCollaborator('application', 'app1', 'org1')).toBeUndefined();
        expect(await tx.getEntityCollaborator('application', 'app2', 'org1')).toBeDefined();
      });
    });

    it('filter entity listings by collaborator and by reach through live organizations', async () => {
      await seedCollaborators();
      const listing = {
        kind: 'application',
        deleted: false,
        limit: 10,
        offset: 0,
        order: { field: 'id', direction: 'asc' },
      } as const;
      await read(async (tx) => {
        expect(ids(await tx.listEntities({ ...listing, collaborator: 'user1' }))).toEqual(['app1']);
        expect(ids(await tx.listEntities({ ...listing, collaborator: 'user2' }))).toEqual([]);
        expect(ids(await tx.listEntities({ ...listing, deleted: true, reachableBy: 'user1' }))).toEqual(['app2']);
        expect(ids(await tx.listEntities({ ...listing, reachableBy: 'user2' }))).toEqual([]);
      });
    });

    it('make up rights sources: direct, and through each live organization the user is a member of', async () => {
      await seedCollaborators();
      const sources = await read((tx) => tx.rightsSources('application', ['app1', 'app2', 'app9'], 'user1'));
      expect(Object.fromEntries(sources)).toEqual({
        app1: {
          direct: ['RIGHT_APPLICATION_INFO'],
          organizations: [
            {
              organizationId: 'org1',
              memberRights: ['RIGHT_APPLICATION_ALL'],
              organizationRights: ['RIGHT_APPLICATION_LINK'],
            },
          ],
        },
        app2: {
          organizations: [
            {
              organizationId: 'org1',
              memberRights: ['RIGHT_APPLICATION_ALL'],
              organizationRights: ['RIGHT_APPLICATION_INFO'],
            },
          ],
        },
        app9: { organizations: [] },
      });
      expect(Object.fromEntries(await read((tx) => tx.rightsSources('application', ['app1'], 'user2')))).toEqual({
        app1: { organizations: [] },
      });
    });

    it("make up every user's rights sources on an entity, each as rightsSources finds it", async () => {
      await seedCollaborators();
      await write(async (tx) => {
        await tx.insertUser(user('user3'));
        await tx.putMembership(membership('org1', 'user2', { rights: ['RIGHT_APPLICATION_INFO'] }));
        // A member of the deleted organization only: no source.
        await tx.putMembership(membership('org-gone', 'user3'));
      });
      const sources = await read((tx) => tx.entityRightsSources('application', 'app1'));
      expect([...sources.keys()].sort()).toEqual(['user1', 'user2']);
      // The users it names come with their sources, and are read back as getUser reads them.
      expect(sources.get('user1')!.user).toEqual(user('user1'));
      await read(async (tx) => {
        await tx.entityRightsSources('application', 'app1');
        expect(await tx.getUser('user1')).toEqual(user('user1'));
        expect(await tx.getUser('user3')).toEqual(user('user3'));
      });
      for (const userId of ['user1', 'user2']) {
        const one = await read((tx) => tx.rightsSources('application', ['app1'], userId));
        expect(sources.get(userId)!.sources).toEqual(one.get('app1'));
      }
      expect(sources.get('user2')!.sources).toEqual({
        organizations: [
          {
            organizationId: 'org1',
            memberRights: ['RIGHT_APPLICATION_INFO'],
            organizationRights: ['RIGHT_APPLICATION_LINK'],
          },
        ],
      });
      // A deleted entity's collaborators are still its sources (the caller decides), an unknown one has none.
      expect([...(await read((tx) => tx.entityRightsSources('application', 'app2'))).keys()].sort()).toEqual([
        'user1',
        'user2',
      ]);
      expect((await read((tx) => tx.entityRightsSources('gateway', 'app1'))).size).toBe(0);
    });

    it("make up a user's rights sources on every live entity it reaches, each as rightsSources finds it", async () => {
      await seedCollaborators();
      const sources = await read((tx) => tx.userRightsSources('user1'));
      // app2 is deleted; org-gone too, and it collaborates on nothing else.
      expect([...sources].map(([kind, byId]) => [kind, [...byId.keys()]])).toEqual([
        ['application', ['app1']],
        ['client', ['cli1']],
      ]);
      for (const [kind, byId] of sources) {
        for (const [id, source] of byId) {
          const one = await read((tx) => tx.rightsSources(kind, [id], 'user1'));
          expect(source).toEqual(one.get(id));
        }
      }
      expect((await read((tx) => tx.userRightsSources('user2'))).size).toBe(0);
    });
  });

  describe('events', () => {
    const org1 = { kind: 'organization', id: 'org1' } as const;
    const org2 = { kind: 'organization', id: 'org2' } as const;
    const user1 = { kind: 'user', id: 'user1' } as const;

    it('are read back equal, in commit order, with their seq', async () => {
      const first = event('organization.create', [org1, user1], { time: T0 + 1 });
      const second = event('organization.update', [org1], { time: T0 + 2, data: undefined });
      await write((tx) => tx.insertEvents([first]));
      await write((tx) => tx.insertEvents([second]));
      const listed = await read((tx) => tx.listEvents({ newestFirst: false, limit: 10 }));
      expect(listed.map(({ seq: _seq, ...rest }) => rest)).toEqual([first, second]);
      expect(listed[0]!.seq).toBeLessThan(listed[1]!.seq!);
      // An event without data reads back without it.
      expect(Object.keys(listed[1]!)).not.toContain('data');
    });

    it('are listed by identifiers, names, since, after and before, newest first, limited', async () => {
      const events = [
        event('organization.create', [org1], { time: T0 + 1 }),
        event('organization.create', [org2], { time: T0 + 2 }),
        event('organization.update', [org1, user1], { time: T0 + 3 }),
        event('user.update', [user1], { time: T0 + 4 }),
      ];
      await write(async (tx) => {
        for (const e of events) await tx.insertEvents([e]);
      });
      await read(async (tx) => {
        const names = async (query: Parameters<Transaction['listEvents']>[0]) =>
          (await tx.listEvents(query)).map((e) => e.uniqueId);
        const [a, b, c, d] = events.map((e) => e.uniqueId);
        const seqs = (await tx.listEvents({ newestFirst: false, limit: 10 })).map((e) => e.seq!);
        expect(await names({ identifiers: ['organization:org1'], newestFirst: false, limit: 10 })).toEqual([a, c]);
        expect(
          await names({ identifiers: ['user:user1', 'organization:org2'], newestFirst: false, limit: 10 }),
        ).toEqual([b, c, d]);
        expect(await names({ names: ['organization.create', 'user.update'], newestFirst: false, limit: 10 })).toEqual([
          a,
          b,
          d,
        ]);
        expect(await names({ since: T0 + 3, newestFirst: false, limit: 10 })).toEqual([c, d]);
        expect(await names({ afterSeq: seqs[1], newestFirst: false, limit: 10 })).toEqual([c, d]);
        expect(await names({ beforeSeq: seqs[2], newestFirst: true, limit: 10 })).toEqual([b, a]);
        // The tail: the newest two.
        expect(await names({ newestFirst: true, limit: 2 })).toEqual([d, c]);
        expect(await names({ identifiers: ['organization:nobody'], newestFirst: false, limit: 10 })).toEqual([]);
      });
    });

    it('begin a life at a creation: lifeOf is its seq, 0 for a record older than the trail', async () => {
      await write(async (tx) => {
        await tx.insertOrganizations([organization('org1')]);
        await tx.insertOrganizations([organization('org2')]);
        await tx.insertEntities([entity('application', 'app1')]);
        await tx.insertEvents([event('organization.update', [org1])]);
        await tx.insertEvents([event('organization.create', [org1])]);
        await tx.insertEvents([event('application.create', [{ kind: 'application', id: 'app1' }, org1])]);
      });
      const seqs = (await read((tx) => tx.listEvents({ newestFirst: false, limit: 10 }))).map((e) => e.seq!);
      await read(async (tx) => {
        expect(await tx.lifeOf(org1)).toBe(seqs[1]);
        expect(await tx.lifeOf({ kind: 'application', id: 'app1' })).toBe(seqs[2]);
        expect(await tx.lifeOf(org2)).toBe(0);
        expect(await tx.lifeOf({ kind: 'organization', id: 'nobody' })).toBeUndefined();
        expect(await tx.lifeOf({ kind: 'user', id: 'org1' })).toBeUndefined();
      });
      // A second creation (the ID purged and taken again) begins a new life.
      await write((tx) => tx.insertEvents([event('organization.create', [org1])]));
      const newest = (await read((tx) => tx.listEvents({ newestFirst: true, limit: 1 })))[0]!.seq;
      expect(await read((tx) => tx.lifeOf(org1))).toBe(newest);
    });

    it('name the newest by lastEventId, none before the first', async () => {
      expect(await read((tx) => tx.lastEventId())).toBeUndefined();
      const first = event('user.update', [user1]);
      const second = event('user.update', [user1]);
      await write(async (tx) => {
        await tx.insertEvents([first]);
        await tx.insertEvents([second]);
      });
      // What the core needs (src/core/events.ts): no newer ID is below it, the newest not above
      // its first 12 characters' range.
      const last = await write((tx) => tx.lastEventId());
      expect(last! >= second.uniqueId).toBe(true);
      expect(last!.slice(0, 12)).toBe(second.uniqueId.slice(0, 12));
    });

    it('are pruned before a time, with their identifiers', async () => {
      await write(async (tx) => {
        await tx.insertEvents([event('organization.update', [org1], { time: T0 + 1 })]);
        await tx.insertEvents([event('organization.update', [org1, user1], { time: T0 + 2 })]);
        await tx.insertEvents([event('organization.update', [org1], { time: T0 + 3 })]);
      });
      expect(await write((tx) => tx.pruneEvents(T0 + 3))).toBe(2);
      await read(async (tx) => {
        expect((await tx.listEvents({ newestFirst: false, limit: 10 })).map((e) => e.time)).toEqual([T0 + 3]);
        expect(await tx.listEvents({ identifiers: ['user:user1'], newestFirst: false, limit: 10 })).toEqual([]);
      });
      expect(await write((tx) => tx.pruneEvents(T0))).toBe(0);
    });
  });

  describe('batched inserts', () => {
    /** More rows than one statement of either engine holds, and a remainder of odd size. */
    const MANY = 600;
    const numbered = (prefix: string) => Array.from({ length: MANY }, (_, i) => `${prefix}-${i}`);

    it('insertOrganizations: every organization read back equal, with its account and search row', async () => {
      const records = numbered('org').map((id, i) =>
        organization(id, i % 2 ? { attributes: {}, name: `Batch ${i}` } : { description: `Batch ${i}` }),
      );
      await write(async (tx) => {
        await tx.insertOrganizations([]);
        await tx.insertOrganizations([organization('org-single')]);
        await tx.insertOrganizations(records);
      });
      await read(async (tx) => {
        for (const record of [records[0]!, records[1]!, records[MANY - 1]!]) {
          expect(await tx.getOrganization(record.id)).toEqual(record);
          expect(await tx.accountKind(record.id)).toBe('organization');
        }
        expect(await tx.countOrganizations({ deleted: false, order: byCreation })).toBe(MANY + 1);
        const found = await tx.listOrganizations(orgQuery({ query: 'batch 599', limit: 10 }));
        expect(ids(found)).toEqual(['org-599']);
      });
    });

    it('putMemberships: every membership written, a later one of the same two IDs winning', async () => {
      const orgIds = numbered('org');
      await write(async (tx) => {
        await tx.insertUser(user('user1'));
        await tx.insertOrganizations(orgIds.map((id) => organization(id)));
        await tx.putMembership(membership('org-0', 'user1', { rights: ['RIGHT_ORGANIZATION_INFO'] }));
      });
      await write((tx) =>
        tx.putMemberships([
          ...orgIds.map((id) => membership(id, 'user1')),
          membership('org-7', 'user1', { rights: ['RIGHT_ORGANIZATION_DELETE'] }),
        ]),
      );
      await read(async (tx) => {
        const held = await tx.listUserMemberships('user1');
        expect(held).toHaveLength(MANY);
        expect(held.find((m) => m.organizationId === 'org-0')).toEqual(membership('org-0', 'user1'));
        expect((await tx.getMembership('org-7', 'user1'))?.rights).toEqual(['RIGHT_ORGANIZATION_DELETE']);
      });
    });

    it('insertEntities and putEntityCollaborators: every entity and collaborator, a later one winning', async () => {
      const apps = numbered('app').map((id, i) => entity('application', id, { name: `Batch ${i}` }));
      const org1 = { kind: 'organization', id: 'org1' } as const;
      await write(async (tx) => {
        await tx.insertOrganizations([organization('org1')]);
        await tx.insertEntities(apps);
        await tx.putEntityCollaborators([
          ...apps.map((app) => collaborator('application', app.id, org1)),
          collaborator('application', 'app-3', org1, { rights: ['RIGHT_APPLICATION_ALL'] }),
        ]);
      });
      await read(async (tx) => {
        expect(await tx.getEntity('application', 'app-599')).toEqual(apps[MANY - 1]);
        const found = await tx.listEntities({
          kind: 'application',
          deleted: false,
          query: 'batch 599',
          order: { field: 'id', direction: 'asc' },
          limit: 10,
          offset: 0,
        });
        expect(ids(found)).toEqual(['app-599']);
        const held = await tx.listAccountCollaborations('org1');
        expect(held).toHaveLength(MANY);
        expect(held.find((c) => c.entityId === 'app-0')).toEqual(collaborator('application', 'app-0', org1));
        expect((await tx.getEntityCollaborator('application', 'app-3', 'org1'))?.rights).toEqual([
          'RIGHT_APPLICATION_ALL',
        ]);
      });
    });

    it('in batches of one transaction, each referring to its own rows, land whole (as bulk create writes them)', async () => {
      // PostgreSQL holds inserts back and sends them once many wait: no row may go before one it refers to.
      const rounds = 5;
      const perRound = 256;
      const org1 = { kind: 'organization', id: 'org1' } as const;
      const round = (prefix: string, r: number) => Array.from({ length: perRound }, (_, i) => `${prefix}-${r}-${i}`);
      await write(async (tx) => {
        await tx.insertUser(user('user1'));
        for (let r = 0; r < rounds; r++) {
          const orgIds = round('org', r);
          await tx.insertOrganizations(orgIds.map((id) => organization(id)));
          await tx.putMemberships(orgIds.map((id) => membership(id, 'user1')));
          await tx.insertEvents([event('organization.create', [{ kind: 'organization', id: orgIds[0]! }])]);
        }
      });
      await write(async (tx) => {
        await tx.insertOrganizations([organization('org1')]);
        for (let r = 0; r < rounds; r++) {
          const apps = round('app', r).map((id) => entity('application', id));
          await tx.insertEntities(apps);
          await tx.putEntityCollaborators(apps.map((app) => collaborator('application', app.id, org1)));
          await tx.insertEvents([event('application.create', [{ kind: 'application', id: apps[0]!.id }])]);
        }
      });
      await read(async (tx) => {
        expect(await tx.listUserMemberships('user1')).toHaveLength(rounds * perRound);
        expect(await tx.listAccountCollaborations('org1')).toHaveLength(rounds * perRound);
        const last = `${rounds - 1}-${perRound - 1}`;
        expect(await tx.countOrganizations({ deleted: false, order: byCreation, idContains: `org-${last}` })).toBe(1);
        const order = { field: 'id', direction: 'asc' } as const;
        expect(await tx.countEntities({ kind: 'application', deleted: false, order, idContains: `app-${last}` })).toBe(
          1,
        );
      });
    });

    it('insertEvents: numbered in the order given, with identifiers and lives, the newest last', async () => {
      const org1 = { kind: 'organization', id: 'org1' } as const;
      const creations = numbered('org').map((id) => event('organization.create', [{ kind: 'organization', id }]));
      const batch = [
        event('organization.create', [org1]),
        ...creations,
        event('organization.update', [org1, { kind: 'user', id: 'user1' }]),
        // org1 created again in the same batch: its life begins at the later creation.
        event('organization.create', [org1]),
      ];
      await write(async (tx) => {
        await tx.insertOrganizations([
          organization('org1'),
          ...creations.map((e) => organization(e.identifiers[0]!.id)),
        ]);
        await tx.insertEvents([]);
        await tx.insertEvents(batch);
      });
      const listed = await read((tx) => tx.listEvents({ newestFirst: false, limit: MANY + 10 }));
      expect(listed.map(({ seq: _seq, ...rest }) => rest)).toEqual(batch);
      const seqs = listed.map((e) => e.seq!);
      expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
      await read(async (tx) => {
        expect(await tx.lifeOf(org1)).toBe(seqs[MANY + 2]);
        expect(await tx.lifeOf({ kind: 'organization', id: 'org-42' })).toBe(seqs[43]);
        const about = await tx.listEvents({ identifiers: ['user:user1'], newestFirst: false, limit: 10 });
        expect(about.map((e) => e.seq)).toEqual([seqs[MANY + 1]]);
      });
      const last = await write((tx) => tx.lastEventId());
      expect(last! >= batch[batch.length - 1]!.uniqueId).toBe(true);
      expect(last!.slice(0, 12)).toBe(batch[batch.length - 1]!.uniqueId.slice(0, 12));
    });
  });

  describe('transactions', () => {
    it('commit all of a write', async () => {
      await write(async (tx) => {
        await tx.insertUser(user('user1'));
        await tx.insertOrganizations([organization('org1')]);
      });
      expect(await read(async (tx) => [await tx.accountKind('user1'), await tx.accountKind('org1')])).toEqual([
        'user',
        'organization',
      ]);
    });

    it('whose work throws leave nothing behind, and pass the error on as it is', async () => {
      const failure = new Error('the work failed');
      await expect(
        write(async (tx) => {
          await tx.insertUser(user('user1'));
          await tx.insertOrganizations([organization('org1')]);
          await tx.insertEvents([event('organization.create', [{ kind: 'organization', id: 'org1' }])]);
          throw failure;
        }),
      ).rejects.toBe(failure);
      await read(async (tx) => {
        expect(await tx.getUser('user1')).toBeUndefined();
        expect(await tx.getOrganization('org1')).toBeUndefined();
        expect(await tx.listOrganizations(orgQuery({ query: 'org1' }))).toEqual([]);
        expect(await tx.listEvents({ newestFirst: false, limit: 10 })).toEqual([]);
      });
    });

    it('that break a constraint fail whole', async () => {
      await write((tx) => tx.insertUser(user('user1')));
      await expect(
        write(async (tx) => {
          await tx.insertOrganizations([organization('org1')]);
          await tx.insertUser(user('user1'));
        }),
      ).rejects.toThrow();
      expect(await read((tx) => tx.getOrganization('org1'))).toBeUndefined();
      // The store is usable afterwards.
      await write((tx) => tx.insertOrganizations([organization('org1')]));
      expect(await read((tx) => tx.accountKind('org1'))).toBe('organization');
    });

    it('on trial see their own writes, and after undo() the state they began in; nothing is kept', async () => {
      await write((tx) => tx.insertUser(user('user1')));
      const seen = await store.trial(async (tx, undo) => {
        await tx.insertOrganizations([organization('org1')]);
        await tx.insertEvents([event('organization.create', [{ kind: 'organization', id: 'org1' }])]);
        await tx.deleteUser('user1');
        const during = [await tx.accountKind('org1'), await tx.accountKind('user1')];
        const before = await undo();
        const after = [await before.accountKind('org1'), await before.accountKind('user1')];
        // Work again on the undone state, as --dry-run does, and still keep nothing.
        await before.insertOrganizations([organization('org2')]);
        return { during, after, again: await before.accountKind('org2') };
      });
      expect(seen).toEqual({ during: ['organization', undefined], after: [undefined, 'user'], again: 'organization' });
      await read(async (tx) => {
        expect([await tx.accountKind('org1'), await tx.accountKind('org2'), await tx.accountKind('user1')]).toEqual([
          undefined,
          undefined,
          'user',
        ]);
        expect(await tx.listEvents({ newestFirst: false, limit: 10 })).toEqual([]);
      });
    });

    it('on trial fail as the write would, on a broken constraint, and keep nothing', async () => {
      await write((tx) => tx.insertUser(user('user1')));
      await expect(
        store.trial(async (tx) => {
          await tx.insertOrganizations([organization('org1')]);
          await tx.insertUser(user('user1'));
        }),
      ).rejects.toThrow();
      expect(await read((tx) => tx.getOrganization('org1'))).toBeUndefined();
    });

    it('return what their work returns', async () => {
      expect(await read(async () => 42)).toBe(42);
      expect(await write(async () => 'done')).toBe('done');
    });

    it('refuse a write in a read transaction', async () => {
      await expect(read((tx) => tx.insertUser(user('user1')))).rejects.toThrow();
      expect(await read((tx) => tx.getUser('user1'))).toBeUndefined();
    });

    it('refuse a nested transaction, leaving the outer one whole', async () => {
      const outer = write(async (tx) => {
        await tx.insertUser(user('user1'));
        await expect(write((inner) => inner.insertUser(user('user2')))).rejects.toMatchObject({
          errorName: 'nested_transaction',
        });
        throw new Error('roll back the outer one');
      });
      await expect(outer).rejects.toThrow('roll back the outer one');
      expect(await read(async (tx) => [await tx.getUser('user1'), await tx.getUser('user2')])).toEqual([
        undefined,
        undefined,
      ]);
    });
  });
});
