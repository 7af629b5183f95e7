/**
 * Black-box tests of the organization commands, as a user of `orgs` sees them: the built CLI run
 * against a fresh store and config folder per test (CONTRACT.md, RULES.md).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { contactsView, storeRows, expectFails, sandbox, type Result, type Sandbox } from '../helpers.js';

let s: Sandbox;
beforeEach(() => {
  s = sandbox();
});
afterEach(() => s.cleanup());

/** UTC RFC 3339 with milliseconds, as `Date.prototype.toISOString` writes it. */
const RFC3339_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

type Org = Record<string, any>;

/** A success: exit 0, and stdout exactly one `JSON.stringify(x, null, 2)` document plus a newline. */
function json(result: Result): any {
  expect(result.exitCode, result.stderr).toBe(0);
  const value = result.json;
  expect(result.stdout).toBe(`${JSON.stringify(value, null, 2)}\n`);
  return value;
}

/** Runs a command that must succeed and print JSON; returns the parsed JSON. */
async function ok(args: string[], options?: Parameters<Sandbox['run']>[1]): Promise<any> {
  return json(await s.run(args, options));
}

/** The timestamps of an organization: RFC 3339 with milliseconds and Z, and real dates. */
function expectTimestamps(org: Org): void {
  for (const key of ['created_at', 'updated_at', 'deleted_at']) {
    if (key === 'deleted_at' && org[key] === undefined) continue;
    expect(org[key], key).toMatch(RFC3339_MS);
    expect(new Date(org[key]).toISOString()).toBe(org[key]);
  }
}

/**
 * A bulk create where some items failed: exactly `exitCode` (that of the first failure's class),
 * stderr only error lines (one per failed item) ending with the `items_failed` summary.
 */
function expectBulkFailed(result: Result, exitCode: number): void {
  expect(result.exitCode, `stderr: ${result.stderr}`).toBe(exitCode);
  const lines = result.stderr.trimEnd().split('\n');
  for (const line of lines) expect(line).toMatch(/^error:[a-z_/]+:[a-z_]+ \(.*\)$/);
  expect(lines[lines.length - 1]).toMatch(/^error:bulk:items_failed \(/);
}

/** What a user can see of the store, and what is in the file. */
async function snapshot() {
  const all = await s.run(['list', '--all', '--limit', '1000']);
  const deleted = await s.run(['list', '--all', '--deleted', '--limit', '1000']);
  expect(all.exitCode).toBe(0);
  expect(deleted.exitCode).toBe(0);
  return { all: all.stdout, deleted: deleted.stdout, store: await storeRows(s.db) };
}

/** Runs failing commands and checks that, taken together, they left the store as it was. */
async function unchanged(work: () => Promise<void>): Promise<void> {
  const before = await snapshot();
  await work();
  expect(await snapshot()).toEqual(before);
}

const ids = (orgs: Org[]) => orgs.map((org) => org.ids.organization_id);
const BASE_KEYS = ['ids', 'created_at', 'updated_at'];

describe('create', () => {
  test('prints the seed shape: ids, created_at, updated_at only, in that order', async () => {
    const result = await s.run(['organizations', 'create', 'org1', '--user-id', 'user1']);
    const org = json(result);
    expect(Object.keys(org)).toEqual(BASE_KEYS);
    expect(org.ids).toEqual({ organization_id: 'org1' });
    expectTimestamps(org);
    expect(org.created_at).toBe(org.updated_at);
    expect(Math.abs(Date.parse(org.created_at) - Date.now())).toBeLessThan(60_000);
    expect(result.stderr).toBe('');
    // What was stored is what was printed.
    expect(await ok(['get', 'org1'])).toEqual(org);
  });

  test('accepts the ID as positional or --organization-id, under every alias and group name', async () => {
    const lines: string[][] = [
      ['create', 'org-a', '--user-id', 'user1'],
      ['add', '--organization-id', 'org-b', '--user-id', 'user1'],
      ['register', 'org-c', '--user-id', 'user1'],
      ['organizations', 'create', '--organization-id', 'org-d', '--user-id', 'user1'],
      ['organization', 'add', 'org-e', '--user-id', 'user1'],
      ['org', 'register', 'org-f', '--user-id', 'user1'],
      ['o', 'create', 'org-g', '--organization-id', 'org-g', '--user-id', 'user1'],
    ];
    for (const args of lines) {
      const org = json(await s.run(args));
      expect(Object.keys(org)).toEqual(BASE_KEYS);
      expectTimestamps(org);
    }
    const listed: Org[] = await ok(['o', 'ls']);
    expect(ids(listed)).toEqual(['org-a', 'org-b', 'org-c', 'org-d', 'org-e', 'org-f', 'org-g']);
    // The user named as collaborator sees them all.
    expect(ids(await ok(['list', '--user-id', 'user1']))).toEqual(ids(listed));
  });

  test('a positional ID and a different --organization-id is a usage error', async () => {
    await ok(['create', 'org0', '--user-id', 'user1']);
    await unchanged(async () => {
      await expectFails(s, ['create', 'org1', '--organization-id', 'org2', '--user-id', 'user1'], 2);
    });
  });

  test('prints back --name, --description, --attributes and --fanout-notifications, and stores them', async () => {
    const org = await ok([
      'create',
      'org1',
      '--user-id',
      'user1',
      '--name',
      'Org One',
      '--description',
      'The first organization',
      '--attributes',
      'zone=eu1',
      '--attributes',
      'team=a b=c',
      '--fanout-notifications',
    ]);
    expect(org).toEqual({
      ids: { organization_id: 'org1' },
      created_at: org.created_at,
      updated_at: org.created_at,
      name: 'Org One',
      description: 'The first organization',
      attributes: { team: 'a b=c', zone: 'eu1' },
      fanout_notifications: true,
    });
    expectTimestamps(org);
    // The collaborator it was made for is both its contacts.
    const { fanout_notifications, ...fields } = org;
    expect(await ok(['get', 'org1', '--all'])).toEqual({ ...fields, ...contactsView('user1'), fanout_notifications });

    // Only the fields given are printed; unset fields are left out even with --all.
    const plain = await ok(['create', 'org2', '--user-id', 'user1', '--name', 'Two']);
    expect(Object.keys(plain)).toEqual([...BASE_KEYS, 'name']);
    expect(plain.name).toBe('Two');
    const stored = await ok(['get', 'org2', '--all']);
    expect(Object.keys(stored)).toEqual([...BASE_KEYS, 'name', 'administrative_contact', 'technical_contact']);
  });

  test('accepts the limits and rejects what is past them, leaving the store unchanged', async () => {
    const id36 = `a${'b'.repeat(34)}c`;
    const tenAttributes = Array.from({ length: 10 }, (_, i) => ['--attributes', `key${i}=v`]).flat();
    const org = await ok([
      'create',
      id36,
      '--user-id',
      'u1',
      '--name',
      'n'.repeat(50),
      '--description',
      'd'.repeat(2000),
      ...tenAttributes,
      '--attributes',
      `key0=${'v'.repeat(200)}`,
    ]);
    expect(org.ids.organization_id).toBe(id36);
    expect(Object.keys(org.attributes)).toHaveLength(10);
    await ok(['create', 'abc', '--user-id', 'u1']);

    await unchanged(async () => {
      for (const bad of ['Bad_ID', 'ab', 'a'.repeat(37), '-abc', 'abc-', 'a--bc', 'ORG1']) {
        await expectFails(s, ['create', bad, '--user-id', 'user1'], 2);
      }
      await expectFails(s, ['create', 'org1', '--user-id', 'user1', '--name', 'n'.repeat(51)], 2);
      await expectFails(s, ['create', 'org1', '--user-id', 'user1', '--description', 'd'.repeat(2001)], 2);
      const eleven = Array.from({ length: 11 }, (_, i) => ['--attributes', `key${i}=v`]).flat();
      await expectFails(s, ['create', 'org1', '--user-id', 'user1', ...eleven], 2);
      await expectFails(s, ['create', 'org1', '--user-id', 'user1', '--attributes', `key=${'v'.repeat(201)}`], 2);
      await expectFails(s, ['create', 'org1', '--user-id', 'user1', '--attributes', 'novalue'], 2);
      await expectFails(s, ['create', 'org1', '--user-id', 'user1', '--attributes', 'Bad_Key=v'], 2);
      await expectFails(s, ['create', 'org1', '--user-id', 'Bad_User'], 2);
    });
    // Nothing of the failed attempts was kept: org1 and user1 are both still free.
    await ok(['create', 'user1', '--user-id', 'u1']);
    await ok(['create', 'org1', '--user-id', 'u1']);
  });

  test('without a collaborator: no_collaborator (exit 2); a user as caller is the default collaborator', async () => {
    await ok(['create', 'org0', '--user-id', 'user0']);
    await unchanged(async () => {
      await expectFails(s, ['create', 'org1'], 2, 'no_collaborator');
      await expectFails(s, ['create', '--organization-id', 'org1'], 2, 'no_collaborator');
    });
    const org = await ok(['create', 'org1'], { env: { ORGS_USER_ID: 'alice' } });
    expect(org.ids).toEqual({ organization_id: 'org1' });
    expect(ids(await ok(['list', '--user-id', 'alice']))).toEqual(['org1']);
    expect(ids(await ok(['list'], { env: { ORGS_USER_ID: 'alice' } }))).toEqual(['org1']);
  });

  test('an organization ID as --user-id is nested_organizations (exit 2)', async () => {
    await ok(['create', 'org1', '--user-id', 'user1']);
    await unchanged(async () => {
      await expectFails(s, ['create', 'org2', '--user-id', 'org1'], 2, 'nested_organizations');
    });
    await expectFails(s, ['get', 'org2'], 3);
  });

  test('an ID held by a live organization, a deleted one or a user is id_taken (exit 5)', async () => {
    await ok(['create', 'org1', '--user-id', 'user1']);
    await ok(['create', 'org2', '--user-id', 'user1']);
    await s.ok(['delete', 'org2']);
    await unchanged(async () => {
      await expectFails(s, ['create', 'org1', '--user-id', 'user2'], 5, 'id_taken');
      await expectFails(s, ['create', 'org2', '--user-id', 'user2'], 5, 'id_taken');
      await expectFails(s, ['create', 'user1', '--user-id', 'user2'], 5, 'id_taken');
      // The same, named by flag.
      await expectFails(s, ['add', '--organization-id', 'org1', '--user-id', 'user1'], 5, 'id_taken');
    });
  });
});

describe('list', () => {
  /** Three organizations whose ID, name and creation orders all differ. */
  async function three(): Promise<Org[]> {
    const created: Org[] = [];
    for (const [id, name] of [
      ['bbb', 'Zed'],
      ['ccc', 'Alpha'],
      ['aaa', 'Mid'],
    ] as const) {
      created.push(await ok(['create', id, '--user-id', 'user1', '--name', name]));
    }
    return created;
  }

  test('an empty store lists as []', async () => {
    for (const args of [['list'], ['ls'], ['o', 'list', '--deleted'], ['search', '--id-contains', 'x']]) {
      const result = await s.run(args);
      expect(result.exitCode).toBe(0);
      expect(result.stdout).toBe('[]\n');
      expect(result.stderr).toBe('');
    }
  });

  test('orders by organization_id by default, and by --order field or -field', async () => {
    const created = await three();
    expect(created[0]!.created_at < created[1]!.created_at).toBe(true);
    expect(created[1]!.created_at < created[2]!.created_at).toBe(true);

    const plain: Org[] = await ok(['list']);
    expect(ids(plain)).toEqual(['aaa', 'bbb', 'ccc']);
    for (const org of plain) {
      expect(Object.keys(org)).toEqual(BASE_KEYS);
      expectTimestamps(org);
    }
    const orders: Record<string, string[]> = {
      organization_id: ['aaa', 'bbb', 'ccc'],
      '-organization_id': ['ccc', 'bbb', 'aaa'],
      name: ['ccc', 'aaa', 'bbb'],
      '-name': ['bbb', 'aaa', 'ccc'],
      created_at: ['bbb', 'ccc', 'aaa'],
      '-created_at': ['aaa', 'ccc', 'bbb'],
    };
    for (const [order, expected] of Object.entries(orders)) {
      expect(ids(await ok(['ls', '--order', order])), order).toEqual(expected);
    }
    expect(ids(await ok(['list', '--order=-name', '--name'])).length).toBe(3);
  });

  test('pages with --limit and --page; the stderr hint appears only when more results exist', async () => {
    await three();
    const first = await s.run(['list', '--limit', '2']);
    expect(ids(json(first))).toEqual(['aaa', 'bbb']);
    expect(first.stderr).toContain('--limit=2 --page=2');

    const second = await s.run(['list', '--limit', '2', '--page', '2']);
    expect(ids(json(second))).toEqual(['ccc']);
    expect(second.stderr).toBe('');

    const middle = await s.run(['list', '--limit', '1', '--page', '2', '--order', '-organization_id']);
    expect(ids(json(middle))).toEqual(['bbb']);
    expect(middle.stderr).toContain('--limit=1 --page=3');

    // A full page with nothing after it: no hint.
    const exact = await s.run(['list', '--limit', '3']);
    expect(ids(json(exact))).toEqual(['aaa', 'bbb', 'ccc']);
    expect(exact.stderr).toBe('');

    const past = await s.run(['list', '--limit', '2', '--page', '3']);
    expect(past.stdout).toBe('[]\n');
    expect(past.stderr).toBe('');
    expect(past.exitCode).toBe(0);

    const max = await s.run(['list', '--limit', '1000']);
    expect(ids(json(max))).toEqual(['aaa', 'bbb', 'ccc']);
    expect(max.stderr).toBe('');
  });

  test('--deleted lists only deleted organizations, with deleted_at', async () => {
    await three();
    await s.ok(['delete', 'bbb']);
    expect(ids(await ok(['list']))).toEqual(['aaa', 'ccc']);
    const deleted: Org[] = await ok(['list', '--deleted']);
    expect(ids(deleted)).toEqual(['bbb']);
    expect(Object.keys(deleted[0]!)).toEqual([...BASE_KEYS, 'deleted_at']);
    expectTimestamps(deleted[0]!);
    expect(deleted[0]!.deleted_at >= deleted[0]!.updated_at).toBe(true);
    const all: Org[] = await ok(['list', '--deleted', '--all']);
    expect(all[0]).toMatchObject({ name: 'Zed', deleted_at: deleted[0]!.deleted_at });
  });

  test('--user-id lists the organizations that user is a collaborator of', async () => {
    await ok(['create', 'org1', '--user-id', 'user1']);
    await ok(['create', 'org2', '--user-id', 'user2']);
    await ok(['create', 'org3', '--user-id', 'user1']);
    expect(ids(await ok(['list', '--user-id', 'user1']))).toEqual(['org1', 'org3']);
    expect(ids(await ok(['list', '--user-id', 'user2']))).toEqual(['org2']);
    expect(ids(await ok(['list']))).toEqual(['org1', 'org2', 'org3']);
    await unchanged(async () => {
      await expectFails(s, ['list', '--user-id', 'org1'], 2, 'nested_organizations');
      await expectFails(s, ['list', '--user-id', 'Not_A_User'], 2);
    });
  });

  test('--user-id of a user never named before is user_not_found: a read registers no one', async () => {
    await ok(['create', 'org1', '--user-id', 'user1']);
    await expectFails(s, ['list', '--user-id', 'newcomer'], 3, 'user_not_found');
  });

  test('a user as caller sees only their organizations; get without rights prints only public fields', async () => {
    const full = await ok([
      'create',
      'org1',
      '--user-id',
      'user1',
      '--name',
      'N',
      '--description',
      'D',
      '--attributes',
      'foo=bar',
    ]);
    await ok(['create', 'org2', '--user-id', 'user2', '--name', 'M']);
    const user1 = { env: { ORGS_USER_ID: 'user1' } };
    const newbie = { env: { ORGS_USER_ID: 'newbie' } };
    expect(ids(await ok(['list'], user1))).toEqual(['org1']);
    expect(ids(await ok(['search', '--id-contains', 'org'], user1))).toEqual(['org1']);
    expect(await ok(['get', 'org1', '--all'], user1)).toEqual({ ...full, ...contactsView('user1') });
    // A caller never named before needs no set-up.
    expect((await s.run(['list'], newbie)).stdout).toBe('[]\n');
    expect(await ok(['get', 'org1', '--all'], newbie)).toEqual({
      ids: { organization_id: 'org1' },
      created_at: full.created_at,
      updated_at: full.updated_at,
      name: 'N',
    });
    await unchanged(async () => {
      await expectFails(s, ['list', '--user-id', 'user2'], 4, undefined, user1);
    });
  });

  test('field selectors add fields; --all adds every one that is set', async () => {
    await ok([
      'create',
      'org1',
      '--user-id',
      'user1',
      '--name',
      'N',
      '--description',
      'D',
      '--attributes',
      'foo=bar',
      '--fanout-notifications',
    ]);
    const selections: Array<[string[], string[]]> = [
      [['--name'], ['name']],
      [['--description'], ['description']],
      [['--attributes'], ['attributes']],
      [['--fanout-notifications'], ['fanout_notifications']],
      [['--deleted-at'], []],
      [
        ['--name', '--attributes'],
        ['name', 'attributes'],
      ],
      [
        ['--administrative-contact', '--technical-contact'],
        ['administrative_contact', 'technical_contact'],
      ],
      [
        ['--all'],
        ['name', 'description', 'attributes', 'administrative_contact', 'technical_contact', 'fanout_notifications'],
      ],
    ];
    for (const [flags, extra] of selections) {
      const [org] = (await ok(['list', ...flags])) as Org[];
      expect(Object.keys(org!).sort(), flags.join(' ')).toEqual([...BASE_KEYS, ...extra].sort());
    }
    const [org] = (await ok(['list', '--all'])) as Org[];
    expect(org).toMatchObject({ name: 'N', description: 'D', attributes: { foo: 'bar' }, fanout_notifications: true });
    await s.ok(['delete', 'org1']);
    const [gone] = (await ok(['list', '--deleted', '--deleted-at'])) as Org[];
    expect(Object.keys(gone!).sort()).toEqual([...BASE_KEYS, 'deleted_at'].sort());
  });
});

describe('search', () => {
  async function seed(): Promise<void> {
    await ok([
      'create',
      'alpha-one',
      '--user-id',
      'user1',
      '--name',
      'Red Team',
      '--description',
      'builds gateways',
      '--attributes',
      'zone=eu1',
    ]);
    await ok([
      'create',
      'beta-two',
      '--user-id',
      'user1',
      '--name',
      'Blue Team',
      '--description',
      'runs the red network',
      '--attributes',
      'zone=us1',
      '--attributes',
      'tier=gold',
    ]);
    await ok(['create', 'gamma-red', '--user-id', 'user1', '--name', 'Green', '--attributes', 'tier=silver']);
  }

  test('filters by ID, name and description, printing the fields searched on', async () => {
    await seed();
    const byId: Org[] = await ok(['search', '--id-contains', 'two']);
    expect(ids(byId)).toEqual(['beta-two']);
    expect(Object.keys(byId[0]!)).toEqual(BASE_KEYS);
    expectTimestamps(byId[0]!);

    const byName: Org[] = await ok(['search', '--name-contains', 'Team']);
    expect(ids(byName)).toEqual(['alpha-one', 'beta-two']);
    expect(byName.map((o) => Object.keys(o).sort())).toEqual([
      [...BASE_KEYS, 'name'].sort(),
      [...BASE_KEYS, 'name'].sort(),
    ]);
    expect(byName[1]!.name).toBe('Blue Team');

    const byDescription: Org[] = await ok(['search', '--description-contains', 'gateways']);
    expect(ids(byDescription)).toEqual(['alpha-one']);
    expect(Object.keys(byDescription[0]!).sort()).toEqual([...BASE_KEYS, 'description'].sort());
    expect(byDescription[0]!.description).toBe('builds gateways');

    // --query matches the ID, the name or the description, and prints name and description.
    const byQuery: Org[] = await ok(['search', '--query', 'red']);
    expect(ids(byQuery)).toEqual(['alpha-one', 'beta-two', 'gamma-red']);
    expect(byQuery[0]).toMatchObject({ name: 'Red Team', description: 'builds gateways' });
    expect(byQuery[1]).toMatchObject({ name: 'Blue Team', description: 'runs the red network' });
    expect(byQuery[0]!.attributes).toBeUndefined();

    // Every filter given must match.
    expect(ids(await ok(['search', '--name-contains', 'Team', '--description-contains', 'red']))).toEqual(['beta-two']);
    expect((await s.run(['search', '--id-contains', 'nothing-like-it'])).stdout).toBe('[]\n');
  });

  test('--attributes-contain matches attribute values and prints attributes; --order, paging and --deleted apply', async () => {
    await seed();
    const gold: Org[] = await ok(['search', '--attributes-contain', 'tier=gol']);
    expect(gold).toEqual([
      expect.objectContaining({ ids: { organization_id: 'beta-two' }, attributes: { tier: 'gold', zone: 'us1' } }),
    ]);
    expect(Object.keys(gold[0]!).sort()).toEqual([...BASE_KEYS, 'attributes'].sort());
    expect(ids(await ok(['search', '--attributes-contain', 'zone=1']))).toEqual(['alpha-one', 'beta-two']);
    expect(ids(await ok(['search', '--attributes-contain', 'zone=1', '--attributes-contain', 'tier=g']))).toEqual([
      'beta-two',
    ]);
    expect((await s.run(['search', '--attributes-contain', 'nokey=1'])).stdout).toBe('[]\n');

    expect(ids(await ok(['search', '--attributes-contain', 'tier=l', '--order', '-organization_id']))).toEqual([
      'gamma-red',
      'beta-two',
    ]);
    const page = await s.run(['search', '--query', 'e', '--limit', '2']);
    expect(json(page)).toHaveLength(2);
    expect(page.stderr).toContain('--limit=2 --page=2');

    await s.ok(['delete', 'gamma-red']);
    expect(ids(await ok(['search', '--id-contains', 'red']))).toEqual([]);
    const deleted: Org[] = await ok(['search', '--id-contains', 'red', '--deleted']);
    expect(ids(deleted)).toEqual(['gamma-red']);
    expect(deleted[0]!.deleted_at).toMatch(RFC3339_MS);
    const selected: Org[] = await ok(['search', '--id-contains', 'alpha', '--all']);
    expect(selected[0]).toMatchObject({
      name: 'Red Team',
      description: 'builds gateways',
      attributes: { zone: 'eu1' },
    });
  });

  test('search strings of more than 50 characters are rejected (exit 2); 50 is fine', async () => {
    await seed();
    const fifty = 'x'.repeat(50);
    for (const flag of ['--id-contains', '--name-contains', '--description-contains', '--query']) {
      expect((await s.run(['search', flag, fifty])).stdout).toBe('[]\n');
    }
    expect((await s.run(['search', '--attributes-contain', `zone=${fifty}`])).stdout).toBe('[]\n');
    await unchanged(async () => {
      const long = 'x'.repeat(51);
      for (const flag of ['--id-contains', '--name-contains', '--description-contains', '--query']) {
        await expectFails(s, ['search', flag, long], 2);
      }
      await expectFails(s, ['search', '--attributes-contain', `zone=${long}`], 2);
      await expectFails(s, ['search', '--order', 'description'], 2);
    });
  });
});

describe('get', () => {
  test('prints the organization, by positional, --organization-id or the info alias, with field selectors', async () => {
    const created = await ok([
      'create',
      'org1',
      '--user-id',
      'user1',
      '--name',
      'N',
      '--description',
      'D',
      '--attributes',
      'foo=bar',
    ]);
    const base = { ids: { organization_id: 'org1' }, created_at: created.created_at, updated_at: created.updated_at };
    for (const args of [
      ['get', 'org1'],
      ['info', 'org1'],
      ['get', '--organization-id', 'org1'],
      ['org', 'info', '--organization-id', 'org1'],
    ]) {
      const org = await ok(args);
      expect(Object.keys(org)).toEqual(BASE_KEYS);
      expect(org).toEqual(base);
    }
    expect(await ok(['get', 'org1', '--name'])).toEqual({ ...base, name: 'N' });
    expect(await ok(['get', 'org1', '--description', '--attributes'])).toEqual({
      ...base,
      description: 'D',
      attributes: { foo: 'bar' },
    });
    expect(await ok(['get', 'org1', '--fanout-notifications', '--deleted-at'])).toEqual(base);
    expect(await ok(['get', 'org1', '--all'])).toEqual({
      ...base,
      name: 'N',
      description: 'D',
      attributes: { foo: 'bar' },
      ...contactsView('user1'),
    });
  });

  test('an unknown or deleted organization is not found (exit 3); a bad or missing ID is exit 2', async () => {
    await ok(['create', 'org1', '--user-id', 'user1']);
    await s.ok(['delete', 'org1']);
    await unchanged(async () => {
      await expectFails(s, ['get', 'nope'], 3);
      await expectFails(s, ['get', 'org1'], 3);
      await expectFails(s, ['get', 'org1', '--all'], 3);
      await expectFails(s, ['get', '--organization-id', 'org1'], 3);
      await expectFails(s, ['get', 'Bad_ID'], 2);
      await expectFails(s, ['get'], 2, 'no_organization_id');
    });
  });
});

describe('set', () => {
  test('changes name and description, printing the fields given; updated_at moves, created_at stays', async () => {
    const created = await ok(['create', 'org1', '--user-id', 'user1', '--name', 'Old', '--attributes', 'foo=bar']);
    const updated = await ok(['set', 'org1', '--name', 'New', '--description', 'Desc']);
    expect(Object.keys(updated).sort()).toEqual([...BASE_KEYS, 'name', 'description'].sort());
    expect(updated).toMatchObject({
      ids: { organization_id: 'org1' },
      name: 'New',
      description: 'Desc',
      created_at: created.created_at,
    });
    expectTimestamps(updated);
    expect(updated.updated_at > created.updated_at).toBe(true);
    expect(await ok(['get', 'org1', '--all'])).toEqual({
      ...updated,
      attributes: { foo: 'bar' },
      ...contactsView('user1'),
    });

    const again = await ok(['update', '--organization-id', 'org1', '--description', 'Other']);
    expect(again).toEqual({
      ids: { organization_id: 'org1' },
      created_at: created.created_at,
      updated_at: again.updated_at,
      description: 'Other',
    });
    expect(await ok(['o', 'get', 'org1', '--name'])).toMatchObject({ name: 'New' });
  });

  test('merges --attributes and removes a key with key=', async () => {
    await ok(['create', 'org1', '--user-id', 'user1', '--attributes', 'foo=bar', '--attributes', 'keep=yes']);
    const merged = await ok([
      'set',
      'org1',
      '--attributes',
      'foo=',
      '--attributes',
      'new=v',
      '--attributes',
      'keep=still',
    ]);
    expect(merged.attributes).toEqual({ keep: 'still', new: 'v' });
    expect((await ok(['get', 'org1', '--attributes'])).attributes).toEqual({ keep: 'still', new: 'v' });
    // Removing a key that is not there is not an error.
    await ok(['set', 'org1', '--attributes', 'absent=']);
    expect((await ok(['get', 'org1', '--attributes'])).attributes).toEqual({ keep: 'still', new: 'v' });
  });

  test('--unset clears name, description, attributes and contacts; fanout notifications switch on and off', async () => {
    await ok(['create', 'org1', '--user-id', 'user1', '--name', 'N', '--description', 'D', '--attributes', 'foo=bar']);
    const cleared = await ok(['set', 'org1', '--unset', 'name,description']);
    expect(Object.keys(cleared)).toEqual(BASE_KEYS);
    expect(await ok(['get', 'org1', '--all'])).toMatchObject({ attributes: { foo: 'bar' } });
    expect((await ok(['get', 'org1', '--all'])).name).toBeUndefined();
    await ok(['set', 'org1', '--unset', 'attributes,administrative_contact,technical-contact']);
    expect(Object.keys(await ok(['get', 'org1', '--all']))).toEqual(BASE_KEYS);

    const on = await ok(['set', 'org1', '--fanout-notifications']);
    expect(on.fanout_notifications).toBe(true);
    expect((await ok(['get', 'org1', '--fanout-notifications'])).fanout_notifications).toBe(true);
    const off = await ok(['set', 'org1', '--no-fanout-notifications']);
    expect(off.fanout_notifications).toBeUndefined();
    expect((await ok(['get', 'org1', '--all'])).fanout_notifications).toBeUndefined();
  });

  test('rejects nothing to set, set+unset of one field, bad --unset, more than 10 attributes, and absent orgs', async () => {
    const nine = Array.from({ length: 9 }, (_, i) => ['--attributes', `key${i}=v`]).flat();
    await ok(['create', 'org1', '--user-id', 'user1', '--name', 'N', ...nine]);
    await ok(['create', 'org2', '--user-id', 'user1']);
    await s.ok(['delete', 'org2']);
    await unchanged(async () => {
      await expectFails(s, ['set', 'org1'], 2, 'no_fields');
      await expectFails(s, ['set', 'org1', '--name', 'X', '--unset', 'name'], 2);
      await expectFails(s, ['set', 'org1', '--attributes', 'a1b=c', '--unset', 'attributes'], 2);
      await expectFails(s, ['set', 'org1', '--unset', 'bogus'], 2);
      await expectFails(s, ['set', 'org1', '--attributes', 'extra1=v', '--attributes', 'extra2=v'], 2);
      await expectFails(s, ['set', 'org1', '--name', 'n'.repeat(51)], 2);
      await expectFails(s, ['set', 'org1', '--description', 'd'.repeat(2001)], 2);
      await expectFails(s, ['set', 'org1', '--attributes', 'novalue'], 2);
      await expectFails(s, ['set', 'nope', '--name', 'X'], 3);
      await expectFails(s, ['set', 'org2', '--name', 'X'], 3);
      await expectFails(s, ['set', '--name', 'X'], 2, 'no_organization_id');
    });
    // The tenth attribute fits, and replacing one while adding one keeps it at ten.
    expect(Object.keys((await ok(['set', 'org1', '--attributes', 'extra1=v'])).attributes)).toHaveLength(10);
    expect(
      Object.keys((await ok(['set', 'org1', '--attributes', 'key0=', '--attributes', 'extra2=v'])).attributes),
    ).toHaveLength(10);
  });
});

describe('delete', () => {
  test('delete, del, remove and rm print nothing; the organization is gone but its ID stays reserved', async () => {
    for (const id of ['org1', 'org2', 'org3', 'org4', 'org5']) await ok(['create', id, '--user-id', 'user1']);
    for (const [command, id] of [
      ['delete', 'org1'],
      ['del', 'org2'],
      ['remove', 'org3'],
      ['rm', 'org4'],
    ] as const) {
      const result = await s.run([command, id]);
      expect(result.exitCode, result.stderr).toBe(0);
      expect(result.stdout).toBe('');
      expect(result.stderr).toBe('');
    }
    const byFlag = await s.run(['o', 'delete', '--organization-id', 'org5']);
    expect([byFlag.exitCode, byFlag.stdout, byFlag.stderr]).toEqual([0, '', '']);

    expect(await s.run(['list'])).toMatchObject({ stdout: '[]\n', exitCode: 0 });
    expect(ids(await ok(['list', '--deleted']))).toEqual(['org1', 'org2', 'org3', 'org4', 'org5']);
    await unchanged(async () => {
      await expectFails(s, ['get', 'org1'], 3);
      await expectFails(s, ['delete', 'org1'], 3);
      await expectFails(s, ['delete', 'nope'], 3);
      await expectFails(s, ['delete'], 2, 'no_organization_id');
      await expectFails(s, ['create', 'org1', '--user-id', 'user1'], 5, 'id_taken');
    });
  });
});

describe('restore', () => {
  test('brings a deleted organization back as it was', async () => {
    const created = await ok(['create', 'org1', '--user-id', 'user1', '--name', 'N']);
    await s.ok(['delete', 'org1']);
    const result = await s.run(['restore', 'org1']);
    expect([result.exitCode, result.stdout, result.stderr]).toEqual([0, '', '']);
    const org = await ok(['get', 'org1', '--all']);
    expect(org).toMatchObject({ ids: { organization_id: 'org1' }, name: 'N', created_at: created.created_at });
    expect(org.deleted_at).toBeUndefined();
    expect(ids(await ok(['list']))).toEqual(['org1']);
    expect(await s.run(['list', '--deleted'])).toMatchObject({ stdout: '[]\n', exitCode: 0 });
    await s.ok(['o', 'delete', 'org1']);
    await s.ok(['org', 'restore', '--organization-id', 'org1']);
    expect(ids(await ok(['list', '--user-id', 'user1']))).toEqual(['org1']);
  });

  test('restoring a live or unknown organization is not found (exit 3)', async () => {
    await ok(['create', 'org1', '--user-id', 'user1']);
    await unchanged(async () => {
      await expectFails(s, ['restore', 'org1'], 3);
      await expectFails(s, ['restore', 'nope'], 3);
      await expectFails(s, ['restore', 'Bad_ID'], 2);
      await expectFails(s, ['restore'], 2, 'no_organization_id');
    });
  });

  test('after the restore window it is restore_window_expired (exit 5) and stays deleted', async () => {
    await ok(['create', 'org1', '--user-id', 'user1']);
    await s.ok(['config', 'set', 'restore-window', '0s']);
    await s.ok(['delete', 'org1']);
    // A moment later on the command's clock: the window of 0s has passed.
    const later = { clock: () => Date.now() + 1000 };
    await unchanged(async () => {
      await expectFails(s, ['restore', 'org1'], 5, 'restore_window_expired', later);
    });
    expect(ids(await ok(['list', '--deleted']))).toEqual(['org1']);
    await expectFails(s, ['get', 'org1'], 3);
    // A wider window lets it back.
    await s.ok(['config', 'set', 'restore-window', '1h']);
    await s.ok(['restore', 'org1']);
    expect(ids(await ok(['list']))).toEqual(['org1']);
  });
});

describe('purge', () => {
  test('without --force and without a terminal it is no_confirmation (exit 5) and nothing happens', async () => {
    await ok(['create', 'org1', '--user-id', 'user1']);
    await ok(['create', 'org2', '--user-id', 'user1']);
    await s.ok(['delete', 'org2']);
    await unchanged(async () => {
      await expectFails(s, ['purge', 'org1'], 5, 'no_confirmation');
      await expectFails(s, ['purge', 'org2'], 5, 'no_confirmation', { input: 'y\n' });
      await expectFails(s, ['hard-delete', 'org2'], 5, 'no_confirmation');
    });
  });

  test('purge, permanent-delete and hard-delete with --force remove the organization and free its ID', async () => {
    for (const id of ['org1', 'org2', 'org3', 'keep']) await ok(['create', id, '--user-id', 'user1']);
    await s.ok(['delete', 'org1']);
    await s.ok(['delete', 'org2']);
    for (const args of [
      ['purge', 'org1', '--force'],
      ['permanent-delete', '--organization-id', 'org2', '--force'],
      ['o', 'hard-delete', 'org3', '--force'],
    ]) {
      const result = await s.run(args);
      expect([result.exitCode, result.stdout, result.stderr], args.join(' ')).toEqual([0, '', '']);
    }
    expect(ids(await ok(['list']))).toEqual(['keep']);
    expect(await s.run(['list', '--deleted'])).toMatchObject({ stdout: '[]\n', exitCode: 0 });
    await unchanged(async () => {
      await expectFails(s, ['get', 'org1'], 3);
      await expectFails(s, ['purge', 'org1', '--force'], 3);
      await expectFails(s, ['restore', 'org1'], 3);
      await expectFails(s, ['purge', '--force'], 2, 'no_organization_id');
    });
    // The IDs are free again, for a new organization (even for another user).
    const again = await ok(['create', 'org1', '--user-id', 'user2']);
    expect(again.ids).toEqual({ organization_id: 'org1' });
    await ok(['create', 'org3', '--user-id', 'user1']);
    expect(ids(await ok(['list', '--user-id', 'user2']))).toEqual(['org1']);
  });
});

/** The documents of a bulk stdout: each exactly `JSON.stringify(x, null, 2) + "\n"`. */
function documents(stdout: string): Org[] {
  if (stdout === '') return [];
  const parts = stdout.split(/\n(?=\{)/).map((part, i, all) => (i < all.length - 1 ? `${part}\n` : part));
  return parts.map((part) => {
    const value = JSON.parse(part);
    expect(part).toBe(`${JSON.stringify(value, null, 2)}\n`);
    return value;
  });
}

describe('bulk create from stdin', () => {
  test("the issue's example: bulk-1 lands, item 2 (bad_id) is reported, exit 2 (its class)", async () => {
    const input = '{"ids":{"organization_id":"bulk-1"},"name":"B"}\n{"ids":{"organization_id":"bad_id"}}\n';
    const result = await s.run(['create', '--user-id', 'user1'], { input });
    expectBulkFailed(result, 2);
    const created = documents(result.stdout);
    expect(created).toHaveLength(1);
    expect(created[0]).toMatchObject({ ids: { organization_id: 'bulk-1' }, name: 'B' });
    expectTimestamps(created[0]!);
    const itemLine = result.stderr.split('\n').find((line) => /\bitem 2\b/.test(line));
    expect(itemLine, result.stderr).toBeDefined();
    expect(itemLine).toContain('bad_id');
    expect(result.stderr).not.toMatch(/item 1\b/);
    expect(await ok(['get', 'bulk-1', '--name'])).toEqual(created[0]);
    expect(ids(await ok(['list', '--user-id', 'user1']))).toEqual(['bulk-1']);
  });

  test('concatenated documents without newlines are created in order; command-line flags apply to each', async () => {
    const input =
      '{"ids":{"organization_id":"bulk-b"},"name":"One"}{"ids":{"organization_id":"bulk-a"},"attributes":{"zone":"eu1"}}' +
      '  {"ids":{"organization_id":"bulk-c"},"fanout_notifications":true}';
    const result = await s.run(['o', 'create', '--user-id', 'user1', '--description', 'from bulk'], { input });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stderr).toBe('');
    const created = documents(result.stdout);
    expect(ids(created)).toEqual(['bulk-b', 'bulk-a', 'bulk-c']);
    expect(created[0]).toMatchObject({ name: 'One', description: 'from bulk' });
    expect(created[1]).toMatchObject({ attributes: { zone: 'eu1' }, description: 'from bulk' });
    expect(created[2]).toMatchObject({ fanout_notifications: true, description: 'from bulk' });
    created.forEach(expectTimestamps);
    const stored: Org[] = await ok(['list', '--all', '--order', 'created_at']);
    expect(ids(stored).sort()).toEqual(['bulk-a', 'bulk-b', 'bulk-c']);
    for (const org of stored) expect(org.description).toBe('from bulk');
    expect(ids(await ok(['list', '--user-id', 'user1']))).toEqual(['bulk-a', 'bulk-b', 'bulk-c']);
  });

  test('a malformed JSON item is reported by position; the items around it still land', async () => {
    const input = '{"ids":{"organization_id":"good-1"}}\n{"ids": nope}\n{"ids":{"organization_id":"good-2"}}\n';
    const result = await s.run(['create', '--user-id', 'user1'], { input });
    expectBulkFailed(result, 2);
    expect(ids(documents(result.stdout))).toEqual(['good-1', 'good-2']);
    expect(result.stderr).toMatch(/\bitem 2\b/);
    expect(result.stderr).not.toMatch(/item [13]\b/);
    expect(ids(await ok(['list']))).toEqual(['good-1', 'good-2']);
  });

  test('an ID taken earlier in the same stream fails for that item only', async () => {
    await ok(['create', 'taken', '--user-id', 'user1']);
    const input =
      '{"ids":{"organization_id":"new-1"}}{"ids":{"organization_id":"taken"}}{"ids":{"organization_id":"new-1"}}{"ids":{"organization_id":"new-2"}}';
    const result = await s.run(['create', '--user-id', 'user1'], { input });
    expectBulkFailed(result, 5);
    expect(ids(documents(result.stdout))).toEqual(['new-1', 'new-2']);
    expect(result.stderr).toMatch(/item 2\b.*taken/);
    expect(result.stderr).toMatch(/item 3\b.*new-1/);
    expect(ids(await ok(['list']))).toEqual(['new-1', 'new-2', 'taken']);
  });

  test('empty stdin is no_organization_id (exit 2); no collaborator is no_collaborator (exit 2)', async () => {
    await ok(['create', 'org0', '--user-id', 'user0']);
    await unchanged(async () => {
      await expectFails(s, ['create', '--user-id', 'user1'], 2, 'no_organization_id', { input: '' });
      await expectFails(s, ['create', '--user-id', 'user1'], 2, 'no_organization_id', { input: ' \n\n' });
      await expectFails(s, ['create'], 2, 'no_collaborator', { input: '{"ids":{"organization_id":"bulk-1"}}\n' });
    });
  });
});

describe('usage errors', () => {
  test('unknown commands and options: exit 2, one error line, empty stdout, a suggestion', async () => {
    await ok(['create', 'org1', '--user-id', 'user1']);
    await unchanged(async () => {
      const command = await expectFails(s, ['lst'], 2);
      expect(command.stderr).toMatch(/\blist\b/);
      const grouped = await expectFails(s, ['organizations', 'lst'], 2);
      expect(grouped.stderr).toMatch(/\blist\b/);
      const option = await expectFails(s, ['list', '--limt', '5'], 2);
      expect(option.stderr).toContain('--limit');
      await expectFails(s, ['create', 'org2', '--user-id', 'user1', '--nmae', 'x'], 2);
      await expectFails(s, ['get', 'org1', '--bogus'], 2);
    });
    await expectFails(s, ['get', 'org2'], 3);
  });

  test('bad --limit, --page and --order values are exit 2', async () => {
    await ok(['create', 'org1', '--user-id', 'user1']);
    await unchanged(async () => {
      for (const limit of ['0', '1001', 'abc', '-1', '1.5', '']) {
        await expectFails(s, ['list', '--limit', limit], 2);
      }
      await expectFails(s, ['list', '--page', '0'], 2);
      await expectFails(s, ['list', '--page', 'two'], 2);
      await expectFails(s, ['search', '--limit', '0', '--query', 'x'], 2);
      for (const order of ['bogus', 'description', '--name', '+name', '-', '']) {
        await expectFails(s, ['list', `--order=${order}`], 2);
      }
      await expectFails(s, ['ls', '--order', '-created'], 2);
      await expectFails(s, ['list', '--limit'], 2);
    });
  });
});

describe('config', () => {
  test('path, get, set, list and unset', async () => {
    const path = await s.run(['config', 'path']);
    expect([path.exitCode, path.stderr]).toEqual([0, '']);
    expect(path.stdout.endsWith('\n')).toBe(true);
    const file = path.stdout.trimEnd();
    expect(file.startsWith(s.configDir)).toBe(true);

    const byDefault = await s.run(['config', 'get', 'restore-window']);
    expect([byDefault.exitCode, byDefault.stdout]).toEqual([0, '24h\n']);

    const set = await s.run(['config', 'set', 'restore-window', '30m']);
    expect([set.exitCode, set.stdout, set.stderr]).toEqual([0, '', '']);
    expect((await s.run(['config', 'get', 'restore-window'])).stdout).toBe('30m\n');
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ 'restore-window': '30m' });

    const listed = json(await s.run(['config', 'list']));
    expect(listed).toMatchObject({ 'restore-window': '30m', 'output-format': 'json' });
    expect(Object.keys(listed)).toEqual(expect.arrayContaining(['db', 'output-format', 'restore-window']));

    const unset = await s.run(['config', 'unset', 'restore-window']);
    expect([unset.exitCode, unset.stdout]).toEqual([0, '']);
    expect((await s.run(['config', 'get', 'restore-window'])).stdout).toBe('24h\n');
    expect(JSON.parse(readFileSync(file, 'utf8'))['restore-window']).toBeUndefined();
  });

  test('a bad value or unknown key is exit 2 and the configuration stays as it was', async () => {
    await s.ok(['config', 'set', 'restore-window', '2h']);
    const before = json(await s.run(['config', 'list']));
    const file = join(s.configDir, 'config.json');
    const fileBefore = readFileSync(file, 'utf8');
    for (const value of ['banana', '24', '-1h', 'h', '1d']) {
      await expectFails(s, ['config', 'set', 'restore-window', value], 2);
    }
    await expectFails(s, ['config', 'set', 'output-format', 'yaml'], 2);
    await expectFails(s, ['config', 'set', 'no-such-key', 'x'], 2);
    await expectFails(s, ['config', 'get', 'no-such-key'], 2);
    await expectFails(s, ['config', 'set', 'restore-window'], 2);
    expect(json(await s.run(['config', 'list']))).toEqual(before);
    expect(readFileSync(file, 'utf8')).toBe(fileBefore);
    expect((await s.run(['config', 'get', 'restore-window'])).stdout).toBe('2h\n');
  });
});
