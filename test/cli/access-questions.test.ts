/**
 * The access questions of ACCESS.md: `access` (who holds rights on a target), `reach` (what a
 * subject holds rights on) and `--dry-run` (what a change would do). First properties on random
 * registries: every answer agrees with `rights` asked as that subject, for every subject and
 * target; and a dry run changes nothing and reports exactly what the real change then does. Then
 * who may ask, what stays hidden, the filters, paging, the tables, and that questions write nothing.
 */
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { as, checkProperty, expectError, expectFails, sandbox, storeRows, withKey, type Sandbox } from '../helpers.js';

let s: Sandbox;
beforeEach(() => {
  s = sandbox();
});
afterEach(() => s.cleanup());

/** `{ "user user1": [rights], "api-key ID": [rights], … }` of an `access` or `reach` answer. */
function bySubject(answer: any[]): Record<string, string[]> {
  return Object.fromEntries(
    answer.map((element) => {
      const ids = element.ids;
      const name = ids.api_key_id
        ? `api-key ${ids.api_key_id}`
        : Object.entries(ids).map(
            ([kind, value]) => `${kind.replace(/_ids$/, '')} ${Object.values(value as object)[0]}`,
          )[0];
      return [name, element.rights];
    }),
  );
}

const ORGANIZATION_RIGHTS = [
  '--right-organization-all',
  '--right-organization-info',
  '--right-organization-settings-members',
  '--right-application-all',
  '--right-application-info',
  '--right-application-devices-read',
];
const APPLICATION_RIGHTS = [
  '--right-application-all',
  '--right-application-info',
  '--right-application-devices-read',
  '--right-application-settings-collaborators',
];
const USERS = ['u1', 'u2', 'u3', 'u4'];
const ORGANIZATIONS = ['o1', 'o2'];
const APPLICATIONS = ['a1', 'a2'];

/** A random registry, as commands of the administrator (some may be refused by the rules: that is fine). */
const registry = fc.record({
  owners: fc.tuple(...ORGANIZATIONS.map(() => fc.constantFrom(...USERS))),
  members: fc.array(
    fc.tuple(
      fc.constantFrom(...ORGANIZATIONS),
      fc.constantFrom(...USERS),
      fc.subarray(ORGANIZATION_RIGHTS, { minLength: 1 }),
    ),
    { maxLength: 5 },
  ),
  applicationOwners: fc.tuple(...APPLICATIONS.map(() => fc.constantFrom(...USERS, ...ORGANIZATIONS))),
  collaborators: fc.array(
    fc.tuple(
      fc.constantFrom(...APPLICATIONS),
      fc.constantFrom(...USERS, ...ORGANIZATIONS),
      fc.subarray(APPLICATION_RIGHTS, { minLength: 1 }),
    ),
    { maxLength: 5 },
  ),
  keys: fc.array(fc.tuple(fc.constantFrom(...ORGANIZATIONS), fc.subarray(ORGANIZATION_RIGHTS, { minLength: 1 })), {
    maxLength: 2,
  }),
  admin: fc.boolean(),
  deleted: fc.option(fc.constantFrom(...ORGANIZATIONS), { nil: undefined }),
});

/** Builds the registry `r` as the administrator; returns the keys made. */
async function build(box: Sandbox, r: typeof registry extends fc.Arbitrary<infer R> ? R : never) {
  for (const [i, id] of ORGANIZATIONS.entries()) await box.run(['create', id, '--user-id', r.owners[i]!]);
  for (const [organization, user, rights] of r.members) {
    await box.run(['collaborators', 'set', organization, '--user-id', user, ...rights]);
  }
  for (const [i, id] of APPLICATIONS.entries()) {
    const owner = r.applicationOwners[i]!;
    await box.run(['apps', 'create', id, ORGANIZATIONS.includes(owner) ? '--organization-id' : '--user-id', owner]);
  }
  for (const [application, who, rights] of r.collaborators) {
    const flag = ORGANIZATIONS.includes(who) ? '--organization-id' : '--user-id';
    await box.run(['apps', 'collaborators', 'set', application, flag, who, ...rights]);
  }
  const keys: Array<{ id: string; token: string }> = [];
  for (const [organization, rights] of r.keys) {
    const created = await box.run(['api-keys', 'create', organization, ...rights]);
    if (created.exitCode === 0) keys.push({ id: created.json.id, token: created.json.key });
  }
  if (r.admin) await box.run(['users', 'set', 'u4', '--admin']);
  if (r.deleted) await box.run(['delete', r.deleted]);
  return keys;
}

/** What `rights` prints for this caller on the target, or nothing when it is refused (a deleted organization). */
async function rightsAs(box: Sandbox, target: string[], caller: { env: Record<string, string> }): Promise<string[]> {
  const result = await box.run([...target.slice(0, -1), 'rights', target[target.length - 1]!], caller);
  return result.exitCode === 0 ? result.json : [];
}

describe('every answer agrees with `rights` asked as the subject', () => {
  test('on random registries: access of every application and organization, reach of every user and key (20 cases)', async () => {
    await checkProperty(
      fc.asyncProperty(registry, async (r) => {
        const box = sandbox();
        try {
          const keys = await build(box, r);

          const callers = [
            ...USERS.map((user) => ({ name: `user ${user}`, options: as(user), reach: ['users', 'reach', user] })),
            ...keys.map((key) => ({ name: `api-key ${key.id}`, options: withKey(key.token), reach: undefined })),
          ];
          const targets = [
            ...ORGANIZATIONS.map((id) => ({ name: `organization ${id}`, path: [id] })),
            ...APPLICATIONS.map((id) => ({ name: `application ${id}`, path: ['apps', id] })),
          ];
          // Asked of the local administrator, who sees every path.
          const access = new Map<string, Record<string, string[]>>();
          for (const target of targets) {
            const answer = await box.run([
              ...target.path.slice(0, -1),
              'access',
              target.path.at(-1)!,
              '--limit',
              '1000',
            ]);
            access.set(target.name, answer.exitCode === 0 ? bySubject(answer.json) : {});
          }
          for (const caller of callers) {
            const reached = caller.reach ? await box.run(caller.reach) : undefined;
            const reach = reached?.exitCode === 0 ? bySubject(reached.json) : undefined;
            if (caller.reach && reached!.exitCode !== 0) expectError(reached!, 3, 'user_not_found');
            for (const target of targets) {
              const rights = await rightsAs(box, target.path, caller.options);
              const why = `${caller.name} on ${target.name}`;
              expect(access.get(target.name)![caller.name] ?? [], `access: ${why}`).toEqual(rights);
              if (reach) expect(reach[target.name] ?? [], `reach: ${why}`).toEqual(rights);
            }
          }
        } finally {
          await box.cleanup();
        }
      }),
      20,
    );
  }, 120_000);
});

/** Every target's `access` as the administrator sees it: `{ "application a1": { "user u1": [rights] } }`. */
async function everyAccess(box: Sandbox): Promise<Record<string, Record<string, string[]>>> {
  const all: Record<string, Record<string, string[]>> = {};
  for (const [kind, path] of [
    ...ORGANIZATIONS.map((id) => ['organization', [id]] as const),
    ...APPLICATIONS.map((id) => ['application', ['apps', id]] as const),
  ]) {
    const answer = await box.run([...path.slice(0, -1), 'access', path.at(-1)!, '--limit', '1000']);
    all[`${kind} ${path.at(-1)}`] = answer.exitCode === 0 ? bySubject(answer.json) : {};
  }
  return all;
}

/** The pairs whose rights differ between two `everyAccess` answers, as `--dry-run` reports them. */
function differences(was: Record<string, Record<string, string[]>>, is: Record<string, Record<string, string[]>>) {
  const pairs: string[] = [];
  for (const target of Object.keys(was)) {
    for (const subject of new Set([...Object.keys(was[target]!), ...Object.keys(is[target]!)])) {
      if (subject.startsWith('organization ')) continue;
      const [before, after] = [was[target]![subject] ?? [], is[target]![subject] ?? []];
      if (JSON.stringify(before) !== JSON.stringify(after))
        pairs.push(`${subject} on ${target}: ${before} -> ${after}`);
    }
  }
  return pairs.sort();
}

/** A command that changes access, as `--dry-run` takes it. */
const accessChange = fc.oneof(
  fc
    .tuple(
      fc.constantFrom(...ORGANIZATIONS),
      fc.constantFrom(...USERS),
      fc.subarray(ORGANIZATION_RIGHTS, { minLength: 1 }),
    )
    .map(([organization, user, rights]) => ['collaborators', 'set', organization, '--user-id', user, ...rights]),
  fc
    .tuple(fc.constantFrom(...ORGANIZATIONS), fc.constantFrom(...USERS))
    .map(([organization, user]) => ['collaborators', 'delete', organization, '--user-id', user]),
  fc
    .tuple(
      fc.constantFrom(...APPLICATIONS),
      fc.constantFrom(...USERS, ...ORGANIZATIONS),
      fc.subarray(APPLICATION_RIGHTS, { minLength: 1 }),
    )
    .map(([application, who, rights]) => [
      'apps',
      'collaborators',
      'set',
      application,
      ORGANIZATIONS.includes(who) ? '--organization-id' : '--user-id',
      who,
      ...rights,
    ]),
  fc
    .tuple(fc.constantFrom(...APPLICATIONS), fc.constantFrom(...USERS, ...ORGANIZATIONS))
    .map(([application, who]) => [
      'apps',
      'collaborators',
      'delete',
      application,
      ORGANIZATIONS.includes(who) ? '--organization-id' : '--user-id',
      who,
    ]),
  fc
    .tuple(fc.constantFrom('delete', 'restore', 'purge'), fc.constantFrom(...ORGANIZATIONS))
    .map(([verb, id]) => (verb === 'purge' ? [verb, id, '--force'] : [verb, id])),
  fc
    .tuple(fc.constantFrom('delete', 'purge'), fc.constantFrom(...APPLICATIONS))
    .map(([verb, id]) => (verb === 'purge' ? ['apps', verb, id, '--force'] : ['apps', verb, id])),
  fc.constantFrom(...USERS).map((user) => ['users', 'delete', user]),
  fc
    .tuple(fc.constantFrom(...USERS), fc.boolean())
    .map(([user, admin]) => ['users', 'set', user, admin ? '--admin' : '--admin=false']),
);

describe('--dry-run', () => {
  test('on random registries and changes: nothing changes, and the report is what the real change then does (25 cases)', async () => {
    await checkProperty(
      fc.asyncProperty(registry, accessChange, async (r, change) => {
        const box = sandbox();
        try {
          await build(box, r);
          const was = await everyAccess(box);
          const stored = await storeRows(box.db);
          const tried = await box.run([...change, '--dry-run']);
          expect(await storeRows(box.db), 'a dry run changes nothing').toEqual(stored);
          const real = await box.run(change);
          expect(tried.exitCode, `${change.join(' ')}: ${tried.stderr}`).toBe(real.exitCode);
          if (real.exitCode !== 0) {
            expect(tried.stderr).toBe(real.stderr);
            expect(tried.stdout).toBe('');
            return;
          }
          const report = tried.json;
          expect(report.dry_run).toBe(true);
          expect(report.result).toEqual(real.stdout === '' ? null : real.json);
          const reported = report.access
            .map((pair: any) => {
              const [subject] = Object.entries(bySubject([{ ids: pair.subject, rights: [] }]))[0]!;
              const [target] = Object.entries(bySubject([{ ids: pair.target, rights: [] }]))[0]!;
              return `${subject} on ${target}: ${pair.before} -> ${pair.after}`;
            })
            .sort();
          expect(reported, change.join(' ')).toEqual(differences(was, await everyAccess(box)));
        } finally {
          await box.cleanup();
        }
      }),
      25,
    );
  }, 120_000);

  test('a refused change is refused the same way; a prompt is not asked; nothing is recorded', async () => {
    await s.ok(['create', 'org1', '--user-id', 'user1']);
    await s.ok(['apps', 'create', 'app1', '--user-id', 'user9']);
    await s.ok(['apps', 'collaborators', 'set', 'app1', '--organization-id', 'org1', '--right-application-info']);
    await expectFails(
      s,
      ['collaborators', 'delete', 'org1', '--user-id', 'user1', '--dry-run'],
      5,
      'organization_needs_collaborator',
    );
    await expectFails(
      s,
      ['apps', 'collaborators', 'set', 'app1', '--user-id', 'user2', '--right-application-info', '--dry-run'],
      4,
      'insufficient_rights',
      as('user2'),
    );
    const before = await storeRows(s.db);
    // purge asks first, on a terminal; a dry run keeps nothing and asks nothing.
    const purge = await s.run(['purge', 'org1', '--dry-run']);
    expect(purge.exitCode, purge.stderr).toBe(0);
    expect(purge.json.access.map((pair: any) => Object.keys(pair.target)[0])).toEqual([
      'organization_ids',
      'application_ids',
    ]);
    expect(await storeRows(s.db)).toEqual(before);
  });

  test('what the caller may not see is counted, not named; a table has a row per change', async () => {
    await s.ok(['create', 'org1', '--user-id', 'user1']);
    await s.ok(['collaborators', 'set', 'org1', '--user-id', 'user2', '--right-application-all']);
    await s.ok(['apps', 'create', 'app1', '--user-id', 'owner']);
    await s.ok(['apps', 'collaborators', 'set', 'app1', '--organization-id', 'org1', '--right-application-info']);
    // owner may list app1's collaborators but not org1's members: user1 and user2 lose info on app1, unnamed.
    const report = (
      await s.ok(['apps', 'collaborators', 'delete', 'app1', '--organization-id', 'org1', '--dry-run'], as('owner'))
    ).json;
    expect(report.access).toEqual([{ hidden: 2 }]);
    const named = (await s.ok(['apps', 'collaborators', 'delete', 'app1', '--organization-id', 'org1', '--dry-run']))
      .json;
    expect(named.access.map((pair: any) => [pair.subject.user_ids.user_id, pair.lost])).toEqual([
      ['user1', ['RIGHT_APPLICATION_INFO']],
      ['user2', ['RIGHT_APPLICATION_INFO']],
    ]);
    const table = await s.ok([
      'apps',
      'collaborators',
      'delete',
      'app1',
      '--organization-id',
      'org1',
      '--dry-run',
      '--output-format',
      'table',
    ]);
    expect(
      table.stdout
        .split('\n')
        .slice(0, 3)
        .map((line) => line.trimEnd()),
    ).toEqual([
      expect.stringMatching(/^SUBJECT +TARGET +GAINED +LOST$/),
      expect.stringMatching(/^user1 +application app1 +application: info$/),
      expect.stringMatching(/^user2 +application app1 +application: info$/),
    ]);
  });
});

describe('access', () => {
  beforeEach(async () => {
    await s.ok(['create', 'org1', '--user-id', 'owner']);
    await s.ok([
      'collaborators',
      'set',
      'org1',
      '--user-id',
      'reader',
      '--right-organization-info',
      '--right-application-info',
    ]);
    await s.ok(['create', 'org2', '--user-id', 'other']);
    await s.ok(['collaborators', 'set', 'org2', '--user-id', 'member2', '--right-application-all']);
    await s.ok(['apps', 'create', 'app1', '--organization-id', 'org1']);
    await s.ok([
      'apps',
      'collaborators',
      'set',
      'app1',
      '--organization-id',
      'org2',
      '--right-application-info',
      '--right-application-traffic-read',
    ]);
    await s.ok([
      'apps',
      'collaborators',
      'set',
      'app1',
      '--user-id',
      'direct',
      '--right-application-settings-collaborators',
    ]);
    await s.ok(['users', 'create', 'boss', '--admin']);
  });

  test('of an application: users by ID, then API keys, then administrators; each with what `rights` says', async () => {
    const key = (await s.ok(['api-keys', 'create', 'org2', '--right-application-info'])).json;
    const answer = (await s.ok(['apps', 'access', 'app1'])).json;
    expect(answer.map((e: any) => e.ids)).toEqual([
      { user_ids: { user_id: 'direct' } },
      { user_ids: { user_id: 'member2' } },
      { user_ids: { user_id: 'other' } },
      { user_ids: { user_id: 'owner' } },
      { user_ids: { user_id: 'reader' } },
      { api_key_id: key.id, organization_ids: { organization_id: 'org2' } },
      { user_ids: { user_id: 'boss' } },
    ]);
    // member2 holds application all in org2, which holds info and traffic-read on app1: the intersection.
    expect(bySubject(answer)['user member2']).toEqual(['RIGHT_APPLICATION_INFO', 'RIGHT_APPLICATION_TRAFFIC_READ']);
    expect(bySubject(answer)['user reader']).toEqual(['RIGHT_APPLICATION_INFO']);
    expect(bySubject(answer)[`api-key ${key.id}`]).toEqual(['RIGHT_APPLICATION_INFO']);
    expect(
      (await s.ok(['apps', 'access', 'app1', '--no-admins'])).json.map((e: any) => e.ids.user_ids?.user_id),
    ).not.toContain('boss');
  });

  test('--right-* keeps those holding every right named; --limit and --page page the answer', async () => {
    const holders = (await s.ok(['apps', 'access', 'app1', '--right-application-traffic-read', '--no-admins'])).json;
    expect(holders.map((e: any) => e.ids.user_ids.user_id)).toEqual(['member2', 'other', 'owner']);
    const second = await s.ok(['apps', 'access', 'app1', '--limit', '2', '--page', '2']);
    expect(second.json.map((e: any) => e.ids.user_ids.user_id)).toEqual(['other', 'owner']);
    expect(second.stderr).toBe('more results: --limit=2 --page=3\n');
  });

  test('--explain gives the paths of each subject, shaped as rights --explain', async () => {
    const answer = (await s.ok(['apps', 'access', 'app1', '--explain', '--no-admins'])).json;
    const member2 = answer.find((e: any) => e.ids.user_ids?.user_id === 'member2');
    const explained = (await s.ok(['apps', 'rights', 'app1', '--explain'], as('member2'))).json;
    expect(member2.paths).toEqual(explained.paths);
    expect(member2.rights).toEqual(explained.rights);
  });

  test('needs the kind’s SETTINGS_COLLABORATORS: refused to others, exit 4, nothing written', async () => {
    await expectFails(s, ['apps', 'access', 'app1'], 4, 'insufficient_rights', as('reader'));
    await expectFails(s, ['access', 'org1'], 4, 'insufficient_rights', as('reader'));
    await expectFails(s, ['apps', 'access', 'nothere'], 3, 'application_not_found');
  });

  test('members of an organization the caller may not list stay a count; its keys are left out', async () => {
    await s.ok(['api-keys', 'create', 'org2', '--right-application-info']);
    const answer = (await s.ok(['apps', 'access', 'app1', '--no-admins'], as('direct'))).json;
    expect(answer.map((e: any) => e.ids)).toEqual([
      { user_ids: { user_id: 'direct' } },
      { organization_ids: { organization_id: 'org1' } },
      { organization_ids: { organization_id: 'org2' } },
    ]);
    const org2 = answer.find((e: any) => e.ids.organization_ids?.organization_id === 'org2');
    // member2 and other (org2's owner, all rights) gain something on app1 through org2.
    expect(org2).toEqual({
      ids: { organization_ids: { organization_id: 'org2' } },
      rights: ['RIGHT_APPLICATION_INFO', 'RIGHT_APPLICATION_TRAFFIC_READ'],
      members_hidden: 2,
    });
  });

  test('of an organization: its members and keys with their rights there, as `rights` prints them; a table', async () => {
    const key = (await s.ok(['api-keys', 'create', 'org1', '--right-organization-info'])).json;
    const answer = bySubject((await s.ok(['access', 'org1', '--no-admins'])).json);
    expect(answer['user reader']).toEqual((await s.ok(['rights', 'org1'], as('reader'))).json);
    expect(answer[`api-key ${key.id}`]).toEqual(['RIGHT_ORGANIZATION_INFO']);
    const table = (await s.ok(['access', 'org1', '--output-format', 'table'])).stdout.split('\n');
    expect(table[0]).toMatch(/^SUBJECT +VIA +RIGHTS$/);
    expect(table.find((line) => line.startsWith('user reader'))).toMatch(
      /^user reader +direct +application: info; organization: info$/,
    );
    expect(table.find((line) => line.startsWith('user boss'))).toMatch(/ administrator /);
  });

  test('an expired key holds nothing and is not listed (fake clock)', async () => {
    const key = (
      await s.ok([
        'api-keys',
        'create',
        'org1',
        '--right-organization-info',
        '--api-key-expiry',
        '2099-01-01T00:00:00Z',
      ])
    ).json;
    const later = { clock: () => Date.parse('2099-01-02T00:00:00Z') };
    expect(JSON.stringify((await s.ok(['access', 'org1'])).json)).toContain(key.id);
    expect(JSON.stringify((await s.ok(['access', 'org1'], later)).json)).not.toContain(key.id);
    expect((await s.ok(['api-keys', 'reach', 'org1', key.id], later)).json).toEqual([]);
  });
});

describe('reach', () => {
  beforeEach(async () => {
    await s.ok(['create', 'org1', '--user-id', 'user1']);
    await s.ok([
      'collaborators',
      'set',
      'org1',
      '--user-id',
      'user2',
      '--right-application-all',
      '--right-gateway-info',
    ]);
    await s.ok(['apps', 'create', 'app1', '--organization-id', 'org1']);
    await s.ok(['apps', 'create', 'app2', '--user-id', 'user2']);
    await s.ok(['gateways', 'create', 'gtw1', '--organization-id', 'org1']);
    await s.ok(['clients', 'create', 'client1', '--user-id', 'user3']);
  });

  test('of a user: organizations, then applications, gateways, clients, each by ID, with its rights', async () => {
    const answer = (await s.ok(['users', 'reach', 'user2'], as('user2'))).json;
    expect(answer.map((e: any) => e.ids)).toEqual([
      { organization_ids: { organization_id: 'org1' } },
      { application_ids: { application_id: 'app1' } },
      { application_ids: { application_id: 'app2' } },
      { gateway_ids: { gateway_id: 'gtw1' } },
    ]);
    expect(answer[3].rights).toEqual(['RIGHT_GATEWAY_INFO']);
    expect(
      (await s.ok(['users', 'reach', 'user2', '--kind', 'gateway', '--kind', 'organization'], as('user2'))).json.length,
    ).toBe(2);
    const writers = (await s.ok(['users', 'reach', 'user2', '--right-application-devices-write'], as('user2'))).json;
    expect(writers.map((e: any) => Object.values(e.ids.application_ids)[0])).toEqual(['app1', 'app2']);
  });

  test('asked by the user or an administrator only; an unknown user is not found; a bad --kind is exit 2', async () => {
    await expectFails(s, ['users', 'reach', 'user2'], 4, 'not_self', as('user1'));
    expect((await s.ok(['users', 'reach', 'user3'])).json.map((e: any) => e.ids)).toEqual([
      { client_ids: { client_id: 'client1' } },
    ]);
    await expectFails(s, ['users', 'reach', 'nobody'], 3, 'user_not_found');
    await expectFails(s, ['users', 'reach', 'user2', '--kind', 'device'], 2, 'invalid_kind', as('user2'));
  });

  test('of an organization: the kinds the caller may list for it, the others named on stderr', async () => {
    const all = await s.ok(['reach', 'org1']);
    expect(all.json.map((e: any) => Object.keys(e.ids)[0])).toEqual(['application_ids', 'gateway_ids']);
    await s.ok(['collaborators', 'set', 'org1', '--user-id', 'user4', '--right-organization-applications-list']);
    const some = await s.ok(['reach', 'org1'], as('user4'));
    expect(some.json.map((e: any) => e.ids)).toEqual([{ application_ids: { application_id: 'app1' } }]);
    expect(some.stderr).toBe('left out: gateway, client (the caller may not list them for org1)\n');
  });

  test('of an API key: its organization and what the organization collaborates on, within the key’s rights', async () => {
    const key = (await s.ok(['api-keys', 'create', 'org1', '--right-application-info'])).json;
    const answer = (await s.ok(['api-keys', 'reach', 'org1', key.id, '--explain'])).json;
    expect(answer.map((e: any) => [e.ids, e.rights])).toEqual([
      [{ organization_ids: { organization_id: 'org1' } }, ['RIGHT_APPLICATION_INFO']],
      [{ application_ids: { application_id: 'app1' } }, ['RIGHT_APPLICATION_INFO']],
    ]);
    expect(answer[1].paths).toEqual((await s.ok(['apps', 'rights', 'app1', '--explain'], withKey(key.key))).json.paths);
  });

  test('deleted targets and paths through deleted organizations count for nothing', async () => {
    await s.ok(['apps', 'delete', 'app2']);
    await s.ok(['delete', 'org1']);
    expect((await s.ok(['users', 'reach', 'user2'])).json).toEqual([]);
  });

  test('--deleted lists them, marked, with what would count again on restore', async () => {
    const before = (await s.ok(['users', 'reach', 'user2', '--explain'])).json;
    await s.ok(['apps', 'delete', 'app2']);
    await s.ok(['delete', 'org1']);
    const answer = (await s.ok(['users', 'reach', 'user2', '--deleted', '--explain'])).json;
    // The same targets and rights as before the deletions; org1 and app2 marked deleted, and the paths through org1.
    const deleted = ['organization org1', 'application app2'];
    expect(answer.map((e: any) => [e.ids, e.rights, e.deleted])).toEqual(
      before.map((e: any) => {
        const [kind, ids] = Object.entries(e.ids)[0] as [string, object];
        return [
          e.ids,
          e.rights,
          deleted.includes(`${kind.replace(/_ids$/, '')} ${Object.values(ids)[0]}`) || undefined,
        ];
      }),
    );
    const app1 = answer.find((e: any) => e.ids.application_ids?.application_id === 'app1');
    expect(app1.paths).toEqual([
      { ...before.find((e: any) => e.ids.application_ids?.application_id === 'app1').paths[0], deleted: true },
    ]);
    // What the organization and its keys reach, deleted entities too.
    await s.ok(['restore', 'org1']);
    await s.ok(['apps', 'delete', 'app1']);
    const reach = (await s.ok(['reach', 'org1', '--deleted'])).json;
    expect(reach.map((e: any) => [Object.values(Object.values(e.ids)[0] as object)[0], e.deleted])).toEqual([
      ['app1', true],
      ['gtw1', undefined],
    ]);
    expect((await s.ok(['reach', 'org1'])).json.map((e: any) => Object.keys(e.ids)[0])).toEqual(['gateway_ids']);
  });
});

test('the questions write nothing: the store is byte for byte as before, on a store of every kind of record', async () => {
  await s.ok(['create', 'org1', '--user-id', 'user1']);
  await s.ok(['apps', 'create', 'app1', '--organization-id', 'org1']);
  const key = (await s.ok(['api-keys', 'create', 'org1', '--right-application-info'])).json;
  const before = await storeRows(s.db);
  for (const args of [
    ['access', 'org1'],
    ['apps', 'access', 'app1', '--explain'],
    ['reach', 'org1'],
    ['users', 'reach', 'user1'],
    ['api-keys', 'reach', 'org1', key.id],
  ]) {
    await s.ok(args);
    await s.ok(args, as('newcomer')).catch(() => {});
  }
  expect(await storeRows(s.db)).toEqual(before);
});
