/**
 * API keys of users, applications and gateways (API.md), beside the organizations' of
 * api-keys.test.ts: the same commands under `orgs users`, `orgs applications` and `orgs gateways`,
 * the rights each kind of key may hold, what each acts on as the caller (a user's key as its user
 * within the key's rights, an application's or gateway's on itself alone), `whoami`, what goes
 * with the owner, and their place in `access`, `reach` and `review`. Refusals leave the store as
 * it was (expectFails).
 */
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { expectFails, sandbox, withKey, type Sandbox } from '../helpers.js';

let s: Sandbox;
beforeEach(async () => {
  s = sandbox();
  await s.ok(['create', 'org1', '--user-id', 'user1']);
  await s.ok(['applications', 'create', 'app1', '--organization-id', 'org1']);
  await s.ok(['applications', 'create', 'app2', '--user-id', 'user2']);
  await s.ok(['gateways', 'create', 'gtw1', '--user-id', 'user1']);
});
afterEach(() => s.cleanup());

const asUser = (userId: string) => ({ env: { ORGS_USER_ID: userId } });

/** Creates a key with `orgs <group…> create <owner> <flags…>` as `userId`; its token. */
async function keyOf(group: string[], owner: string, flags: string[], userId = 'user1'): Promise<string> {
  const created = (await s.ok([...group, 'api-keys', 'create', owner, ...flags], asUser(userId))).json;
  expect(created.key).toMatch(/^NNSXS\./);
  return created.key;
}

const idOf = (token: string) => token.split('.')[1]!;

/** The `_ALL` right of every group a user's key may hold: every right there is. */
const ALL_GROUPS = ['user', 'organization', 'application', 'gateway', 'client'].map((group) => `--right-${group}-all`);

describe('a user API key', () => {
  test('is managed by its user with every command of organization keys, and shown once', async () => {
    const key = await keyOf(['users'], 'user1', ['--name', 'ci', '--right-user-all', '--right-application-info']);
    const id = idOf(key);
    const listed = (await s.ok(['users', 'api-keys', 'list', 'user1'], asUser('user1'))).json;
    expect(listed.map((k: { id: string }) => k.id)).toEqual([id]);
    expect(listed[0]).not.toHaveProperty('key');
    const got = (await s.ok(['users', 'api-keys', 'get', '--user-id', 'user1', '--api-key-id', id], asUser('user1')))
      .json;
    expect(got).toMatchObject({ id, name: 'ci', rights: ['RIGHT_APPLICATION_INFO', 'RIGHT_USER_ALL'] });
    await s.ok(['users', 'api-keys', 'set', 'user1', id, '--name', 'renamed'], asUser('user1'));
    expect((await s.ok(['users', 'api-keys', 'get', 'user1', id], asUser('user1'))).json.name).toBe('renamed');
    // Another user may not see or manage them; the administrator may.
    await expectFails(s, ['users', 'api-keys', 'list', 'user1'], 4, 'insufficient_rights', asUser('user2'));
    expect((await s.ok(['users', 'api-keys', 'list', 'user1'])).json).toHaveLength(1);
    await s.ok(['users', 'api-keys', 'delete', 'user1', id], asUser('user1'));
    await expectFails(s, ['whoami'], 4, 'unauthenticated', withKey(key));
  });

  test('takes the rights of every group, and only rights', async () => {
    const key = await keyOf(['users'], 'user1', [
      '--right-user-organizations-create',
      '--right-organization-info',
      '--right-gateway-info',
      '--right-client-info',
    ]);
    expect((await s.ok(['whoami'], withKey(key))).json).toEqual({
      api_key_id: idOf(key),
      user_id: 'user1',
      admin: false,
    });
    await expectFails(s, ['users', 'api-keys', 'create', 'user1'], 2, 'no_api_key_rights', asUser('user1'));
  });

  test('acts as its user within its own rights', async () => {
    const reader = await keyOf(['users'], 'user1', ['--right-organization-info', '--right-application-info']);
    // user1 holds every right on org1; through the key, only what the key holds too.
    // (The rights of a member of an organization hold those on its applications, as `rights` shows.)
    expect((await s.ok(['rights', 'org1'], withKey(reader))).json).toEqual([
      'RIGHT_APPLICATION_INFO',
      'RIGHT_ORGANIZATION_INFO',
    ]);
    expect((await s.ok(['applications', 'rights', 'app1'], withKey(reader))).json).toEqual(['RIGHT_APPLICATION_INFO']);
    await expectFails(
      s,
      ['collaborators', 'set', 'org1', '--user-id', 'user3', '--right-organization-info'],
      4,
      'insufficient_rights',
      withKey(reader),
    );
    await expectFails(s, ['applications', 'delete', 'app1'], 4, undefined, withKey(reader));
    // What a user does as itself needs the matching user right on the key.
    await expectFails(s, ['create', 'org2'], 4, 'insufficient_rights', withKey(reader));
    await expectFails(s, ['list'], 4, 'insufficient_rights', withKey(reader));
    const maker = await keyOf(['users'], 'user1', [
      '--right-user-organizations-create',
      '--right-user-organizations-list',
      '--right-organization-all',
    ]);
    await s.ok(['create', 'org2'], withKey(maker));
    const mine = (await s.ok(['list'], withKey(maker))).json.map(
      (o: { ids: { organization_id: string } }) => o.ids.organization_id,
    );
    expect(mine).toEqual(['org1', 'org2']);
    // Nor can a key give a key more than it holds itself.
    await expectFails(
      s,
      ['users', 'api-keys', 'create', 'user1', '--right-user-all'],
      4,
      'insufficient_rights',
      withKey(maker),
    );
  });

  test("of an administrator acts everywhere, within the key's rights", async () => {
    await s.ok(['users', 'create', 'root', '--admin']);
    const key = await keyOf(['users'], 'root', ['--right-application-info'], 'root');
    expect((await s.ok(['applications', 'rights', 'app2'], withKey(key))).json).toEqual(['RIGHT_APPLICATION_INFO']);
    expect((await s.ok(['rights', 'org1'], withKey(key))).json).toEqual(['RIGHT_APPLICATION_INFO']);
    await expectFails(s, ['delete', 'org1'], 4, 'insufficient_rights', withKey(key));
    // Nor does it pass where only an administrator may: those need a key holding every right.
    await expectFails(s, ['users', 'list'], 4, 'admin_only', withKey(key));
    const full = await keyOf(['users'], 'root', ALL_GROUPS, 'root');
    expect((await s.ok(['users', 'list'], withKey(full))).json.length).toBeGreaterThan(0);
    await expectFails(s, ['users', 'create', 'user9'], 4, 'admin_only', withKey(key));
  });

  test('goes with its user', async () => {
    await s.ok(['users', 'create', 'user3']);
    const key = await keyOf(['users'], 'user3', ['--right-user-info'], 'user3');
    await s.ok(['whoami'], withKey(key));
    await s.ok(['users', 'delete', 'user3']);
    await expectFails(s, ['whoami'], 4, 'unauthenticated', withKey(key));
  });
});

describe.each([
  {
    group: 'applications',
    owner: 'app1',
    other: 'app2',
    right: '--right-application-info',
    foreign: '--right-gateway-info',
  },
  {
    group: 'gateways',
    owner: 'gtw1',
    other: undefined,
    right: '--right-gateway-info',
    foreign: '--right-application-info',
  },
])('an API key of $group', ({ group, owner, other, right, foreign }) => {
  test('is managed by who holds the settings-api-keys right, and takes only its kind of rights', async () => {
    const key = await keyOf([group], owner, ['--name', 'device', right]);
    const listed = (await s.ok([group, 'api-keys', 'list', owner], asUser('user1'))).json;
    expect(listed.map((k: { id: string }) => k.id)).toEqual([idOf(key)]);
    await expectFails(s, [group, 'api-keys', 'list', owner], 4, undefined, asUser('user2'));
    // The flags of another group are not among the kind's flags.
    await expectFails(s, [group, 'api-keys', 'create', owner, foreign], 2, undefined, asUser('user1'));
    const whoami = (await s.ok(['whoami'], withKey(key))).json;
    expect(whoami).toEqual({ api_key_id: idOf(key), [`${group.slice(0, -1)}_id`]: owner });
  });

  test('acts on its own record alone', async () => {
    const key = await keyOf([group], owner, [right]);
    expect((await s.ok([group, 'get', owner], withKey(key))).json.ids).toBeDefined();
    if (other) await expectFails(s, [group, 'collaborators', 'list', other], 4, undefined, withKey(key));
    await expectFails(s, ['get', 'org1'], 4, 'api_key_other_organization', withKey(key));
    await expectFails(s, [group, 'list'], 4, 'api_key_cannot_list', withKey(key));
    await expectFails(s, ['list'], 4, 'api_key_cannot_list', withKey(key));
    await expectFails(s, [group, 'delete', owner], 4, undefined, withKey(key));
  });

  test('goes with its record when it is purged, and stops while it is deleted', async () => {
    const key = await keyOf([group], owner, [right]);
    await s.ok([group, 'delete', owner]);
    await expectFails(s, ['whoami'], 4, 'unauthenticated', withKey(key));
    await s.ok([group, 'restore', owner]);
    await s.ok(['whoami'], withKey(key));
    await s.ok([group, 'delete', owner]);
    await s.ok([group, 'purge', owner, '--force']);
    await s.ok([group, 'create', owner, '--user-id', 'user1']);
    await expectFails(s, ['whoami'], 4, 'unauthenticated', withKey(key));
  });
});

describe('every kind of key in access, reach and review', () => {
  test('access lists the application key and the user keys that reach the application', async () => {
    const appKey = await keyOf(['applications'], 'app1', ['--right-application-info']);
    const userKey = await keyOf(['users'], 'user1', ['--right-application-traffic-read']);
    const access = (await s.ok(['applications', 'access', 'app1'])).json as Array<{
      ids: Record<string, unknown>;
      rights: string[];
    }>;
    const keys = access.filter((entry) => 'api_key_id' in entry.ids);
    expect(keys).toEqual(
      expect.arrayContaining([
        {
          ids: { api_key_id: idOf(appKey), application_ids: { application_id: 'app1' } },
          rights: ['RIGHT_APPLICATION_INFO'],
        },
        {
          ids: { api_key_id: idOf(userKey), user_ids: { user_id: 'user1' } },
          rights: ['RIGHT_APPLICATION_TRAFFIC_READ'],
        },
      ]),
    );
    expect(keys).toHaveLength(2);
    // user2 may list neither user1's keys nor app1's: it sees none.
    await s.ok([
      'applications',
      'collaborators',
      'set',
      'app1',
      '--user-id',
      'user2',
      '--right-application-settings-collaborators',
    ]);
    const seen = (await s.ok(['applications', 'access', 'app1'], asUser('user2'))).json as Array<{ ids: object }>;
    expect(seen.filter((entry) => 'api_key_id' in entry.ids)).toEqual([]);
  });

  test("reach of a user's key is its user's reach within the key; of an application's key, the application", async () => {
    const userKey = await keyOf(['users'], 'user1', ['--right-application-info']);
    const reached = (await s.ok(['users', 'api-keys', 'reach', 'user1', idOf(userKey)], asUser('user1'))).json;
    // user1 holds every right on org1, app1 (through org1) and gtw1: the key, application info.
    expect(reached).toEqual([
      { ids: { organization_ids: { organization_id: 'org1' } }, rights: ['RIGHT_APPLICATION_INFO'] },
      { ids: { application_ids: { application_id: 'app1' } }, rights: ['RIGHT_APPLICATION_INFO'] },
    ]);
    const appKey = await keyOf(['applications'], 'app1', ['--right-application-info', '--right-application-link']);
    const own = (await s.ok(['applications', 'api-keys', 'reach', 'app1', idOf(appKey)], asUser('user1'))).json;
    expect(own).toHaveLength(1);
    expect(own[0].ids).toEqual({ application_ids: { application_id: 'app1' } });
    expect(own[0].rights).toContain('RIGHT_APPLICATION_LINK');
  });

  test('review reports keys of users, applications and gateways to who may list them', async () => {
    const userKey = await keyOf(['users'], 'user1', ['--right-user-info']);
    const gatewayKey = await keyOf(['gateways'], 'gtw1', ['--right-gateway-all']);
    const findings = (await s.ok(['review'])).json as Array<{
      finding: string;
      subject: { api_key_id?: string } | null;
    }>;
    const about = (token: string) =>
      findings.filter((f) => f.subject?.api_key_id === idOf(token)).map((f) => f.finding);
    expect(about(userKey)).toEqual(['api_key_no_expiry']);
    expect(about(gatewayKey).sort()).toEqual(['api_key_all_rights', 'api_key_no_expiry']);
    const own = (await s.ok(['review'], asUser('user1'))).json as typeof findings;
    expect(own.some((f) => f.subject?.api_key_id === idOf(userKey))).toBe(true);
    // user2 sees its own key, and neither user1's nor gtw1's.
    const user2Key = await keyOf(['users'], 'user2', ['--right-user-info'], 'user2');
    const others = (await s.ok(['review'], asUser('user2'))).json as typeof findings;
    const keysSeen = new Set(others.map((f) => f.subject?.api_key_id).filter((id) => id !== undefined));
    expect([...keysSeen]).toEqual([idOf(user2Key)]);
  });
});
