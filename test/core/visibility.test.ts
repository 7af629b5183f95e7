/**
 * The core's rules on what a caller may read and when it is asked: get, list and search apply one
 * rule per organization; the rights that grant reading come from the rights algebra; purge and
 * delete ask only once the caller may, and never while holding a transaction open.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { ApiKeyService } from '../../src/core/api-keys.js';
import { keyOwnerNamed } from '../../src/core/key-owners.js';
import { CollaboratorService } from '../../src/core/collaborators.js';
import { OrganizationService } from '../../src/core/organizations.js';
import { CATALOGUE, rightsImplying } from '../../src/core/rights.js';
import { type Identity, Session } from '../../src/core/session.js';
import { openSqliteStore, type SqliteStore } from '../../src/store/sqlite.js';
import { ORGANIZATION, failure } from '../helpers.js';

let dir: string;
let store: SqliteStore;

const as = (identity: Identity) => {
  const session = new Session(store, identity);
  const organizations = new OrganizationService(session);
  return {
    organizations,
    collaborators: new CollaboratorService(session, organizations),
    apiKeys: new ApiKeyService(session, keyOwnerNamed('organization'), organizations),
  };
};
const admin = () => as({ kind: 'admin' });
const user = (userId: string) => as({ kind: 'user', userId });

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'orgs-visibility-'));
  store = await openSqliteStore(join(dir, 'orgs.db'));
});
afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

test('the rights that let a member read an organization: INFO and the two that imply it', () => {
  expect(rightsImplying('RIGHT_ORGANIZATION_INFO').sort()).toEqual([
    'RIGHT_ALL',
    'RIGHT_ORGANIZATION_ALL',
    'RIGHT_ORGANIZATION_INFO',
  ]);
  expect(rightsImplying('RIGHT_APPLICATION_INFO').sort()).toEqual([
    'RIGHT_ALL',
    'RIGHT_APPLICATION_ALL',
    'RIGHT_APPLICATION_INFO',
    'RIGHT_APPLICATION_LINK',
  ]);
});

test('for every single right a member may hold, list and search show what get shows', async () => {
  const rights = [...ORGANIZATION, ...CATALOGUE.filter((r) => r.group === 'application').map((r) => r.name)];
  for (const [i, right] of rights.entries()) {
    const id = `org${i}`;
    await admin().organizations.create({
      organizationId: id,
      userId: 'owner',
      name: `Name ${i}`,
      description: `text ${i}`,
      attributes: { key: 'v' },
      fanoutNotifications: true,
    });
    await admin().collaborators.set({ organizationId: id, userId: 'member', rights: [right] });
  }
  const member = user('member').organizations;
  const all = new Set(['name', 'description', 'attributes', 'fanout_notifications'] as const);
  const listed = (await member.list({ fields: all, limit: 1000 })).items;
  const searched = (await member.search({ fields: all, query: 'e', limit: 1000 })).items;
  const got: Array<Record<string, any>> = [];
  for (const i of rights.keys()) got.push(await member.get(`org${i}`, all));
  const byId = (items: Array<Record<string, any>>) =>
    Object.fromEntries(items.map((item) => [item.ids.organization_id, item]));
  expect(byId(listed)).toEqual(byId(got));
  expect(byId(searched)).toEqual(byId(got));
  // Exactly the organizations where the member holds INFO or ORGANIZATION_ALL show more than the name.
  const readable = got
    .filter((view) => 'description' in view)
    .map((view) => rights[Number(view.ids.organization_id.slice(3))]);
  expect(readable.sort()).toEqual(['RIGHT_ORGANIZATION_ALL', 'RIGHT_ORGANIZATION_INFO']);
  // A search on the description finds only those.
  const found = (await member.search({ descriptionContains: 'text', limit: 1000 })).items;
  expect(found).toHaveLength(2);
});

describe('asked only once allowed, and with no transaction open', () => {
  beforeEach(async () => {
    await admin().organizations.create({ organizationId: 'org1', userId: 'owner' });
  });

  test('purge: a non-administrator and a missing organization are refused without asking', async () => {
    const asked: string[] = [];
    const ask = async (id: string) => void asked.push(id);
    expect((await failure(user('owner').organizations.purge('org1', ask))).errorName).toBe('purge_needs_admin');
    expect((await failure(admin().organizations.purge('nosuch', ask))).errorName).toBe('organization_not_found');
    expect(asked).toEqual([]);
  });

  test('purge: while the question is open, others may write; a refusal purges nothing', async () => {
    // Writing during the question would fail (nested transaction, or busy) if one were held open.
    const refuse = async () => {
      await admin().organizations.update({ organizationId: 'org1', name: 'renamed meanwhile' });
      throw new Error('no');
    };
    await expect(admin().organizations.purge('org1', refuse)).rejects.toThrow('no');
    expect(await admin().organizations.get('org1', new Set(['name']))).toMatchObject({ name: 'renamed meanwhile' });
  });

  test('purge: checked again after the question (the organization went meanwhile)', async () => {
    const purgeMeanwhile = async () => admin().organizations.purge('org1');
    expect((await failure(admin().organizations.purge('org1', purgeMeanwhile))).errorName).toBe(
      'organization_not_found',
    );
  });

  test('API key delete: asked only when the caller may delete the key', async () => {
    const key = (await admin().apiKeys.create({ ownerId: 'org1', rights: ['RIGHT_ORGANIZATION_ALL'] })) as {
      id: string;
    };
    await admin().collaborators.set({
      organizationId: 'org1',
      userId: 'keeper',
      rights: ['RIGHT_ORGANIZATION_SETTINGS_API_KEYS'],
    });
    const asked: string[] = [];
    const ask = async (id: string) => void asked.push(id);
    const ids = { ownerId: 'org1', apiKeyId: key.id };
    expect((await failure(user('keeper').apiKeys.delete(ids, ask))).errorName).toBe('insufficient_rights');
    expect(asked).toEqual([]);
    await user('owner').apiKeys.delete(ids, async (id) => {
      asked.push(id);
      await admin().organizations.update({ organizationId: 'org1', name: 'written meanwhile' });
    });
    expect(asked).toEqual([key.id]);
  });
});
