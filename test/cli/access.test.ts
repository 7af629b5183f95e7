/**
 * Who may do what: every row of RULES.md's table "What each operation needs" (api-keys rows not yet
 * built), each run as the local administrator, as a member holding just enough rights and as a
 * member or outsider holding too few; plus the collaborator invariants, `orgs rights`, the
 * `--right-*` flags, login/logout/whoami and the users commands.
 *
 * A denied or rejected command must leave the store as it was: expectFails (test/helpers.ts) reads
 * every table of the SQLite file (the documented store) so "unchanged" is checked without spending
 * CLI runs.
 */
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { FLAGGED_RIGHTS, rightsOfGroup } from '../fixtures/rights.js';
import {
  as,
  contactFlags,
  expectError,
  expectFails,
  ORGANIZATION,
  type Result,
  type Sandbox,
  sandbox,
  storeRows,
} from '../helpers.js';

// ---------------------------------------------------------------------------------------------
// The catalogue's flag groups, from test/fixtures/rights.tsv (a copy of reference/rights.tsv).

const APPLICATION = rightsOfGroup('application');
/** Every right that has a `--right-*` flag, i.e. everything `orgs rights` can ever print. */
const FLAG_RIGHTS = FLAGGED_RIGHTS.map((r) => r.name);
const sorted = (names: readonly string[]) => [...names].sort();

/** `RIGHT_ORGANIZATION_INFO` → `--right-organization-info`. */
const flag = (right: string) => `--${right.toLowerCase().replaceAll('_', '-')}`;

// ---------------------------------------------------------------------------------------------
// Helpers.

let s: Sandbox;
beforeEach(() => {
  s = sandbox();
});
afterEach(() => s.cleanup());

/** Run options acting as this user. */

const storeDump = () => storeRows(s.db);

/** Permission denied: exit 4, one error line, nothing on stdout, nothing changed. */
const expectDenied = (args: string[], options: { env?: Record<string, string> } = {}, name?: string) =>
  expectFails(s, args, 4, name, options);

/** The administrator makes `userId` a collaborator of `org` holding exactly `rights`. */
const grant = (userId: string, rights: string[], org = 'org1') =>
  s.ok(['collaborators', 'set', '--organization-id', org, '--user-id', userId, ...rights.map(flag)]);

/** The administrator's view of an organization's collaborators: user ID → rights. */
async function collaborators(org = 'org1'): Promise<Record<string, string[]>> {
  const result = await s.ok(['collaborators', 'list', org]);
  return Object.fromEntries(
    (result.json as Array<{ ids: { user_ids: { user_id: string } }; rights: string[] }>).map((c) => [
      c.ids.user_ids.user_id,
      c.rights,
    ]),
  );
}

const orgIds = (result: Result): string[] =>
  (result.json as Array<{ ids: { organization_id: string } }>).map((o) => o.ids.organization_id);

/** Registers users explicitly (as the administrator), so they exist before they only read. */
async function registerUsers(...ids: string[]): Promise<void> {
  for (const id of ids) await s.ok(['users', 'create', id]);
}

// ---------------------------------------------------------------------------------------------

// RULES.md row: create — "to be the administrator, or to be the user named as collaborator"
describe('create: the administrator, or the user named as collaborator', () => {
  test('the administrator creates an organization for a user (seed page command), who gets RIGHT_ALL', async () => {
    const created = await s.ok(['organizations', 'create', 'org1', '--user-id', 'user1']);
    expect(created.json.ids).toEqual({ organization_id: 'org1' });
    expect(await collaborators()).toEqual({ user1: ['RIGHT_ALL'] });
  });

  test('a user creates an organization for themselves, with or without --user-id, and becomes its owner', async () => {
    const implicit = await s.run(['create', 'org1'], as('alice'));
    expect(implicit.exitCode, implicit.stderr).toBe(0);
    expect(implicit.json.ids).toEqual({ organization_id: 'org1' });
    const explicit = await s.run(['create', 'org2', '--user-id', 'alice'], as('alice'));
    expect(explicit.exitCode, explicit.stderr).toBe(0);
    expect(await collaborators('org1')).toEqual({ alice: ['RIGHT_ALL'] });
    expect(await collaborators('org2')).toEqual({ alice: ['RIGHT_ALL'] });
  });

  test('a user cannot create an organization for another user (exit 4, nothing created)', async () => {
    await registerUsers('alice', 'bob');
    await expectDenied(['create', 'org1', '--user-id', 'bob'], as('alice'));
    expectError(await s.run(['get', 'org1']), 3, 'organization_not_found');
  });
});

// RULES.md row: get — "RIGHT_ORGANIZATION_INFO; without it only the public fields (ids, created_at, updated_at, name)"
describe('get: RIGHT_ORGANIZATION_INFO, else the public view', () => {
  const PUBLIC_KEYS = ['created_at', 'ids', 'name', 'updated_at'];

  beforeEach(async () => {
    await s.ok([
      'create',
      'org1',
      '--user-id',
      'owner',
      '--name',
      'Org One',
      '--description',
      'secret plans',
      '--attributes',
      'tier=gold',
      '--fanout-notifications',
    ]);
  });

  test('administrator and a member with RIGHT_ORGANIZATION_INFO see every field; one without it sees the public view', async () => {
    await grant('reader', ['RIGHT_ORGANIZATION_INFO']);
    await grant('basic', ['RIGHT_ORGANIZATION_SETTINGS_BASIC', 'RIGHT_ORGANIZATION_SETTINGS_MEMBERS']);

    const admin = await s.ok(['get', 'org1', '--all']);
    expect(admin.json).toMatchObject({
      ids: { organization_id: 'org1' },
      name: 'Org One',
      description: 'secret plans',
      attributes: { tier: 'gold' },
      fanout_notifications: true,
    });

    const reader = await s.run(['get', 'org1', '--all'], as('reader'));
    expect(reader.exitCode, reader.stderr).toBe(0);
    expect(reader.json).toEqual(admin.json);

    const basic = await s.run(['get', 'org1', '--all'], as('basic'));
    expect(basic.exitCode, basic.stderr).toBe(0);
    expect(Object.keys(basic.json).sort()).toEqual(PUBLIC_KEYS);
    expect(basic.json).toEqual({
      ids: admin.json.ids,
      created_at: admin.json.created_at,
      updated_at: admin.json.updated_at,
      name: 'Org One',
    });
  });

  test('a registered non-member asking for --all gets ids, created_at, updated_at and name only', async () => {
    await registerUsers('stranger');
    const before = await storeDump();
    const result = await s.run(['get', 'org1', '--all'], as('stranger'));
    expect(result.exitCode, result.stderr).toBe(0);
    expect(Object.keys(result.json).sort()).toEqual(PUBLIC_KEYS);
    expect(result.json.name).toBe('Org One');
    expect(result.json.ids).toEqual({ organization_id: 'org1' });
    expect(await storeDump()).toEqual(before);
  });

  test('a user named for the first time by ORGS_USER_ID gets the public view too (users need no set-up)', async () => {
    const result = await s.run(['get', 'org1', '--all'], as('newcomer'));
    expect(result.exitCode, result.stderr).toBe(0);
    expect(Object.keys(result.json).sort()).toEqual(PUBLIC_KEYS);
  });
});

// RULES.md row: list, search — "nothing: a user sees the organizations they are a member of, the administrator sees all; list --user-id of another user is for the administrator"
describe('list, search: members see their organizations, the administrator sees all', () => {
  beforeEach(async () => {
    await s.ok(['create', 'org1', '--user-id', 'alice']);
    await s.ok(['create', 'org2', '--user-id', 'bob']);
    await s.ok(['create', 'org3', '--user-id', 'bob']);
    await grant('alice', ['RIGHT_ORGANIZATION_INFO'], 'org3');
  });

  test('the administrator lists and searches all organizations, and may list another user’s', async () => {
    expect(orgIds(await s.ok(['list']))).toEqual(['org1', 'org2', 'org3']);
    expect(orgIds(await s.ok(['search', '--id-contains', 'org']))).toEqual(['org1', 'org2', 'org3']);
    expect(orgIds(await s.ok(['list', '--user-id', 'bob']))).toEqual(['org2', 'org3']);
  });

  test('a member lists and searches only the organizations they belong to, whatever their rights there', async () => {
    const aliceList = await s.run(['list'], as('alice'));
    expect(aliceList.exitCode, aliceList.stderr).toBe(0);
    expect(orgIds(aliceList)).toEqual(['org1', 'org3']);
    const aliceSearch = await s.run(['search', '--id-contains', 'org'], as('alice'));
    expect(aliceSearch.exitCode, aliceSearch.stderr).toBe(0);
    expect(orgIds(aliceSearch)).toEqual(['org1', 'org3']);
    const bobList = await s.run(['list'], as('bob'));
    expect(orgIds(bobList)).toEqual(['org2', 'org3']);
    const own = await s.run(['list', '--user-id', 'alice'], as('alice'));
    expect(own.exitCode, own.stderr).toBe(0);
    expect(orgIds(own)).toEqual(['org1', 'org3']);
  });

  test('a user with no memberships sees an empty list and search', async () => {
    await registerUsers('carol');
    const list = await s.run(['list'], as('carol'));
    expect(list.exitCode, list.stderr).toBe(0);
    expect(list.json).toEqual([]);
    const search = await s.run(['search', '--id-contains', 'org2'], as('carol'));
    expect(search.exitCode, search.stderr).toBe(0);
    expect(search.json).toEqual([]);
  });

  test('list --user-id of another user is denied to a non-administrator (exit 4)', async () => {
    await expectDenied(['list', '--user-id', 'bob'], as('alice'));
    await registerUsers('carol');
    await expectDenied(['list', '--user-id', 'alice'], as('carol'));
  });
});

// RULES.md row: set — "RIGHT_ORGANIZATION_SETTINGS_BASIC"
describe('set: RIGHT_ORGANIZATION_SETTINGS_BASIC', () => {
  beforeEach(async () => {
    await s.ok(['create', 'org1', '--user-id', 'owner', '--name', 'Original']);
  });

  test('the administrator and a member with RIGHT_ORGANIZATION_SETTINGS_BASIC may change the organization', async () => {
    const admin = await s.ok(['set', 'org1', '--name', 'By Admin']);
    expect(admin.json.name).toBe('By Admin');
    await grant('editor', ['RIGHT_ORGANIZATION_SETTINGS_BASIC']);
    const editor = await s.run(['set', 'org1', '--name', 'By Editor', '--description', 'd'], as('editor'));
    expect(editor.exitCode, editor.stderr).toBe(0);
    expect(editor.json).toMatchObject({ name: 'By Editor', description: 'd' });
    expect((await s.ok(['get', 'org1', '--name'])).json.name).toBe('By Editor');
  });

  test('a member without it (even with every other organization right but ALL) and an outsider are denied', async () => {
    await grant(
      'almost',
      ORGANIZATION.filter((r) => r !== 'RIGHT_ORGANIZATION_SETTINGS_BASIC' && r !== 'RIGHT_ORGANIZATION_ALL'),
    );
    await registerUsers('stranger');
    await expectDenied(['set', 'org1', '--name', 'Nope'], as('almost'));
    await expectDenied(['set', 'org1', '--unset', 'name'], as('stranger'));
    expect((await s.ok(['get', 'org1', '--name'])).json.name).toBe('Original');
  });
});

// RULES.md row: delete, restore — "RIGHT_ORGANIZATION_DELETE; restore only within the restore window (default 24 hours)"
describe('delete, restore: RIGHT_ORGANIZATION_DELETE', () => {
  beforeEach(async () => {
    await s.ok(['create', 'org1', '--user-id', 'owner']);
  });

  test('the administrator deletes and restores', async () => {
    await s.ok(['delete', 'org1']);
    expectError(await s.run(['get', 'org1']), 3, 'organization_not_found');
    await s.ok(['restore', 'org1']);
    expect((await s.ok(['get', 'org1'])).json.ids).toEqual({ organization_id: 'org1' });
  });

  test('a member with RIGHT_ORGANIZATION_DELETE deletes and restores', async () => {
    await grant('remover', ['RIGHT_ORGANIZATION_DELETE']);
    const del = await s.run(['delete', '--organization-id', 'org1'], as('remover'));
    expect(del.exitCode, del.stderr).toBe(0);
    expect(del.stdout).toBe('');
    expect(orgIds(await s.ok(['list', '--deleted']))).toEqual(['org1']);
    const restore = await s.run(['restore', '--organization-id', 'org1'], as('remover'));
    expect(restore.exitCode, restore.stderr).toBe(0);
    expect(orgIds(await s.ok(['list']))).toEqual(['org1']);
  });

  test('a member without RIGHT_ORGANIZATION_DELETE and an outsider can neither delete nor restore', async () => {
    await grant(
      'manager',
      ORGANIZATION.filter((r) => r !== 'RIGHT_ORGANIZATION_DELETE' && r !== 'RIGHT_ORGANIZATION_ALL'),
    );
    await registerUsers('stranger');
    await expectDenied(['delete', 'org1'], as('manager'));
    await expectDenied(['delete', 'org1'], as('stranger'));
    await s.ok(['delete', 'org1']);
    await expectDenied(['restore', 'org1'], as('manager'));
    expect(orgIds(await s.ok(['list', '--deleted']))).toEqual(['org1']);
  });

  test('restore outside the restore window fails with restore_window_expired (exit 5)', async () => {
    await s.ok(['config', 'set', 'restore-window', '0s']);
    await s.ok(['delete', 'org1']);
    await expectFails(s, ['restore', 'org1'], 5, 'restore_window_expired', { clock: () => Date.now() + 1000 });
  });
});

// RULES.md row: purge — "the administrator; removes the organization, its memberships and its API keys, and frees the ID"
describe('purge: the administrator only', () => {
  beforeEach(async () => {
    await s.ok(['create', 'org1', '--user-id', 'owner']);
  });

  test('the administrator purges: the organization and its memberships are gone and the ID is free', async () => {
    await grant('member', ['RIGHT_ORGANIZATION_INFO']);
    await s.ok(['purge', 'org1', '--force']);
    expectError(await s.run(['get', 'org1']), 3, 'organization_not_found');
    expect((await s.ok(['list', '--deleted'])).json).toEqual([]);
    await s.ok(['create', 'org1', '--user-id', 'other']);
    expect(await collaborators()).toEqual({ other: ['RIGHT_ALL'] });
  });

  test('a user made administrator with `users set --admin` may purge', async () => {
    await registerUsers('boss');
    await s.ok(['users', 'set', 'boss', '--admin']);
    const purge = await s.run(['purge', 'org1', '--force'], as('boss'));
    expect(purge.exitCode, purge.stderr).toBe(0);
    expectError(await s.run(['get', 'org1']), 3, 'organization_not_found');
  });

  test('members, even the owner with RIGHT_ALL or one holding RIGHT_ORGANIZATION_PURGE, and outsiders are denied', async () => {
    await grant('purger', ['RIGHT_ORGANIZATION_PURGE', 'RIGHT_ORGANIZATION_DELETE']);
    await registerUsers('stranger');
    await expectDenied(['purge', 'org1', '--force'], as('owner'));
    await expectDenied(['purge', 'org1', '--force'], as('purger'));
    await expectDenied(['purge', 'org1', '--force'], as('stranger'));
    // A deleted organization is no different.
    await s.ok(['delete', 'org1']);
    await expectDenied(['purge', 'org1', '--force'], as('owner'));
  });
});

// RULES.md row: collaborators list — "RIGHT_ORGANIZATION_SETTINGS_MEMBERS; without it members' IDs without their rights"
describe('collaborators list: RIGHT_ORGANIZATION_SETTINGS_MEMBERS, else IDs without rights', () => {
  beforeEach(async () => {
    await s.ok(['create', 'org1', '--user-id', 'owner']);
    await grant('manager', ['RIGHT_ORGANIZATION_SETTINGS_MEMBERS']);
    await grant('reader', ['RIGHT_ORGANIZATION_INFO']);
  });

  test('the administrator and a member with RIGHT_ORGANIZATION_SETTINGS_MEMBERS see members with their rights', async () => {
    const expected = [
      { ids: { user_ids: { user_id: 'manager' } }, rights: ['RIGHT_ORGANIZATION_SETTINGS_MEMBERS'] },
      { ids: { user_ids: { user_id: 'owner' } }, rights: ['RIGHT_ALL'] },
      { ids: { user_ids: { user_id: 'reader' } }, rights: ['RIGHT_ORGANIZATION_INFO'] },
    ];
    expect((await s.ok(['collaborators', 'list', 'org1'])).json).toEqual(expected);
    const manager = await s.run(['collaborators', 'list', '--organization-id', 'org1'], as('manager'));
    expect(manager.exitCode, manager.stderr).toBe(0);
    expect(manager.json).toEqual(expected);
  });

  test('a member without RIGHT_ORGANIZATION_SETTINGS_MEMBERS sees the members’ IDs without their rights', async () => {
    const reader = await s.run(['collaborators', 'list', 'org1'], as('reader'));
    expect(reader.exitCode, reader.stderr).toBe(0);
    expect(reader.json).toEqual([
      { ids: { user_ids: { user_id: 'manager' } } },
      { ids: { user_ids: { user_id: 'owner' } } },
      { ids: { user_ids: { user_id: 'reader' } } },
    ]);
  });
});

// RULES.md row: collaborators get, set, delete — "RIGHT_ORGANIZATION_SETTINGS_MEMBERS"
describe('collaborators get, set, delete: RIGHT_ORGANIZATION_SETTINGS_MEMBERS', () => {
  beforeEach(async () => {
    await s.ok(['create', 'org1', '--user-id', 'owner']);
  });

  test('the administrator gets, sets and deletes collaborators', async () => {
    const owner = await s.ok(['collaborators', 'get', '--organization-id', 'org1', '--user-id', 'owner']);
    expect(owner.json).toEqual({ ids: { user_ids: { user_id: 'owner' } }, rights: ['RIGHT_ALL'] });
    const set = await s.ok([
      'collaborators',
      'set',
      '--organization-id',
      'org1',
      '--user-id',
      'user2',
      '--right-organization-info',
      '--right-gateway-info',
    ]);
    expect(set.stdout).toBe('');
    const got = await s.ok(['collaborators', 'get', '--organization-id', 'org1', '--user-id', 'user2']);
    expect(got.json.rights).toEqual(['RIGHT_GATEWAY_INFO', 'RIGHT_ORGANIZATION_INFO']);
    const del = await s.ok(['collaborators', 'delete', '--organization-id', 'org1', '--user-id', 'user2']);
    expect(del.stdout).toBe('');
    expect(await collaborators()).toEqual({ owner: ['RIGHT_ALL'] });
  });

  test('a member with RIGHT_ORGANIZATION_SETTINGS_MEMBERS gets, sets (rights it holds) and deletes collaborators', async () => {
    await grant('manager', ['RIGHT_ORGANIZATION_SETTINGS_MEMBERS', 'RIGHT_ORGANIZATION_INFO']);
    const get = await s.run(['collaborators', 'get', '--organization-id', 'org1', '--user-id', 'owner'], as('manager'));
    expect(get.exitCode, get.stderr).toBe(0);
    expect(get.json.rights).toEqual(['RIGHT_ALL']);
    const set = await s.run(
      ['collaborators', 'set', '--organization-id', 'org1', '--user-id', 'user2', '--right-organization-info'],
      as('manager'),
    );
    expect(set.exitCode, set.stderr).toBe(0);
    expect((await collaborators()).user2).toEqual(['RIGHT_ORGANIZATION_INFO']);
    const del = await s.run(
      ['collaborators', 'delete', '--organization-id', 'org1', '--user-id', 'user2'],
      as('manager'),
    );
    expect(del.exitCode, del.stderr).toBe(0);
    expect(Object.keys(await collaborators()).sort()).toEqual(['manager', 'owner']);
  });

  test('a member without it (RIGHT_ORGANIZATION_INFO only) and an outsider cannot get, set or delete', async () => {
    await grant('reader', ['RIGHT_ORGANIZATION_INFO']);
    await grant('user2', ['RIGHT_ORGANIZATION_INFO']);
    await registerUsers('stranger');
    await expectDenied(['collaborators', 'get', '--organization-id', 'org1', '--user-id', 'owner'], as('reader'));
    await expectDenied(
      ['collaborators', 'set', '--organization-id', 'org1', '--user-id', 'user3', '--right-organization-info'],
      as('reader'),
    );
    await expectDenied(['collaborators', 'delete', '--organization-id', 'org1', '--user-id', 'user2'], as('reader'));
    await expectDenied(['collaborators', 'get', '--organization-id', 'org1', '--user-id', 'owner'], as('stranger'));
    await expectDenied(
      ['collaborators', 'set', '--organization-id', 'org1', '--user-id', 'stranger', '--right-organization-info'],
      as('stranger'),
    );
    await expectDenied(['collaborators', 'delete', '--organization-id', 'org1', '--user-id', 'user2'], as('stranger'));
  });
});

// RULES.md row: collaborators get, set, delete — seed page lines (Adding / Removing Users to/from Organizations)
describe('collaborators: the seed page’s lines', () => {
  test('add user1 with --right-organization-all, then remove a collaborator while another owner remains', async () => {
    await s.ok(['organizations', 'create', 'org1', '--user-id', 'owner']);
    await s.ok([
      'organizations',
      'collaborators',
      'set',
      '--organization-id',
      'org1',
      '--user-id',
      'user1',
      '--right-organization-all',
    ]);
    expect(await collaborators()).toEqual({ owner: ['RIGHT_ALL'], user1: ['RIGHT_ORGANIZATION_ALL'] });
    await s.ok(['organizations', 'collaborators', 'delete', '--organization-id', 'org1', '--user-id', 'user1']);
    expect(await collaborators()).toEqual({ owner: ['RIGHT_ALL'] });
    // RIGHT_ORGANIZATION_ALL alone makes an owner: with user1 back, the original owner may go.
    await s.ok([
      'organizations',
      'collaborators',
      'set',
      '--organization-id',
      'org1',
      '--user-id',
      'user1',
      '--right-organization-all',
    ]);
    // The owner is the contact it was created with: it goes once user1 is (collaborator_is_contact).
    await expectFails(
      s,
      ['organizations', 'collaborators', 'delete', '--organization-id', 'org1', '--user-id', 'owner'],
      5,
      'collaborator_is_contact',
    );
    await s.ok(['organizations', 'set', 'org1', ...contactFlags('user1')]);
    await s.ok(['organizations', 'collaborators', 'delete', '--organization-id', 'org1', '--user-id', 'owner']);
    expect(await collaborators()).toEqual({ user1: ['RIGHT_ORGANIZATION_ALL'] });
  });
});

// RULES.md Invariants (collaborators set): "the caller must hold every right added, and every right removed"
describe('collaborators set: granting and removing needs holding the right', () => {
  beforeEach(async () => {
    await s.ok(['create', 'org1', '--user-id', 'owner']);
    await grant('manager', [
      'RIGHT_ORGANIZATION_SETTINGS_MEMBERS',
      'RIGHT_ORGANIZATION_INFO',
      'RIGHT_ORGANIZATION_SETTINGS_BASIC',
    ]);
  });

  test('granting rights one holds succeeds; granting one one does not hold is denied', async () => {
    const held = await s.run(
      [
        'collaborators',
        'set',
        '--organization-id',
        'org1',
        '--user-id',
        'user3',
        '--right-organization-info',
        '--right-organization-settings-basic',
      ],
      as('manager'),
    );
    expect(held.exitCode, held.stderr).toBe(0);
    expect((await collaborators()).user3).toEqual(['RIGHT_ORGANIZATION_INFO', 'RIGHT_ORGANIZATION_SETTINGS_BASIC']);
    await expectDenied(
      ['collaborators', 'set', '--organization-id', 'org1', '--user-id', 'user4', '--right-organization-delete'],
      as('manager'),
    );
    // RIGHT_ORGANIZATION_ALL implies rights the manager lacks.
    await expectDenied(
      ['collaborators', 'set', '--organization-id', 'org1', '--user-id', 'user4', '--right-organization-all'],
      as('manager'),
    );
    // Raising an existing collaborator by a right not held is denied as well.
    await expectDenied(
      [
        'collaborators',
        'set',
        '--organization-id',
        'org1',
        '--user-id',
        'user3',
        '--right-organization-info',
        '--right-organization-settings-basic',
        '--right-application-info',
      ],
      as('manager'),
    );
  });

  test('removing a right one does not hold is denied, by set and by delete; removing held rights works', async () => {
    await grant('user5', ['RIGHT_ORGANIZATION_INFO', 'RIGHT_ORGANIZATION_DELETE']);
    await grant('user6', ['RIGHT_ORGANIZATION_INFO']);
    await expectDenied(
      ['collaborators', 'set', '--organization-id', 'org1', '--user-id', 'user5', '--right-organization-info'],
      as('manager'),
    );
    await expectDenied(['collaborators', 'delete', '--organization-id', 'org1', '--user-id', 'user5'], as('manager'));
    expect((await collaborators()).user5).toEqual(['RIGHT_ORGANIZATION_DELETE', 'RIGHT_ORGANIZATION_INFO']);
    const del = await s.run(
      ['collaborators', 'delete', '--organization-id', 'org1', '--user-id', 'user6'],
      as('manager'),
    );
    expect(del.exitCode, del.stderr).toBe(0);
    expect(Object.keys(await collaborators()).sort()).toEqual(['manager', 'owner', 'user5']);
  });
});

// RULES.md Invariants: "Every organization keeps at least one collaborator whose expanded rights include RIGHT_ORGANIZATION_ALL"
describe('collaborators set, delete: the last owner stays', () => {
  test('the last owner cannot be removed or downgraded (organization_needs_collaborator, exit 5)', async () => {
    await s.ok(['create', 'org1', '--user-id', 'owner']);
    await grant('user2', ['RIGHT_ORGANIZATION_INFO', 'RIGHT_ORGANIZATION_SETTINGS_MEMBERS']);
    const before = await collaborators();
    await expectFails(
      s,
      ['collaborators', 'delete', '--organization-id', 'org1', '--user-id', 'owner'],
      5,
      'organization_needs_collaborator',
    );
    await expectFails(
      s,
      [
        'collaborators',
        'set',
        '--organization-id',
        'org1',
        '--user-id',
        'owner',
        '--right-organization-info',
        '--right-organization-settings-members',
      ],
      5,
      'organization_needs_collaborator',
    );
    // The owner acting on themselves is held to the same rule.
    await expectFails(
      s,
      ['collaborators', 'delete', '--organization-id', 'org1', '--user-id', 'owner'],
      5,
      'organization_needs_collaborator',
      as('owner'),
    );
    expect(await collaborators()).toEqual(before);
    // RIGHT_ALL → RIGHT_ORGANIZATION_ALL keeps an owner, so it is allowed.
    await s.ok(['collaborators', 'set', '--organization-id', 'org1', '--user-id', 'owner', '--right-organization-all']);
    expect((await collaborators()).owner).toEqual(['RIGHT_ORGANIZATION_ALL']);
  });
});

// RULES.md Invariants: "a collaborator is always a user (organizations cannot be nested)" and "collaborators set needs at least one right"
describe('collaborators set: a user and at least one right', () => {
  test('an organization as collaborator is nested_organizations (exit 2), nothing changed', async () => {
    await s.ok(['create', 'org1', '--user-id', 'owner']);
    await s.ok(['create', 'org2', '--user-id', 'owner']);
    await expectFails(
      s,
      ['collaborators', 'set', '--organization-id', 'org1', '--user-id', 'org2', '--right-organization-info'],
      2,
      'nested_organizations',
    );
    expect(await collaborators()).toEqual({ owner: ['RIGHT_ALL'] });
  });

  test('no --right-* flag is no_collaborator_rights (exit 2), nothing changed', async () => {
    await s.ok(['create', 'org1', '--user-id', 'owner']);
    await expectFails(
      s,
      ['collaborators', 'set', '--organization-id', 'org1', '--user-id', 'user2'],
      2,
      'no_collaborator_rights',
    );
    await expectFails(
      s,
      ['collaborators', 'set', '--organization-id', 'org1', '--user-id', 'owner'],
      2,
      'no_collaborator_rights',
    );
  });
});

// RULES.md Rights: "`rights` lists the caller's expanded rights on the organization (the *_ALL names included), limited to the application, client, gateway and organization groups"
describe('rights: the caller’s expanded rights', () => {
  test('stored rights are expanded per caller; administrator and RIGHT_ALL owner get all four groups', async () => {
    await s.ok(['create', 'org1', '--user-id', 'owner']);
    await grant('members', ['RIGHT_ORGANIZATION_SETTINGS_MEMBERS', 'RIGHT_ORGANIZATION_INFO']);
    await grant('orgall', ['RIGHT_ORGANIZATION_ALL']);
    await grant('linker', ['RIGHT_APPLICATION_LINK', 'RIGHT_GATEWAY_LINK']);
    await grant('appall', ['RIGHT_APPLICATION_ALL']);
    await registerUsers('stranger');

    const rightsOf = async (user?: string): Promise<string[]> => {
      const result = await s.run(['rights', 'org1'], user === undefined ? {} : as(user));
      expect(result.exitCode, result.stderr).toBe(0);
      return result.json as string[];
    };

    expect(await rightsOf('members')).toEqual(['RIGHT_ORGANIZATION_INFO', 'RIGHT_ORGANIZATION_SETTINGS_MEMBERS']);
    expect(await rightsOf('orgall')).toEqual(sorted(ORGANIZATION));
    expect(await rightsOf('linker')).toEqual([
      'RIGHT_APPLICATION_INFO',
      'RIGHT_APPLICATION_LINK',
      'RIGHT_APPLICATION_TRAFFIC_DOWN_WRITE',
      'RIGHT_APPLICATION_TRAFFIC_READ',
      'RIGHT_GATEWAY_INFO',
      'RIGHT_GATEWAY_LINK',
    ]);
    expect(await rightsOf('appall')).toEqual(sorted(APPLICATION));
    expect(await rightsOf('stranger')).toEqual([]);

    const admin = await rightsOf();
    expect(admin).toEqual(sorted(FLAG_RIGHTS));
    expect(admin).toHaveLength(50);
    for (const all of ['RIGHT_APPLICATION_ALL', 'RIGHT_CLIENT_ALL', 'RIGHT_GATEWAY_ALL', 'RIGHT_ORGANIZATION_ALL']) {
      expect(admin).toContain(all);
    }
    expect(admin.filter((r) => r.startsWith('RIGHT_USER_') || r === 'RIGHT_ALL' || r === 'RIGHT_SEND_INVITES')).toEqual(
      [],
    );
    expect(await rightsOf('owner')).toEqual(admin);
  });

  test('`collaborators set --help` lists exactly the 50 --right-* flags', async () => {
    const help = await s.run(['collaborators', 'set', '--help']);
    expect(help.exitCode).toBe(0);
    const flags = new Set(help.stdout.match(/--right-[a-z-]+/g) ?? []);
    expect([...flags].sort()).toEqual(sorted(FLAG_RIGHTS.map(flag)));
    expect(flags.size).toBe(50);
  });
});

// RULES.md Rights: "the local administrator has all" — a user made administrator with `users set --admin`
describe('a user made administrator has all rights', () => {
  test('users set --admin: all rights without membership; --no-admin takes them away', async () => {
    await s.ok(['create', 'org1', '--user-id', 'owner', '--name', 'One', '--description', 'd']);
    await s.ok(['create', 'org2', '--user-id', 'other']);
    await registerUsers('boss');
    const promoted = await s.ok(['users', 'set', 'boss', '--admin']);
    expect(promoted.json.admin).toBe(true);

    const rights = await s.run(['rights', 'org1'], as('boss'));
    expect(rights.json).toEqual(sorted(FLAG_RIGHTS));
    const get = await s.run(['get', 'org1', '--all'], as('boss'));
    expect(get.json.description).toBe('d');
    expect(orgIds(await s.run(['list'], as('boss')))).toEqual(['org1', 'org2']);
    expect(orgIds(await s.run(['list', '--user-id', 'other'], as('boss')))).toEqual(['org2']);
    const members = await s.run(['collaborators', 'list', 'org1'], as('boss'));
    expect(members.json).toEqual([{ ids: { user_ids: { user_id: 'owner' } }, rights: ['RIGHT_ALL'] }]);
    const set = await s.run(['set', 'org1', '--name', 'Boss was here'], as('boss'));
    expect(set.exitCode, set.stderr).toBe(0);
    const created = await s.run(['create', 'org3', '--user-id', 'owner'], as('boss'));
    expect(created.exitCode, created.stderr).toBe(0);

    await s.ok(['users', 'set', 'boss', '--no-admin']);
    await expectDenied(['set', 'org1', '--name', 'Not any more'], as('boss'));
    const after = await s.run(['rights', 'org1'], as('boss'));
    expect(after.json).toEqual([]);
  });
});

// CONTRACT.md Invocation: who is calling — login, logout, whoami; ORGS_USER_ID wins over the login
describe('login, logout, whoami', () => {
  test('whoami follows login and logout; ORGS_USER_ID wins over the login', async () => {
    const admin = await s.ok(['whoami']);
    expect(admin.json.admin).toBe(true);
    expect(admin.json.user_id).toBeUndefined();

    const login = await s.ok(['login', '--user-id', 'alice']);
    expect(login.stdout).toBe('');
    expect((await s.ok(['whoami'])).json).toMatchObject({ user_id: 'alice', admin: false });
    expect((await s.ok(['whoami'], as('bob'))).json).toMatchObject({ user_id: 'bob', admin: false });

    // Logged in, alice is the caller: she creates for herself and is no administrator.
    await s.ok(['create', 'org1']);
    expect(
      (await s.ok(['collaborators', 'get', '--organization-id', 'org1', '--user-id', 'alice'])).json.rights,
    ).toEqual(['RIGHT_ALL']);
    await expectDenied(['create', 'org2', '--user-id', 'bob']);
    await expectDenied(['purge', 'org1', '--force']);
    // ORGS_USER_ID wins: bob is not a member of alice's organization.
    await expectDenied(['set', 'org1', '--name', 'x'], as('bob'));

    const logout = await s.ok(['logout']);
    expect(logout.stdout).toBe('');
    const back = await s.ok(['whoami']);
    expect(back.json.admin).toBe(true);
    expect(back.json.user_id).toBeUndefined();
    await s.ok(['purge', 'org1', '--force']);
  });

  test('login as an organization ID fails and is not remembered; the caller stays the administrator', async () => {
    await s.ok(['create', 'org1', '--user-id', 'owner']);
    // An organization is no user to log in as: an authentication failure (4), named so.
    await expectFails(s, ['login', '--user-id', 'org1'], 4, 'caller_is_organization');
    const who = await s.ok(['whoami']);
    expect(who.json.admin).toBe(true);
    expect(who.json.user_id).toBeUndefined();
  });
});

// CONTRACT.md: users create|list|get|set|delete — administrator only, except a user reading and renaming themselves
describe('users: managed by the administrator', () => {
  test('the administrator creates, lists, gets, sets and deletes users', async () => {
    const created = await s.ok(['users', 'create', 'carol', '--name', 'Carol']);
    expect(created.json).toMatchObject({ ids: { user_id: 'carol' }, name: 'Carol' });
    await expectFails(s, ['users', 'create', 'carol'], 5);
    await s.ok(['create', 'org1', '--user-id', 'owner']);
    await expectFails(s, ['users', 'create', 'org1'], 5);
    const list = await s.ok(['users', 'list']);
    expect((list.json as Array<{ ids: { user_id: string } }>).map((u) => u.ids.user_id).sort()).toEqual([
      'carol',
      'owner',
    ]);
    expect((await s.ok(['users', 'get', 'carol'])).json.name).toBe('Carol');
    const set = await s.ok(['users', 'set', 'carol', '--name', 'Caroline', '--admin']);
    expect(set.json).toMatchObject({ name: 'Caroline', admin: true });
    await s.ok(['users', 'delete', 'carol']);
    expectError(await s.run(['users', 'get', 'carol']), 3, 'user_not_found');
  });

  test('a user may read and rename themselves, and nothing else', async () => {
    await registerUsers('alice', 'carol');
    const self = await s.run(['users', 'get', 'alice'], as('alice'));
    expect(self.exitCode, self.stderr).toBe(0);
    expect(self.json.ids).toEqual({ user_id: 'alice' });
    const rename = await s.run(['users', 'set', 'alice', '--name', 'Alice'], as('alice'));
    expect(rename.exitCode, rename.stderr).toBe(0);
    expect(rename.json.name).toBe('Alice');

    await expectDenied(['users', 'list'], as('alice'));
    await expectDenied(['users', 'create', 'dave'], as('alice'));
    await expectDenied(['users', 'get', 'carol'], as('alice'));
    await expectDenied(['users', 'set', 'alice', '--admin'], as('alice'));
    await expectDenied(['users', 'set', 'carol', '--name', 'Hacked'], as('alice'));
    await expectDenied(['users', 'delete', 'carol'], as('alice'));
    await expectDenied(['users', 'delete', 'alice'], as('alice'));
    expectError(await s.run(['users', 'get', 'dave']), 3, 'user_not_found');
  });

  test('deleting the last owner of an organization fails with organization_needs_collaborator (exit 5)', async () => {
    await s.ok(['create', 'org1', '--user-id', 'owner']);
    await grant('user2', ['RIGHT_ORGANIZATION_INFO']);
    await expectFails(s, ['users', 'delete', 'owner'], 5, 'organization_needs_collaborator');
    expect(await collaborators()).toEqual({ owner: ['RIGHT_ALL'], user2: ['RIGHT_ORGANIZATION_INFO'] });
    // Once another owner exists, and is the contact, the user (and their membership) may go.
    await grant('user2', ['RIGHT_ORGANIZATION_ALL']);
    await expectFails(s, ['users', 'delete', 'owner'], 5, 'collaborator_is_contact');
    await s.ok(['set', 'org1', ...contactFlags('user2')]);
    await s.ok(['users', 'delete', 'owner']);
    expect(await collaborators()).toEqual({ user2: ['RIGHT_ORGANIZATION_ALL'] });
  });
});
