/** The core's services called directly, over a real SQLite store in a temporary folder. */
import { failure } from '../helpers.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { createMany } from '../../src/core/bulk.js';
import { CollaboratorService } from '../../src/core/collaborators.js';
import { OrganizationService } from '../../src/core/organizations.js';
import { type Identity, Session } from '../../src/core/session.js';
import { openSqliteStore, type SqliteStore } from '../../src/store/sqlite.js';

let dir: string;
let store: SqliteStore;
let now: number;
const clock = () => now;

const as = (identity: Identity, restoreWindowMs?: number) => {
  const session = new Session(store, identity, clock);
  const organizations = new OrganizationService(session, restoreWindowMs);
  return { session, organizations, collaborators: new CollaboratorService(session, organizations) };
};
const admin = () => as({ kind: 'admin' });
const user = (userId: string) => as({ kind: 'user', userId });

/** Everything in the store, to show that a failed operation changed nothing. */
const snapshot = () =>
  store.read(async (tx) => ({
    organizations: await tx.listOrganizations({
      deleted: false,
      order: { field: 'organization_id', direction: 'asc' },
      limit: 1000,
      offset: 0,
    }),
    deleted: await tx.listOrganizations({
      deleted: true,
      order: { field: 'organization_id', direction: 'asc' },
      limit: 1000,
      offset: 0,
    }),
    users: await tx.listUsers({ limit: 1000, offset: 0 }),
    org1: await tx.listMemberships('org1'),
  }));

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'orgs-core-'));
  store = await openSqliteStore(join(dir, 'orgs.db'));
  now = Date.UTC(2026, 0, 1);
});
afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('create', () => {
  test('makes the named user a collaborator with RIGHT_ALL and returns the fields given', async () => {
    const view = await admin().organizations.create({ organizationId: 'org1', userId: 'user1', name: 'One' });
    expect(view).toEqual({
      ids: { organization_id: 'org1' },
      created_at: '2026-01-01T00:00:00.000Z',
      updated_at: '2026-01-01T00:00:00.000Z',
      name: 'One',
    });
    expect(await user('user1').collaborators.list({ organizationId: 'org1' })).toEqual({
      items: [{ ids: { user_ids: { user_id: 'user1' } }, rights: ['RIGHT_ALL'] }],
    });
  });

  test('a user creates for themselves by default, never for someone else', async () => {
    await user('user1').organizations.create({ organizationId: 'org1' });
    const error = await failure(user('user1').organizations.create({ organizationId: 'org2', userId: 'user2' }));
    expect(error.errorClass).toBe('permission_denied');
    expect(await failure(admin().organizations.create({ organizationId: 'org3' }))).toMatchObject({
      errorName: 'no_collaborator',
    });
  });

  test('users and organizations share one namespace; a deleted ID stays reserved', async () => {
    const { organizations } = admin();
    await organizations.create({ organizationId: 'org1', userId: 'user1' });
    expect(await failure(organizations.create({ organizationId: 'user1', userId: 'user2' }))).toMatchObject({
      errorName: 'id_taken',
    });
    expect(await failure(organizations.create({ organizationId: 'org2', userId: 'org1' }))).toMatchObject({
      errorName: 'nested_organizations',
    });
    await organizations.delete('org1');
    const before = await snapshot();
    expect(await failure(organizations.create({ organizationId: 'org1', userId: 'user9' }))).toMatchObject({
      errorClass: 'already_exists',
    });
    expect(await snapshot()).toEqual(before);
    await organizations.purge('org1');
    await organizations.create({ organizationId: 'org1', userId: 'user1' });
  });

  test('a failed create leaves no trace, not even the user it named', async () => {
    const { organizations } = admin();
    await organizations.create({ organizationId: 'org1', userId: 'user1' });
    const before = await snapshot();
    await failure(organizations.create({ organizationId: 'org1', userId: 'newcomer' }));
    expect(await snapshot()).toEqual(before);
  });
});

describe('users are registered on first mention', () => {
  test('by a write, never by a read', async () => {
    const registered = async () => (await store.read((tx) => tx.listUsers({ limit: 10, offset: 0 }))).map((u) => u.id);
    await user('reader').organizations.list({});
    expect(await registered()).toEqual([]);
    await user('reader').organizations.create({ organizationId: 'org1' });
    expect(await registered()).toEqual(['reader']);
  });
});

describe('list and search', () => {
  beforeEach(async () => {
    const { organizations } = admin();
    for (const [id, name, owner] of [
      ['org-b', 'Bravo', 'user1'],
      ['org-a', 'alpha', 'user1'],
      ['org-c', 'Charlie', 'user2'],
    ] as const) {
      now += 1000;
      await organizations.create({
        organizationId: id,
        userId: owner,
        name,
        description: `the ${name} team`,
        attributes: { team: name.toLowerCase() },
      });
    }
  });

  const ids = (listing: { items: Record<string, any>[] }) => listing.items.map((o) => o.ids.organization_id);

  test('users see their organizations, the administrator all; orders and pages', async () => {
    expect(ids(await user('user1').organizations.list({}))).toEqual(['org-a', 'org-b']);
    expect(ids(await admin().organizations.list({ order: '-created_at' }))).toEqual(['org-c', 'org-a', 'org-b']);
    expect(ids(await admin().organizations.list({ order: 'name' }))).toEqual(['org-b', 'org-c', 'org-a']);
    const page1 = await admin().organizations.list({ limit: 2 });
    expect(page1.next).toEqual({ limit: 2, page: 2 });
    const page2 = await admin().organizations.list({ limit: 2, page: 2 });
    expect(ids(page2)).toEqual(['org-c']);
    expect(page2.next).toBeUndefined();
  });

  test('search filters are case-insensitive substrings, all must match, wildcards are literal', async () => {
    const { organizations } = admin();
    expect(ids(await organizations.search({ nameContains: 'RAV' }))).toEqual(['org-b']);
    expect(ids(await organizations.search({ query: 'charlie' }))).toEqual(['org-c']);
    expect(ids(await organizations.search({ idContains: 'org', descriptionContains: 'alpha' }))).toEqual(['org-a']);
    expect(ids(await organizations.search({ attributesContain: [['team', 'rav']] }))).toEqual(['org-b']);
    expect(ids(await organizations.search({ nameContains: '%' }))).toEqual([]);
    expect(ids(await organizations.search({ nameContains: '_' }))).toEqual([]);
    const [first] = (await organizations.search({ nameContains: 'rav' })).items;
    expect(Object.keys(first!)).toEqual(['ids', 'created_at', 'updated_at', 'name']);
  });
});

describe('delete, restore and purge', () => {
  test('restore works within the window only', async () => {
    const { organizations } = as({ kind: 'admin' }, 60_000);
    await organizations.create({ organizationId: 'org1', userId: 'user1' });
    await organizations.delete('org1');
    expect(await failure(organizations.get('org1'))).toMatchObject({ errorClass: 'not_found' });
    now += 59_000;
    await organizations.restore('org1');
    expect(await failure(organizations.restore('org1'))).toMatchObject({ errorClass: 'not_found' });
    await organizations.delete('org1');
    now += 61_000;
    expect(await failure(organizations.restore('org1'))).toMatchObject({ errorName: 'restore_window_expired' });
  });

  test('purge is for the administrator and removes memberships too', async () => {
    await admin().organizations.create({ organizationId: 'org1', userId: 'user1' });
    expect(await failure(user('user1').organizations.purge('org1'))).toMatchObject({ errorClass: 'permission_denied' });
    await admin().organizations.purge('org1');
    expect(await store.read((tx) => tx.listMemberships('org1'))).toEqual([]);
  });
});

describe('bulk create', () => {
  async function* chunks(...parts: string[]) {
    yield* parts;
  }

  test('creates the good documents, reports the bad ones with position and ID', async () => {
    const { session, organizations } = admin();
    const created: unknown[] = [];
    const failed: [number, string | undefined, string][] = [];
    const result = await createMany(
      session,
      organizations.bulkTarget('user1'),
      chunks(
        '{"ids":{"organization_id":"bulk-1"},"name":"B"}\n{"ids":{"organization_id":"bad_id"}}\n{"ids"',
        ':{"organization_id":"bulk-2"}} nope',
      ),
      { description: 'from flags' },
      {
        created: (views) => void created.push(...views),
        failed: (at, id, error) => failed.push([at, id, error.errorName]),
      },
    );
    expect(created).toMatchObject([
      { ids: { organization_id: 'bulk-1' }, name: 'B', description: 'from flags' },
      { ids: { organization_id: 'bulk-2' }, description: 'from flags' },
    ]);
    expect(failed).toEqual([
      [2, 'bad_id', 'invalid_organization_id'],
      [4, undefined, 'invalid_json'],
    ]);
    expect(result).toMatchObject({ created: 2, failed: 2 });
  });

  test('refusals in the middle of one batch cost only themselves; the others land, with their events, in order', async () => {
    await admin().organizations.create({ organizationId: 'taken', userId: 'user2' });
    const { session, organizations } = user('user1');
    const created: unknown[] = [];
    const failed: [number, string | undefined, string, number][] = [];
    const documents = [
      { ids: { organization_id: 'bulk-1' } },
      { ids: { organization_id: 'taken' } }, // taken before the batch
      { ids: { organization_id: 'bulk-1' } }, // taken earlier in the batch
      { ids: { organization_id: 'user1' } }, // the collaborator, registered by this batch
      { ids: { organization_id: 'bulk-2' }, technical_contact: { user_ids: { user_id: 'user2' } } },
      { ids: { organization_id: 'bulk-3' }, name: 'Three' },
    ];
    // One chunk: one batch, one transaction.
    const result = await createMany(
      session,
      organizations.bulkTarget(undefined),
      chunks(documents.map((d) => JSON.stringify(d)).join('\n')),
      {},
      {
        created: (views) => void created.push(...views),
        failed: (at, id, error, line) => failed.push([at, id, error.errorName, line]),
      },
    );
    expect(created).toMatchObject([
      { ids: { organization_id: 'bulk-1' } },
      { ids: { organization_id: 'bulk-3' }, name: 'Three' },
    ]);
    expect(failed).toEqual([
      [2, 'taken', 'id_taken', 2],
      [3, 'bulk-1', 'id_taken', 3],
      [4, 'user1', 'id_taken', 4],
      [5, 'bulk-2', 'contact_no_collaborator', 5],
    ]);
    expect(result).toMatchObject({ created: 2, failed: 4 });
    const events = await store.read((tx) => tx.listEvents({ newestFirst: false, limit: 10 }));
    expect(events.map((e) => `${e.name} ${e.identifiers[0]!.id}`)).toEqual([
      'user.create user2',
      'organization.create taken',
      'user.create user1',
      'organization.create bulk-1',
      'organization.create bulk-3',
    ]);
    expect(await store.read((tx) => tx.listUserMemberships('user1'))).toMatchObject([
      { organizationId: 'bulk-1', rights: ['RIGHT_ALL'] },
      { organizationId: 'bulk-3', rights: ['RIGHT_ALL'] },
    ]);
  });

  test('nothing on stdin is no_organization_id', async () => {
    const { session, organizations } = admin();
    const report = { created: () => {}, failed: () => {} };
    expect(
      await failure(createMany(session, organizations.bulkTarget('user1'), chunks('  \n'), {}, report)),
    ).toMatchObject({ errorName: 'no_organization_id' });
  });
});
