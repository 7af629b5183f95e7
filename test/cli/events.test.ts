/**
 * The audit trail (reference/EVENTS.md), black-box through the built CLI: every change records its
 * event with it, shaped as The Things Stack's; `orgs events` filters, shows only what the caller
 * may see now, follows other processes' commits, and `events prune` is the administrator's.
 *
 * Each describe builds one sandbox in beforeAll and its tests only read it, unless they say so.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import Database from 'better-sqlite3';
import { execa } from 'execa';
import { beforeAll, describe, expect, test } from 'vitest';
import { KINDS } from '../../src/core/kinds.js';
import {
  as,
  BIN,
  expectFails,
  onPostgres,
  type Result,
  type Sandbox,
  sandbox,
  shared,
  storeQuery,
  storeRows,
  withKey,
  untilOutput,
} from '../helpers.js';

const VERSION = JSON.parse(readFileSync(resolve(import.meta.dirname, '..', '..', 'package.json'), 'utf8')).version;
const ULID = /^[0-7][0-9A-HJKMNP-TV-Z]{25}$/;
const CORRELATION = /^orgs:cmd:[0-7][0-9A-HJKMNP-TV-Z]{25}$/;
const RFC3339_MS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
/** The keys of an event, in the order of EVENTS.md (`data` only where there is some). */
const KEYS = [
  'name',
  'time',
  'identifiers',
  'data',
  'correlation_ids',
  'origin',
  'visibility',
  'caller',
  'user_agent',
  'unique_id',
];

const flag = (right: string) => `--${right.toLowerCase().replace(/_/g, '-')}`;

type Event = Record<string, any>;

/** The documents of `orgs events`: one pretty-printed JSON object after the other. */
function parseEvents(stdout: string): Event[] {
  const text = stdout.trimEnd();
  if (text === '') return [];
  expect(stdout.endsWith('}\n'), 'every document ends with a newline').toBe(true);
  return text.split(/\n(?=\{$)/m).map((doc) => JSON.parse(doc));
}

/** `organization:org1` for `{"organization_ids":{"organization_id":"org1"}}`. */
function idText(identifier: Record<string, Record<string, string>>): string {
  const [key, value] = Object.entries(identifier)[0]!;
  return `${key.replace(/_ids$/, '')}:${Object.values(value)[0]}`;
}

/** `organization.create organization:org1`: an event's name and what it is about. */
const summary = (events: Event[]) => events.map((e) => [e.name, ...e.identifiers.map(idText)].join(' '));

/** An identifier as the commands print it. */
const ids = (kind: string, id: string) => ({ [`${kind}_ids`]: { [`${kind}_id`]: id } });

async function events(s: Sandbox, args: string[] = [], options?: Parameters<Sandbox['run']>[1]): Promise<Event[]> {
  const result = await s.ok(['events', ...args], options);
  expect(result.stderr).toBe('');
  return parseEvents(result.stdout);
}

/** The rows of the store's events table (the raw count, whoever may see them). */
const storedEvents = async (s: Sandbox) => Number((await storeQuery(s.db, 'SELECT count(*) FROM events'))[0]);

// -------------------------------------------------------------------------------------------------
describe('the issue’s example: an organization’s life, each change with its event', () => {
  const r = {} as Record<string, Result>;
  let key: { id: string; key: string; secret: string } & Record<string, unknown>;
  let collaborator: unknown;
  /** SQLite: the store's files while a connection kept the WAL from being checkpointed. */
  let storeWithWal: Array<{ file: string; bytes: Buffer }>;
  const box = shared(async (s) => {
    r.create = await s.ok(['create', 'org1', '--user-id', 'user1']);
    // SQLite: keep a connection open so the commands cannot checkpoint and remove the WAL: what
    // they wrote stays in orgs.db-wal to be inspected.
    const holder = onPostgres ? undefined : new Database(s.db);
    try {
      holder?.prepare('SELECT count(*) FROM sqlite_master').get();
      r.set = await s.ok(
        ['collaborators', 'set', 'org1', '--user-id', 'user2', '--right-organization-info'],
        as('user1'),
      );
      collaborator = (await s.ok(['collaborators', 'get', 'org1', '--user-id', 'user2'])).json;
      r.key = await s.ok(['api-keys', 'create', 'org1', '--name', 'reader', '--right-organization-info'], as('user1'));
      key = { ...r.key.json, secret: r.key.json.key.split('.')[2] };
      r.keyDelete = await s.ok(['api-keys', 'delete', 'org1', key.id], as('user1'));
      r.delete = await s.ok(['delete', 'org1'], as('user1'));
      storeWithWal = [s.db, `${s.db}-wal`]
        .filter((file) => existsSync(file))
        .map((file) => ({ file, bytes: readFileSync(file) }));
    } finally {
      holder?.close();
    }
    r.whoamiAdmin = await s.ok(['whoami']);
    r.whoamiUser1 = await s.ok(['whoami'], as('user1'));
  });

  let all: Event[];
  let org1: Event[];
  beforeAll(async () => {
    all = await events(box.s);
    org1 = await events(box.s, ['--organization-id', 'org1']);
  });

  test('orgs events --organization-id org1: create, collaborator.update, api-key.create, api-key.delete, delete', () => {
    expect(org1.map((e) => e.name)).toEqual([
      'organization.create',
      'organization.collaborator.update',
      'organization.api-key.create',
      'organization.api-key.delete',
      'organization.delete',
    ]);
  });

  test('each event exactly as EVENTS.md shapes it', () => {
    const admin = r.whoamiAdmin!.json;
    const user1 = r.whoamiUser1!.json;
    expect(admin).toEqual({ local_administrator: true, admin: true });
    expect(user1).toEqual({ user_id: 'user1', admin: false });
    const common = { origin: hostname(), user_agent: `orgs/${VERSION}` };
    const { key: _secretKey, secret: _secret, ...printedKey } = key;
    const expected = [
      {
        name: 'organization.create',
        identifiers: [ids('organization', 'org1')],
        visibility: { rights: ['RIGHT_ORGANIZATION_INFO'] },
        caller: admin,
      },
      {
        name: 'organization.collaborator.update',
        identifiers: [ids('organization', 'org1'), ids('user', 'user2')],
        data: collaborator,
        visibility: { rights: ['RIGHT_ORGANIZATION_SETTINGS_MEMBERS'] },
        caller: user1,
      },
      {
        name: 'organization.api-key.create',
        identifiers: [ids('organization', 'org1')],
        data: printedKey,
        visibility: { rights: ['RIGHT_ORGANIZATION_SETTINGS_API_KEYS'] },
        caller: user1,
      },
      {
        name: 'organization.api-key.delete',
        identifiers: [ids('organization', 'org1')],
        data: { id: key.id },
        visibility: { rights: ['RIGHT_ORGANIZATION_SETTINGS_API_KEYS'] },
        caller: user1,
      },
      {
        name: 'organization.delete',
        identifiers: [ids('organization', 'org1')],
        visibility: { rights: ['RIGHT_ORGANIZATION_INFO'] },
        caller: user1,
      },
    ];
    expect(collaborator).toEqual({ ids: ids('user', 'user2'), rights: ['RIGHT_ORGANIZATION_INFO'] });
    expect(printedKey).toMatchObject({ id: key.id, name: 'reader', rights: ['RIGHT_ORGANIZATION_INFO'] });
    org1.forEach((event, i) => {
      const { time, correlation_ids, unique_id, ...rest } = event;
      expect(rest).toStrictEqual({ ...expected[i], ...common });
      expect(Object.keys(event)).toEqual(KEYS.filter((k) => k !== 'data' || 'data' in expected[i]!));
      expect(time).toMatch(RFC3339_MS);
      expect(correlation_ids).toHaveLength(1);
      expect(correlation_ids[0]).toMatch(CORRELATION);
      expect(unique_id).toMatch(ULID);
    });
    // The time of the change: what the change itself printed.
    expect(org1[0]!.time).toBe(r.create!.json.created_at);
    expect(org1[2]!.time).toBe(key.created_at);
  });

  test('one correlation ID per command, different for each', () => {
    const correlations = org1.map((e) => e.correlation_ids[0]);
    expect(new Set(correlations).size).toBe(5);
  });

  test('user1 and user2, registered by being named, get user.create in the correlation of the command that named them', async () => {
    const [create, set] = org1;
    const user1 = await events(box.s, ['--user-id', 'user1']);
    const user2 = await events(box.s, ['--user-id', 'user2']);
    expect(summary(user1)).toEqual(['user.create user:user1']);
    expect(summary(user2)).toEqual([
      'user.create user:user2',
      'organization.collaborator.update organization:org1 user:user2',
    ]);
    for (const [event, command, caller] of [
      [user1[0]!, create!, r.whoamiAdmin!.json],
      [user2[0]!, set!, r.whoamiUser1!.json],
    ] as const) {
      expect(event.correlation_ids).toEqual(command.correlation_ids);
      expect(event.visibility).toEqual({ rights: ['RIGHT_USER_INFO'] });
      expect(event.caller).toEqual(caller);
      expect(event.time).toBe(command.time);
      expect(event).not.toHaveProperty('data');
    }
  });

  test('every event: unique_id a ULID, strictly increasing in the order printed; times RFC 3339 in order', async () => {
    expect(summary(all)).toEqual([
      'user.create user:user1',
      'organization.create organization:org1',
      'user.create user:user2',
      'organization.collaborator.update organization:org1 user:user2',
      'organization.api-key.create organization:org1',
      'organization.api-key.delete organization:org1',
      'organization.delete organization:org1',
    ]);
    expect(all).toHaveLength(await storedEvents(box.s));
    for (let i = 1; i < all.length; i++) {
      expect(all[i]!.unique_id > all[i - 1]!.unique_id, `${all[i]!.unique_id} after ${all[i - 1]!.unique_id}`).toBe(
        true,
      );
      expect(all[i]!.time >= all[i - 1]!.time).toBe(true);
    }
  });

  /** The key's token and secret in every plain encoding. */
  const secretForms = () => [
    key.key,
    key.secret,
    key.secret.toLowerCase(),
    Buffer.from(key.secret).toString('hex'),
    Buffer.from(key.secret).toString('base64'),
    Buffer.from(key.secret).toString('base64url'),
  ];

  test('the key’s secret is in no event, in JSON or table output', async () => {
    const json = await box.s.ok(['events']);
    const table = await box.s.ok(['events', '--output-format', 'table']);
    expect(json.stdout).toContain(key.id);
    for (const form of secretForms()) {
      expect(json.stdout).not.toContain(form);
      expect(table.stdout).not.toContain(form);
    }
    expect(JSON.stringify(all)).not.toContain('"key"');
  });

  test.skipIf(onPostgres)('the key’s secret is in no byte of the store’s files (db and -wal)', () => {
    const forms = secretForms();
    expect(storeWithWal.map(({ file }) => file)).toContain(`${box.s.db}-wal`);
    const checkpointed = [box.s.db, `${box.s.db}-wal`]
      .filter((file) => existsSync(file))
      .map((file) => ({ file, bytes: readFileSync(file) }));
    for (const [when, files] of [
      ['with the WAL in place', storeWithWal],
      ['after the checkpoint', checkpointed],
    ] as const) {
      // Sanity: the files looked at are the ones that hold the events (the key ID is plain data).
      expect(Buffer.concat(files.map((f) => f.bytes)).includes(Buffer.from(key.id)), `${when}: holds the key ID`).toBe(
        true,
      );
      for (const { file, bytes } of files)
        for (const form of forms)
          expect(bytes.includes(Buffer.from(form)), `${when}: ${file} holds the secret as ${form.slice(0, 12)}…`).toBe(
            false,
          );
    }
  });

  test.runIf(onPostgres)('the key’s secret is in no row of any table of the database', async () => {
    const rows = JSON.stringify(await storeRows(box.s.db));
    // Sanity: the rows looked at hold the events (the key ID is plain data).
    expect(rows).toContain(key.id);
    for (const form of secretForms())
      expect(rows.includes(form), `a row holds the secret as ${form.slice(0, 12)}…`).toBe(false);
  });
});

// -------------------------------------------------------------------------------------------------
describe('every change names its event', () => {
  const box = shared(async () => {});

  test('organizations: update (changed fields), collaborator.delete, api-key.update, restore, purge', async () => {
    const s = box.s;
    await s.ok(['create', 'org1', '--user-id', 'user1']);
    await s.ok(['collaborators', 'set', 'org1', '--user-id', 'user2', '--right-organization-info'], as('user1'));
    await s.ok(['set', 'org1', '--name', 'One', '--description', 'the first'], as('user1'));
    await s.ok(['collaborators', 'delete', 'org1', '--user-id', 'user2'], as('user1'));
    const created = (await s.ok(['api-keys', 'create', 'org1', '--right-organization-info'], as('user1'))).json;
    await s.ok(['api-keys', 'set', 'org1', created.id, '--name', 'renamed'], as('user1'));
    const updated = (await s.ok(['api-keys', 'get', 'org1', created.id], as('user1'))).json;
    await s.ok(['delete', 'org1'], as('user1'));
    await s.ok(['restore', 'org1'], as('user1'));
    await s.ok(['delete', 'org1'], as('user1'));
    await s.ok(['purge', 'org1', '--force']);
    const trail = await events(s, ['--organization-id', 'org1']);
    expect(summary(trail)).toEqual([
      'organization.create organization:org1',
      'organization.collaborator.update organization:org1 user:user2',
      'organization.update organization:org1',
      'organization.collaborator.delete organization:org1 user:user2',
      'organization.api-key.create organization:org1',
      'organization.api-key.update organization:org1',
      'organization.delete organization:org1',
      'organization.restore organization:org1',
      'organization.delete organization:org1',
      'organization.purge organization:org1',
    ]);
    expect([...trail[2]!.data].sort()).toEqual(['description', 'name']);
    expect(trail[3]).not.toHaveProperty('data');
    expect(trail[3]!.visibility).toEqual({ rights: ['RIGHT_ORGANIZATION_SETTINGS_MEMBERS'] });
    expect(trail[5]!.data).toEqual(updated);
    expect(trail[5]!.data).not.toHaveProperty('key');
    expect(trail[5]!.visibility).toEqual({ rights: ['RIGHT_ORGANIZATION_SETTINGS_API_KEYS'] });
    for (const i of [0, 6, 7, 8, 9]) {
      expect(trail[i]).not.toHaveProperty('data');
      expect(trail[i]!.visibility).toEqual({ rights: ['RIGHT_ORGANIZATION_INFO'] });
    }
  });

  test('users: create, update (changed fields), delete; a newcomer caller registers in its own command, as itself', async () => {
    const s = box.s;
    await s.ok(['users', 'create', 'user3', '--name', 'Three']);
    await s.ok(['users', 'set', 'user3', '--name', 'Drei']);
    await s.ok(['users', 'delete', 'user3']);
    const trail = await events(s, ['--user-id', 'user3']);
    expect(summary(trail)).toEqual(['user.create user:user3', 'user.update user:user3', 'user.delete user:user3']);
    expect(trail[1]!.data).toEqual(['name']);
    for (const event of trail) expect(event.visibility).toEqual({ rights: ['RIGHT_USER_INFO'] });

    await s.ok(['create', 'org9', '--user-id', 'user9'], as('user9'));
    const [registered, created] = await events(s, ['--user-id', 'user9', '--organization-id', 'org9']);
    expect(summary([registered!, created!])).toEqual([
      'user.create user:user9',
      'organization.create organization:org9',
    ]);
    expect(registered!.caller).toEqual({ user_id: 'user9', admin: false });
    expect(registered!.correlation_ids).toEqual(created!.correlation_ids);
  });

  describe.concurrent.each(KINDS)('$command', (kind) => {
    test(`create, update, collaborators set/delete --organization-id, delete, restore, purge: ${kind.name}.*`, async () => {
      const s = box.s;
      const K = kind.command;
      const x = `${kind.name.slice(0, 3)}-one`;
      await s.ok(['create', `owner-of-${kind.name}`, '--user-id', 'user1']);
      await s.ok([K, 'create', x, '--user-id', 'user1'], as('user1'));
      await s.ok([K, 'set', x, '--name', 'Renamed'], as('user1'));
      const setArgs = [
        K,
        'collaborators',
        'set',
        x,
        '--organization-id',
        `owner-of-${kind.name}`,
        flag(kind.rights.info),
      ];
      await s.ok(setArgs, as('user1'));
      const printed = (
        await s.ok([K, 'collaborators', 'get', x, '--organization-id', `owner-of-${kind.name}`], as('user1'))
      ).json;
      await s.ok([K, 'collaborators', 'delete', x, '--organization-id', `owner-of-${kind.name}`], as('user1'));
      await s.ok([K, 'delete', x], as('user1'));
      await s.ok([K, 'restore', x], as('user1'));
      await s.ok([K, 'delete', x], as('user1'));
      const beforePurge = await events(s, [`--${kind.idFlag}`, x], as('user1'));
      await s.ok([K, 'purge', x, '--force']);

      const trail = await events(s, [`--${kind.idFlag}`, x]);
      const on = `${kind.name}:${x}`;
      const org = `organization:owner-of-${kind.name}`;
      expect(summary(trail)).toEqual([
        `${kind.name}.create ${on}`,
        `${kind.name}.update ${on}`,
        `${kind.name}.collaborator.update ${on} ${org}`,
        `${kind.name}.collaborator.delete ${on} ${org}`,
        `${kind.name}.delete ${on}`,
        `${kind.name}.restore ${on}`,
        `${kind.name}.delete ${on}`,
        `${kind.name}.purge ${on}`,
      ]);
      expect(trail[0]!.identifiers).toEqual([ids(kind.name, x)]);
      expect(trail[0]).not.toHaveProperty('data');
      expect(trail[1]!.data).toEqual(['name']);
      expect(trail[2]!.identifiers).toEqual([ids(kind.name, x), ids('organization', `owner-of-${kind.name}`)]);
      expect(trail[2]!.data).toEqual(printed);
      expect(printed).toEqual({ ids: ids('organization', `owner-of-${kind.name}`), rights: [kind.rights.info] });
      for (const i of [2, 3]) expect(trail[i]!.visibility).toEqual({ rights: [kind.rights.settingsCollaborators] });
      for (const i of [0, 1, 4, 5, 6, 7]) expect(trail[i]!.visibility).toEqual({ rights: [kind.rights.info] });
      // Its one collaborator saw them all while it existed; once purged, only the administrator does.
      expect(summary(beforePurge).length).toBeGreaterThan(0);
      expect(await events(s, [`--${kind.idFlag}`, x], as('user1'))).toEqual([]);
    });
  });
});

// -------------------------------------------------------------------------------------------------
describe('a failed or rolled-back command leaves no event', () => {
  const box = shared(async (s) => {
    await s.ok(['create', 'org1', '--user-id', 'user1']);
  });

  test('removing the last owner, a taken ID, a denied newcomer: no event, store unchanged', async () => {
    const s = box.s;
    const before = await storedEvents(s);
    await expectFails(
      s,
      ['collaborators', 'delete', 'org1', '--user-id', 'user1'],
      5,
      'organization_needs_collaborator',
    );
    await expectFails(s, ['create', 'org1', '--user-id', 'user2'], 5, 'id_taken');
    await expectFails(s, ['set', 'org1', '--name', 'X'], 4, 'insufficient_rights', as('user8'));
    await expectFails(s, ['api-keys', 'create', 'org1'], 2);
    expect(await storedEvents(s)).toBe(before);
    expect(summary(await events(s))).toEqual(['user.create user:user1', 'organization.create organization:org1']);
  });

  test('bulk create with bad documents: one organization.create per organization created, one correlation, none for the failed', async () => {
    const s = box.s;
    const input = [
      { ids: { organization_id: 'bulk-1' } },
      { ids: { organization_id: 'org1' } }, // taken
      { ids: { organization_id: 'bulk-2' } },
      { ids: { organization_id: 'BAD!' } }, // invalid
      { ids: { organization_id: 'bulk-3' } },
    ]
      .map((doc) => JSON.stringify(doc))
      .join('\n');
    const result = await s.run(['create', '--user-id', 'user7'], { input: `${input}\n` });
    expect(result.exitCode).not.toBe(0);
    const created = parseEvents(result.stdout).map((org) => org.ids.organization_id);
    expect(created).toEqual(['bulk-1', 'bulk-2', 'bulk-3']);

    const trail = await events(s, ['--names', 'organization.create,user.create']);
    expect(summary(trail)).toEqual([
      'user.create user:user1',
      'organization.create organization:org1',
      'user.create user:user7',
      'organization.create organization:bulk-1',
      'organization.create organization:bulk-2',
      'organization.create organization:bulk-3',
    ]);
    const bulk = trail.slice(2);
    expect(new Set(bulk.map((e) => e.correlation_ids[0])).size).toBe(1);
    expect(bulk[0]!.correlation_ids[0]).not.toBe(trail[1]!.correlation_ids[0]);
    expect(await events(s, ['--organization-id', 'org1'])).toHaveLength(1);
  });
});

// -------------------------------------------------------------------------------------------------
describe('who sees what: the caller’s current rights on what the event is about', () => {
  const keys = {} as Record<'info' | 'all', string>;
  let all: Event[];
  const box = shared(async (s) => {
    await s.ok(['create', 'org1', '--user-id', 'user1']);
    await s.ok(['collaborators', 'set', 'org1', '--user-id', 'user2', '--right-organization-info'], as('user1'));
    await s.ok(['set', 'org1', '--name', 'One'], as('user1'));
    keys.info = (await s.ok(['api-keys', 'create', 'org1', '--right-organization-info'], as('user1'))).json.key;
    keys.all = (await s.ok(['api-keys', 'create', 'org1', '--right-organization-all'], as('user1'))).json.key;
    await s.ok(['create', 'org2', '--user-id', 'user3']);
    await s.ok(['set', 'org2', '--name', 'Two'], as('user3'));
    await s.ok(['create', 'org3', '--user-id', 'user1']);
    await s.ok(['delete', 'org3'], as('user1'));
    await s.ok(['purge', 'org3', '--force']);
    all = await events(s);
  });

  test('the administrator sees every event, the purged organization’s too', async () => {
    expect(all).toHaveLength(await storedEvents(box.s));
    expect(summary(all)).toEqual([
      'user.create user:user1',
      'organization.create organization:org1',
      'user.create user:user2',
      'organization.collaborator.update organization:org1 user:user2',
      'organization.update organization:org1',
      'organization.api-key.create organization:org1',
      'organization.api-key.create organization:org1',
      'user.create user:user3',
      'organization.create organization:org2',
      'organization.update organization:org2',
      'organization.create organization:org3',
      'organization.delete organization:org3',
      'organization.purge organization:org3',
    ]);
  });

  test('a member with RIGHT_ORGANIZATION_INFO alone: org1’s create and update, its own user.create; no collaborator or key events, nothing else', async () => {
    expect(summary(await events(box.s, [], as('user2')))).toEqual([
      'organization.create organization:org1',
      'user.create user:user2',
      'organization.update organization:org1',
    ]);
    // Asking for org2 or user1 by name does not widen it.
    expect(await events(box.s, ['--organization-id', 'org2', '--user-id', 'user1'], as('user2'))).toEqual([]);
  });

  test('an owner: everything of its organization and its own user events; not the purged organization’s, not others’', async () => {
    expect(summary(await events(box.s, [], as('user1')))).toEqual(
      summary(all).filter((line) => /org1|user:user1$/.test(line) && !line.startsWith('user.create user:user2')),
    );
    expect(summary(await events(box.s, [], as('user3')))).toEqual([
      'user.create user:user3',
      'organization.create organization:org2',
      'organization.update organization:org2',
    ]);
  });

  test('an API key: only its organization’s events that its rights cover, and no user events', async () => {
    expect(summary(await events(box.s, [], withKey(keys.info)))).toEqual([
      'organization.create organization:org1',
      'organization.update organization:org1',
    ]);
    expect(summary(await events(box.s, [], withKey(keys.all)))).toEqual(
      summary(all).filter((line) => line.includes('organization:org1')),
    );
  });

  test('rights are the current ones: a right taken away hides the events again', async () => {
    const s = sandbox();
    try {
      await s.ok(['create', 'org1', '--user-id', 'user1']);
      await s.ok(['collaborators', 'set', 'org1', '--user-id', 'user2', '--right-organization-info']);
      expect(summary(await events(s, ['--organization-id', 'org1'], as('user2')))).toEqual([
        'organization.create organization:org1',
      ]);
      await s.ok(['collaborators', 'delete', 'org1', '--user-id', 'user2']);
      expect(await events(s, ['--organization-id', 'org1'], as('user2'))).toEqual([]);
    } finally {
      await s.cleanup();
    }
  });
});

// -------------------------------------------------------------------------------------------------
describe('filters', () => {
  let all: Event[];
  const box = shared(async (s) => {
    await s.ok(['create', 'org1', '--user-id', 'user1']);
    await s.ok(['create', 'org2', '--user-id', 'user1']);
    await s.ok(['collaborators', 'set', 'org2', '--user-id', 'user2', '--right-organization-info'], as('user1'));
    await s.ok(['create', 'org3', '--user-id', 'user1']);
    await s.ok(['set', 'org3', '--name', 'Three'], as('user1'));
    all = await events(s);
  });
  const pick = (...indexes: number[]) => indexes.map((i) => summary(all)[i]);
  const filtered = async (...args: string[]) => summary(await events(box.s, args));

  test('the trail the filters pick from', () => {
    expect(summary(all)).toEqual([
      'user.create user:user1',
      'organization.create organization:org1',
      'organization.create organization:org2',
      'user.create user:user2',
      'organization.collaborator.update organization:org2 user:user2',
      'organization.create organization:org3',
      'organization.update organization:org3',
    ]);
  });

  test('ID flags are repeatable and match any identifier of an event, not only the first', async () => {
    expect(await filtered('--organization-id', 'org1', '--organization-id', 'org3')).toEqual(pick(1, 5, 6));
    expect(await filtered('--user-id', 'user2')).toEqual(pick(3, 4));
    expect(await filtered('--organization-id', 'org1', '--user-id', 'user2')).toEqual(pick(1, 3, 4));
    expect(await filtered('--organization-id', 'nobody')).toEqual([]);
    expect(await filtered('--application-id', 'org1')).toEqual([]);
  });

  test('--names: a comma list of exact names, or one /regular expression/; an invalid one is exit 2', async () => {
    expect(await filtered('--names', 'organization.create,organization.update')).toEqual(pick(1, 2, 5, 6));
    expect(await filtered('--names', 'organization')).toEqual([]);
    expect(await filtered('--names', '/^user\\./')).toEqual(pick(0, 3));
    expect(await filtered('--names', '/collaborator/')).toEqual(pick(4));
    expect(await filtered('--names', '/^organization\\.(create|update)$/', '--organization-id', 'org3')).toEqual(
      pick(5, 6),
    );
    await expectFails(box.s, ['events', '--names', '/(/'], 2, 'invalid_names');
  });

  test('--after TIME: only events strictly after it, in any RFC 3339 offset; a bad time is exit 2', async () => {
    const t = all[2]!.time as string;
    const after = summary(all.filter((e) => e.time > t));
    expect(after.length).toBeGreaterThan(0);
    expect(after).not.toContain(summary(all)[2]);
    expect(await filtered('--after', t)).toEqual(after);
    // The same instant two hours east.
    const east = new Date(Date.parse(t) + 2 * 3_600_000).toISOString().replace('Z', '+02:00');
    expect(await filtered('--after', east)).toEqual(after);
    expect(await filtered('--after', '2000-01-01T00:00:00Z')).toEqual(summary(all));
    expect(await filtered('--after', all[all.length - 1]!.time)).toEqual([]);
    await expectFails(box.s, ['events', '--after', 'yesterday'], 2, 'invalid_after');
  });

  test('--tail N: the last N that match, oldest first; 0 is exit 2', async () => {
    expect(await filtered('--tail', '2')).toEqual(pick(5, 6));
    expect(await filtered('--tail', '1', '--organization-id', 'org2')).toEqual(pick(4));
    expect(await filtered('--tail', '2', '--names', '/^user/')).toEqual(pick(0, 3));
    expect(await filtered('--tail', '100')).toEqual(summary(all));
    await expectFails(box.s, ['events', '--tail', '0'], 2);
  });

  test('--output-format table: a header, then one line per event: time, name, identifiers, caller', async () => {
    const result = await box.s.ok(['events', '--output-format', 'table']);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines[0]!.split(/\s{2,}/)).toEqual(['TIME', 'NAME', 'IDENTIFIERS', 'CALLER']);
    expect(lines.slice(1).map((line) => line.trimEnd().split(/\s{2,}/))).toEqual(
      all.map((e) => [e.time, e.name, e.identifiers.map(idText).join(' '), e.caller.user_id ?? 'local administrator']),
    );
  });

  test('the aliases event, evt and e', async () => {
    for (const alias of ['event', 'evt', 'e'])
      expect(parseEvents((await box.s.ok([alias, '--tail', '1'])).stdout)).toEqual(all.slice(-1));
  });
});

// -------------------------------------------------------------------------------------------------
describe('a trail longer than one read: filters, visibility and --tail across it', () => {
  const COUNT = 1300;
  const box = shared(async (s) => {
    const input = Array.from({ length: COUNT }, (_, i) => JSON.stringify({ ids: { organization_id: `org-${i}` } }));
    await s.ok(['create', '--user-id', 'user1'], { input: `${input.join('\n')}\n` });
    for (const i of [3, 700, COUNT - 1])
      await s.ok(['collaborators', 'set', `org-${i}`, '--user-id', 'user2', '--right-organization-info']);
  });

  test('every event, in order; a member sees exactly its organizations’ creations, spread over the trail', async () => {
    const all = await events(box.s, ['--names', 'organization.create']);
    expect(all.map((e) => e.identifiers[0].organization_ids.organization_id)).toEqual(
      Array.from({ length: COUNT }, (_, i) => `org-${i}`),
    );
    expect(summary(await events(box.s, [], as('user2')))).toEqual([
      'organization.create organization:org-3',
      'organization.create organization:org-700',
      `organization.create organization:org-${COUNT - 1}`,
      'user.create user:user2',
    ]);
  });

  test('--tail reaches back past many events the caller may not see or that do not match', async () => {
    expect(summary(await events(box.s, ['--tail', '3', '--names', 'organization.create'], as('user2')))).toEqual([
      'organization.create organization:org-3',
      'organization.create organization:org-700',
      `organization.create organization:org-${COUNT - 1}`,
    ]);
    expect(summary(await events(box.s, ['--tail', '2', '--names', '/^user/']))).toEqual([
      'user.create user:user1',
      'user.create user:user2',
    ]);
    expect(
      summary(await events(box.s, ['--organization-id', 'org-5', '--organization-id', `org-${COUNT - 2}`])),
    ).toEqual(['organization.create organization:org-5', `organization.create organization:org-${COUNT - 2}`]);
  });
});

// -------------------------------------------------------------------------------------------------
describe('events prune (changes the store: one sandbox, tests in order)', () => {
  let before: string;
  let key: string;
  const box = shared(async (s) => {
    await s.ok(['create', 'org1', '--user-id', 'user1']);
    key = (await s.ok(['api-keys', 'create', 'org1', '--right-organization-all'], as('user1'))).json.key;
    // org2's millisecond strictly later than every earlier event's.
    await s.ok(['create', 'org2', '--user-id', 'user1'], { clock: () => Date.now() + 5 });
  });

  test('only the administrator: a user or an API key is denied (exit 4); --before is needed and checked (exit 2)', async () => {
    const s = box.s;
    const time = new Date(Date.now() + 86_400_000).toISOString();
    await expectFails(s, ['events', 'prune', '--before', time], 4, 'prune_needs_admin', as('user1'));
    await expectFails(s, ['events', 'prune', '--before', time], 4, undefined, withKey(key));
    await expectFails(s, ['events', 'prune'], 2, 'no_before');
    await expectFails(s, ['events', 'prune', '--before', 'soon'], 2);
  });

  test('the administrator prunes the older events, prints {"pruned": N}, and the trail records events.prune for it alone', async () => {
    const s = box.s;
    const everything = await events(s);
    before = everything.filter((e) => e.name === 'organization.create')[1]!.time; // org2's
    const older = everything.filter((e) => e.time < before);
    expect(older.length).toBeGreaterThan(0);

    const pruned = await s.ok(['events', 'prune', '--before', before]);
    expect(pruned.json).toEqual({ pruned: older.length });
    const after = await events(s);
    expect(after.slice(0, -1)).toEqual(everything.filter((e) => e.time >= before));
    const record = after[after.length - 1]!;
    const { time, correlation_ids, unique_id, ...rest } = record;
    expect(rest).toStrictEqual({
      name: 'events.prune',
      identifiers: [],
      data: { before, pruned: older.length },
      origin: hostname(),
      visibility: { rights: [] },
      caller: { local_administrator: true, admin: true },
      user_agent: `orgs/${VERSION}`,
    });
    expect(time).toMatch(RFC3339_MS);
    expect(correlation_ids[0]).toMatch(CORRELATION);
    expect(unique_id > after[after.length - 2]!.unique_id).toBe(true);

    for (const caller of [as('user1'), withKey(key)])
      expect((await events(s, [], caller)).map((e) => e.name)).not.toContain('events.prune');
    expect(await events(s, ['--names', 'events.prune'], as('user1'))).toEqual([]);
  });

  test('pruning again before the same time removes nothing more, and says so', async () => {
    const s = box.s;
    expect((await s.ok(['events', 'prune', '--before', before])).json).toEqual({ pruned: 0 });
    const prunes = await events(s, ['--names', 'events.prune']);
    expect(prunes.map((e) => e.data.pruned)).toEqual([expect.any(Number), 0]);
  });
});

// -------------------------------------------------------------------------------------------------
describe('across processes', () => {
  const box = shared(async (s) => {
    await s.ok(['create', 'org1', '--user-id', 'user1']);
  });

  test('concurrent commands: unique_id strictly increasing in the order of commits', async () => {
    const s = box.s;
    // Processes, so that the six commands really run at once.
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) => s.spawn(['create', `par-${i}`, '--user-id', `puser${i}`])),
    );
    for (const result of results) expect(result.exitCode, result.stderr).toBe(0);
    const all = await events(s);
    expect(all.filter((e) => e.name === 'organization.create')).toHaveLength(7);
    for (let i = 1; i < all.length; i++) expect(all[i]!.unique_id > all[i - 1]!.unique_id).toBe(true);
    // Each command's user.create and organization.create share its correlation, and no other's.
    for (let i = 0; i < 6; i++) {
      const own = all.filter((e) =>
        e.identifiers.some((id: any) => [`par-${i}`, `puser${i}`].includes(idText(id).split(':')[1]!)),
      );
      expect(own).toHaveLength(2);
      expect(own[0]!.correlation_ids).toEqual(own[1]!.correlation_ids);
      expect(all.filter((e) => e.correlation_ids[0] === own[0]!.correlation_ids[0])).toHaveLength(2);
    }
  });

  test('--follow prints another process’s new event soon after its commit; Ctrl-C is exit 130', async () => {
    const s = box.s;
    const follower = execa('node', [BIN, 'events', '--follow', '--names', 'organization.create'], {
      env: { ...s.env, ORGS_USER_ID: 'user1' },
      reject: false,
      stdin: 'ignore',
      stripFinalNewline: false,
    });
    let out = '';
    follower.stdout!.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    try {
      // The history first: org1's creation, which user1 may see.
      await untilOutput(follower.stdout!, () => out.includes('"organization_id": "org1"'), 'the history');
      expect(out).not.toContain('"organization_id": "par-0"'); // user1 has no rights on par-0
      await s.ok(['create', 'org5', '--user-id', 'user1']);
      const elapsed = await untilOutput(
        follower.stdout!,
        () => out.includes('"organization_id": "org5"'),
        'org5 on --follow',
      );
      console.log(`--follow printed org5 ${elapsed} ms after the create command returned`);
      await s.ok(['create', 'org6', '--user-id', 'user9']); // not user1's: must not appear
      // Events come in commit order: once org6b is out, org6 would have been too.
      await s.ok(['create', 'org6b', '--user-id', 'user1']);
      await untilOutput(follower.stdout!, () => out.includes('"organization_id": "org6b"'), 'org6b on --follow');
      follower.kill('SIGINT');
      const result = await follower;
      expect(result.exitCode).toBe(130);
      const followed = parseEvents(String(result.stdout));
      expect(summary(followed)).toEqual([
        'organization.create organization:org1',
        'organization.create organization:org5',
        'organization.create organization:org6b',
      ]);
    } finally {
      follower.kill('SIGKILL');
    }
  });

  test('--follow whose reader goes away exits quietly (0 or 141, nothing on stderr)', async () => {
    const s = box.s;
    const env: NodeJS.ProcessEnv = { ...process.env, ...s.env };
    delete env.ORGS_USER_ID;
    delete env.ORGS_API_KEY;
    const child = spawn('node', [BIN, 'events', '--follow'], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const exited = new Promise<[number | null, NodeJS.Signals | null]>((done) =>
      child.on('exit', (code, signal) => done([code, signal])),
    );
    try {
      await new Promise((done) => child.stdout.once('data', done));
      child.stdout.destroy();
      // A new event gives the follower something to write to the closed pipe.
      await s.ok(['create', 'org7', '--user-id', 'user1']);
      // A follower that never notices fails the test by its timeout.
      const [code, signal] = await exited;
      expect(code === 0 || code === 141 || signal === 'SIGPIPE', `exit ${code} ${signal}`).toBe(true);
      expect(stderr).toBe('');
    } finally {
      child.kill('SIGKILL');
    }
  });
});
