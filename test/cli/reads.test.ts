/**
 * A command that only reads never writes (CONTRACT.md, Invocation): an unknown user named by
 * --user-id on a read is user_not_found (events filters excepted), an unknown caller reads as a
 * user with no rights, and permission comes before existence. Then whose rights `rights --user-id`
 * answers with: an administrator's are every right, and an organization path shows a member's
 * rights only to a caller who may list that organization's members (ACCESS.md, members_hidden).
 * Every read is checked against the whole store: no row and no event added.
 */
import type { ResultPromise } from 'execa';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { KINDS } from '../../src/core/kinds.js';
import { rightsOfGroup } from '../fixtures/rights.js';
import { as, expectError, type Result, type Sandbox, shared, storeRows, storeRowsBesidesKeyUse } from '../helpers.js';
import { startConsole } from './console-client.js';

/** Runs a read and checks that the store is exactly as it was before it, but for when a key was last used. */
async function read(s: Sandbox, args: string[], options?: Parameters<Sandbox['run']>[1]): Promise<Result> {
  const before = await storeRowsBesidesKeyUse(s.db);
  const result = await s.run(args, options);
  expect(await storeRowsBesidesKeyUse(s.db), `orgs ${args.join(' ')} changed the store`).toEqual(before);
  return result;
}

/** org1 (user1 its owner, user2 a member with INFO only); app1, gw1 and client1 of user1. */
async function seed(s: Sandbox): Promise<void> {
  await s.ok(['create', 'org1', '--user-id', 'user1']);
  await s.ok(['collaborators', 'set', 'org1', '--user-id', 'user2', '--right-organization-info']);
  for (const kind of KINDS) await s.ok([kind.command, 'create', `${kind.name}1`, '--user-id', 'user1']);
}

describe('a read never registers anyone', () => {
  const box = shared(seed);

  const unknownNamed: Array<[string, string[]]> = [
    ['list --user-id', ['list', '--user-id', 'tpyo']],
    ['collaborators get', ['collaborators', 'get', 'org1', '--user-id', 'tpyo']],
    ['users get', ['users', 'get', 'tpyo']],
    ...KINDS.flatMap((kind): Array<[string, string[]]> => [
      [`${kind.command} rights --user-id`, [kind.command, 'rights', `${kind.name}1`, '--user-id', 'tpyo']],
      [
        `${kind.command} rights --user-id --explain`,
        [kind.command, 'rights', `${kind.name}1`, '--user-id', 'tpyo', '--explain'],
      ],
      [
        `${kind.command} rights --user-id (check mode)`,
        [kind.command, 'rights', `${kind.name}1`, '--user-id', 'tpyo', `--right-${kind.name}-info`],
      ],
      [`${kind.command} list --user-id`, [kind.command, 'list', '--user-id', 'tpyo']],
      [
        `${kind.command} collaborators get --user-id`,
        [kind.command, 'collaborators', 'get', `${kind.name}1`, '--user-id', 'tpyo'],
      ],
    ]),
  ];

  test.concurrent.each(unknownNamed)(
    '%s of an unknown user: user_not_found, exit 3, store unchanged',
    async (_, args) => {
      expectError(await read(box.s, args), 3, 'user_not_found');
    },
  );

  test.concurrent(
    'events --user-id of an unknown user reads (a deleted user keeps a trail), changes nothing',
    async () => {
      const result = await read(box.s, ['events', '--user-id', 'tpyo']);
      expect(result.exitCode, result.stderr).toBe(0);
      expect(result.stdout).toBe('');
    },
  );

  test.concurrent('an organization ID named as a user on a read stays nested_organizations (exit 2)', async () => {
    expectError(
      await read(box.s, ['applications', 'rights', 'application1', '--user-id', 'org1']),
      2,
      'nested_organizations',
    );
    expectError(await read(box.s, ['list', '--user-id', 'org1']), 2, 'nested_organizations');
  });

  // The unknown caller: a user with no rights, registered by nothing it reads.
  const ghostReads: Array<[string, string[], string]> = [
    ['list', ['list'], '[]\n'],
    ['search', ['search', '--id-contains', 'org'], '[]\n'],
    ['rights of an organization', ['rights', 'org1'], '[]\n'],
    ['whoami', ['whoami'], `${JSON.stringify({ user_id: 'ghost', admin: false }, null, 2)}\n`],
    ['events', ['events'], ''],
    ...KINDS.flatMap((kind): Array<[string, string[], string]> => [
      [`${kind.command} list`, [kind.command, 'list'], '[]\n'],
      [`${kind.command} rights`, [kind.command, 'rights', `${kind.name}1`], '[]\n'],
      [
        `${kind.command} rights --explain`,
        [kind.command, 'rights', `${kind.name}1`, '--explain'],
        `${JSON.stringify({ rights: [], paths: [] }, null, 2)}\n`,
      ],
    ]),
  ];

  test.concurrent.each(ghostReads)(
    'ORGS_USER_ID=ghost orgs %s: no rights, store unchanged',
    async (_, args, stdout) => {
      const result = await read(box.s, args, as('ghost'));
      expect(result.exitCode, result.stderr).toBe(0);
      expect(result.stdout).toBe(stdout);
    },
  );

  test.concurrent(
    'ORGS_USER_ID=ghost: get shows the public fields; denied reads stay exit 4; nothing registered',
    async () => {
      const got = await read(box.s, ['get', 'org1', '--all'], as('ghost'));
      expect(got.exitCode, got.stderr).toBe(0);
      expect(Object.keys(got.json).sort()).toEqual(['created_at', 'ids', 'updated_at']);
      expectError(await read(box.s, ['collaborators', 'list', 'org1'], as('ghost')), 4);
      expectError(await read(box.s, ['applications', 'collaborators', 'list', 'application1'], as('ghost')), 4);
      expectError(await read(box.s, ['users', 'list'], as('ghost')), 4);
      expectError(await read(box.s, ['users', 'get', 'ghost'], as('ghost')), 3, 'user_not_found');
      expectError(await read(box.s, ['list', '--user-id', 'ghost'], as('ghost')), 3, 'user_not_found');
    },
  );

  test.concurrent(
    'permission before existence: a caller who may not ask about U gets exit 4, U known or not',
    async () => {
      for (const who of ['user1', 'tpyo']) {
        // user2 is a member of org1 but no collaborator of application1, and no administrator.
        expectError(await read(box.s, ['applications', 'rights', 'application1', '--user-id', who], as('user2')), 4);
        expectError(await read(box.s, ['list', '--user-id', who], as('user2')), 4);
        expectError(await read(box.s, ['applications', 'list', '--user-id', who], as('user2')), 4);
        expectError(await read(box.s, ['users', 'get', who], as('user2')), 4);
        expectError(await read(box.s, ['collaborators', 'get', 'org1', '--user-id', who], as('user2')), 4);
      }
    },
  );
});

describe('the first write registers an unknown caller', () => {
  const box = shared(seed);

  test('a read, then a write: one user.create, in the write', async () => {
    await read(box.s, ['list'], as('newcomer'));
    await box.s.ok(['create', 'org9'], as('newcomer'));
    const events = (await box.s.ok(['events', '--user-id', 'newcomer', '--organization-id', 'org9'])).stdout
      .trimEnd()
      .split(/\n(?=\{)/)
      .map((text) => JSON.parse(text));
    expect(events.map((e) => e.name)).toEqual(['user.create', 'organization.create']);
    expect(events[0].correlation_ids).toEqual(events[1].correlation_ids);
  });
});

describe("an administrator's rights, asked by someone else: every right, by the administrator path", () => {
  const box = shared(async (s) => {
    await seed(s);
    await s.ok(['users', 'create', 'boss', '--admin']);
    // A collaborator who may ask about others on application1.
    await s.ok([
      'applications',
      'collaborators',
      'set',
      'application1',
      '--user-id',
      'user2',
      '--right-application-settings-collaborators',
    ]);
  });

  test.concurrent.each(KINDS)('$command rights --user-id boss equals what boss sees itself', async (kind) => {
    const args = [kind.command, 'rights', `${kind.name}1`];
    const own = await box.s.ok(args, as('boss'));
    expect(own.json).toEqual([...rightsOfGroup(kind.group)].sort());
    const asked = await read(box.s, [...args, '--user-id', 'boss']);
    expect(asked.exitCode, asked.stderr).toBe(0);
    expect(asked.json).toEqual(own.json);
    const explained = await read(box.s, [...args, '--user-id', 'boss', '--explain']);
    expect(explained.json).toEqual({ rights: own.json, paths: [{ via: 'administrator', rights: own.json }] });
    expect((await box.s.ok([...args, '--explain'], as('boss'))).json).toEqual(explained.json);
    expect(await box.s.run([...args, '--user-id', 'boss', `--right-${kind.name}-delete`])).toMatchObject({
      exitCode: 0,
    });
  });

  test.concurrent('asked by a collaborator holding SETTINGS_COLLABORATORS, too', async () => {
    const asked = await read(box.s, ['applications', 'rights', 'application1', '--user-id', 'boss'], as('user2'));
    expect(asked.exitCode, asked.stderr).toBe(0);
    expect(asked.json).toEqual([...rightsOfGroup('application')].sort());
  });
});

describe('--explain about someone else: member rights only for who may list the members', () => {
  const APP_INFO = ['RIGHT_APPLICATION_INFO', 'RIGHT_APPLICATION_TRAFFIC_READ'];
  const box = shared(async (s) => {
    // org1: owned by user1; bob holds application rights in it; carol may list its members.
    await s.ok(['create', 'org1', '--user-id', 'user1']);
    await s.ok(['collaborators', 'set', 'org1', '--user-id', 'bob', '--right-application-all']);
    await s.ok(['collaborators', 'set', 'org1', '--user-id', 'carol', '--right-organization-settings-members']);
    // app1: alice's, org1 a collaborator; carol may manage its collaborators.
    await s.ok(['applications', 'create', 'app1'], as('alice'));
    const org1OnApp1 = ['--organization-id', 'org1', '--right-application-info', '--right-application-traffic-read'];
    await s.ok(['applications', 'collaborators', 'set', 'app1', ...org1OnApp1]);
    await s.ok([
      'applications',
      'collaborators',
      'set',
      'app1',
      '--user-id',
      'carol',
      '--right-application-settings-collaborators',
    ]);
    // org2: alice's, an owner of app1 too, with a key that may manage app1's collaborators.
    await s.ok(['create', 'org2'], as('alice'));
    await s.ok(
      ['applications', 'collaborators', 'set', 'app1', '--organization-id', 'org2', '--right-application-all'],
      as('alice'),
    );
    org2Key = (await s.ok(['api-keys', 'create', 'org2', '--right-application-settings-collaborators'])).json.key;
  });
  let org2Key: string;
  const explain = ['applications', 'rights', 'app1', '--user-id', 'bob', '--explain'];
  const ORG1 = { organization_ids: { organization_id: 'org1' } };

  test.concurrent("app1's owner, who may not list org1's members, does not see bob's rights in org1", async () => {
    const result = await read(box.s, explain, as('alice'));
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.json).toEqual({
      rights: APP_INFO,
      paths: [{ via: ORG1, members_hidden: true, organization_rights: APP_INFO, rights: APP_INFO }],
    });
    const table = await read(box.s, [...explain, '--output-format', 'table'], as('alice'));
    expect(table.stdout).not.toContain('RIGHT_APPLICATION_ALL');
    expect(table.stdout).toContain('member rights: hidden');
  });

  test.concurrent("a caller who may list org1's members, and the administrator, see them", async () => {
    const shown = {
      rights: APP_INFO,
      paths: [
        {
          via: ORG1,
          member_rights: [...rightsOfGroup('application')].sort(),
          organization_rights: APP_INFO,
          rights: APP_INFO,
        },
      ],
    };
    expect((await read(box.s, explain, as('carol'))).json).toEqual(shown);
    expect((await read(box.s, explain)).json).toEqual(shown);
  });

  test.concurrent("an API key of another organization, which may manage app1's collaborators: hidden too", async () => {
    const result = await read(box.s, explain, { env: { ORGS_API_KEY: org2Key } });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.json.paths).toEqual([
      { via: ORG1, members_hidden: true, organization_rights: APP_INFO, rights: APP_INFO },
    ]);
  });

  test.concurrent('a subject asking about itself sees its own member rights', async () => {
    const own = await read(box.s, ['applications', 'rights', 'app1', '--explain'], as('bob'));
    expect(own.json.paths[0].member_rights).toEqual([...rightsOfGroup('application')].sort());
  });
});

/** `orgs console --no-open` on the sandbox, and the cookie its one-time link gives. */
async function openConsole(s: Sandbox): Promise<{ origin: string; cookie: string; process: ResultPromise }> {
  const { url, process: child } = await startConsole(s);
  const opened = await fetch(url, { redirect: 'manual' });
  return {
    origin: new URL(url).origin,
    cookie: opened.headers.get('set-cookie')!.split(';')[0]!,
    process: child,
  };
}

describe('the Console: GETs with a user_id change nothing', () => {
  const box = shared(async (s) => {
    await seed(s);
    await s.ok(['users', 'create', 'boss', '--admin']);
  });
  let consoleOf: Awaited<ReturnType<typeof openConsole>>;
  beforeAll(async () => {
    consoleOf = await openConsole(box.s);
  });
  afterAll(async () => {
    consoleOf?.process.kill('SIGINT');
    await consoleOf?.process;
  });

  const get = async (path: string) => {
    const before = await storeRows(box.s.db);
    const response = await fetch(`${consoleOf.origin}/api/v3${path}`, { headers: { cookie: consoleOf.cookie } });
    const body: any = await response.json();
    expect(await storeRows(box.s.db), `GET ${path} changed the store`).toEqual(before);
    return { status: response.status, body };
  };

  test.each([
    '/users/tpyo/organizations',
    '/organizations?user_id=tpyo',
    '/organizations/org1/collaborator/user/tpyo',
    ...KINDS.flatMap((kind) => [
      `/${kind.command}/${kind.name}1/rights?user_id=tpyo`,
      `/${kind.command}/${kind.name}1/rights?user_id=tpyo&explain=true`,
      `/${kind.command}?user_id=tpyo`,
      `/${kind.command}/${kind.name}1/collaborator/user/tpyo`,
    ]),
  ])('GET %s of an unknown user: 404 user_not_found', async (path) => {
    const answer = await get(path);
    expect(answer.status, JSON.stringify(answer.body)).toBe(404);
    expect(answer.body.details[0].name).toBe('user_not_found');
  });

  test('the effective-rights form on an administrator: every right, by the administrator path', async () => {
    const answer = await get('/applications/application1/rights?user_id=boss&explain=true');
    const all = [...rightsOfGroup('application')].sort();
    expect(answer.body).toEqual({ rights: all, paths: [{ via: 'administrator', rights: all }] });
  });
});
