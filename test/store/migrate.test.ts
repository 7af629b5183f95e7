/**
 * A store made by the orgs before applications, gateways and clients (schema 2, test/fixtures/
 * schema-v2.db: org1 with user1 as owner, user2 a member, an API key; org2 deleted) opens with
 * today's orgs: upgraded in place, everything kept, the new tables usable at once.
 */
import { copyFileSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { MIGRATIONS } from '../../src/store/migrations.js';
import { expectFails, sandbox, type Sandbox } from '../helpers.js';

const FIXTURES = resolve(import.meta.dirname, '..', 'fixtures');
const KEY = readFileSync(join(FIXTURES, 'schema-v2.key'), 'utf8').trim();

let s: Sandbox;
let path: string;
beforeEach(() => {
  s = sandbox();
  path = join(s.dir, 'v2.db');
  copyFileSync(join(FIXTURES, 'schema-v2.db'), path);
});
afterEach(() => s.cleanup());

const version = () => {
  const db = new Database(path, { readonly: true });
  try {
    return db.pragma('user_version', { simple: true });
  } finally {
    db.close();
  }
};

test('a schema 2 store is upgraded in place and keeps every record', async () => {
  expect(version()).toBe(2);
  const listed = (await s.ok(['--db', path, 'list', '--all'])).json;
  expect(version()).toBe(MIGRATIONS.length);
  expect(listed).toEqual([
    expect.objectContaining({ ids: { organization_id: 'org1' }, name: 'Org One', description: 'first' }),
  ]);
  expect((await s.ok(['--db', path, 'list', '--deleted'])).json.map((o: any) => o.ids.organization_id)).toEqual([
    'org2',
  ]);
  expect((await s.ok(['--db', path, 'collaborators', 'list', 'org1'])).json).toHaveLength(2);
  // The API key made before the upgrade still authenticates.
  expect((await s.ok(['--db', path, 'rights', 'org1'], { env: { ORGS_API_KEY: KEY } })).json).toEqual([
    'RIGHT_ORGANIZATION_INFO',
  ]);
  // It records its use in the column schema 7 added, to the hour.
  const [key] = (await s.ok(['--db', path, 'api-keys', 'list', 'org1'])).json;
  expect(key.last_used_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:00:00\.000Z$/);
});

test('the organizations made before contacts (schema 8) have none until one is set', async () => {
  const org1 = (await s.ok(['--db', path, 'get', 'org1', '--all'])).json;
  expect(org1).not.toHaveProperty('administrative_contact');
  expect(org1).not.toHaveProperty('technical_contact');
  const set = await s.ok(['--db', path, 'set', 'org1', '--technical-contact.ids.user-ids.user-id', 'user2']);
  expect(set.json.technical_contact).toEqual({ user_ids: { user_id: 'user2' } });
  await expectFails(
    s,
    ['--db', path, 'collaborators', 'delete', 'org1', '--user-id', 'user2'],
    5,
    'collaborator_is_contact',
  );
  await s.ok(['--db', path, 'create', 'org3', '--user-id', 'user1']);
  expect((await s.ok(['--db', path, 'get', 'org3', '--administrative-contact'])).json.administrative_contact).toEqual({
    user_ids: { user_id: 'user1' },
  });
});

test('after the upgrade, the old organizations collaborate on new applications', async () => {
  await s.ok(['--db', path, 'applications', 'create', 'app1', '--user-id', 'user1']);
  await s.ok([
    '--db',
    path,
    'applications',
    'collaborators',
    'set',
    'app1',
    '--organization-id',
    'org1',
    '--right-application-all',
  ]);
  const rights = await s.ok(['--db', path, 'applications', 'rights', 'app1'], { env: { ORGS_USER_ID: 'user2' } });
  expect(rights.json).toEqual(['RIGHT_APPLICATION_INFO']);
});
