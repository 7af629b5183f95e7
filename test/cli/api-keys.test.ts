/**
 * Organization API keys that are real credentials (black box, through the built CLI):
 * `api-keys create|list|get|set|delete` and their aliases, the `NNSXS.<id>.<secret>` token shown
 * once, the secret kept only as a salted hash (never in the store's files or rows, stderr or an error), a
 * key as the caller (ORGS_API_KEY, `login --api-key`), its rights on its own organization only,
 * the rules for creating and changing keys, expiry, and what deleting, restoring and purging the
 * organization does to its keys.
 *
 * A refused command must leave the store as it was: expectFails (test/helpers.ts) reads every
 * table of the store (the SQLite file, or the PostgreSQL database), so "unchanged" costs no CLI runs.
 */
import Database from 'better-sqlite3';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { storeRows, expectFails, onPostgres, sandbox, type Result, type Sandbox, ORGANIZATION } from '../helpers.js';

// ---------------------------------------------------------------------------------------------
// Constants.

const TOKEN = /^NNSXS\.([A-Z2-7]{39})\.([A-Z2-7]{52})$/;
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const NOT_SHOWN_AGAIN = /(not|never) be shown again|cannot be shown again|can't be shown again|not be able to see/i;

const sorted = (names: readonly string[]) => [...names].sort();

/** `RIGHT_ORGANIZATION_INFO` → `--right-organization-info`. */
const flag = (right: string) => `--${right.toLowerCase().replaceAll('_', '-')}`;

// ---------------------------------------------------------------------------------------------
// Harness: every run is recorded, and after each test no secret seen in that test may appear in
// any stderr (notes, hints, error messages).

type Env = Record<string, string>;

let s: Sandbox;
/** Every secret (and near-secret) a test has seen; none may ever show up on stderr. */
let secrets: string[];
let runs: Array<{ args: string[]; stderr: string }>;

beforeEach(() => {
  // Every run, the failing ones checked by expectFails included, is recorded for the secret check.
  const plain = sandbox();
  s = {
    ...plain,
    async run(args, options) {
      const result = await plain.run(args, options);
      runs.push({ args, stderr: result.stderr });
      return result;
    },
  };
  secrets = [];
  runs = [];
});

afterEach(async () => {
  try {
    for (const { args, stderr } of runs) {
      for (const secret of secrets) {
        expect(stderr.includes(secret), `stderr of \`orgs ${args.join(' ')}\` shows a key's secret: ${stderr}`).toBe(
          false,
        );
      }
    }
  } finally {
    await s.cleanup();
  }
});

const asKey = (key: string): Env => ({ ORGS_API_KEY: key });
const asUser = (userId: string): Env => ({ ORGS_USER_ID: userId });

const run = (args: string[], env?: Env): Promise<Result> => s.run(args, env ? { env } : {});

async function ok(args: string[], env?: Env): Promise<Result> {
  const result = await run(args, env);
  expect(result.exitCode, `orgs ${args.join(' ')}: ${result.stderr}`).toBe(0);
  return result;
}

const expectDenied = (args: string[], env?: Env, name?: string) => expectFails(s, args, 4, name, { env });
const expectUnauthenticated = (args: string[], key: string) =>
  expectFails(s, args, 4, 'unauthenticated', { env: asKey(key) });

interface CreatedKey {
  id: string;
  key: string;
  secret: string;
  json: any;
  result: Result;
}

/** `orgs api-keys create ORG --right-… EXTRA…` (as `env`, default the administrator). */
async function createKey(org: string, rights: string[], extra: string[] = [], env?: Env): Promise<CreatedKey> {
  const result = await ok(['api-keys', 'create', org, ...extra, ...rights.map(flag)], env);
  const json = result.json;
  const match = TOKEN.exec(String(json.key));
  expect(match, `create printed key ${json.key}`).not.toBeNull();
  secrets.push(match![2]!);
  return { id: json.id, key: json.key, secret: match![2]!, json, result };
}

/** The token with its last character replaced by another of the alphabet. */
function tamper(token: string): string {
  const last = token.at(-1);
  const tampered = token.slice(0, -1) + (last === 'A' ? 'B' : 'A');
  secrets.push(TOKEN.exec(tampered)![2]!);
  return tampered;
}

const grant = (userId: string, rights: string[], org = 'org1') =>
  ok(['collaborators', 'set', '--organization-id', org, '--user-id', userId, ...rights.map(flag)]);

const ids = (result: Result): string[] => (result.json as Array<{ id: string }>).map((key) => key.id);

// ---------------------------------------------------------------------------------------------

describe('create, list, get: the token is printed once, by create', () => {
  test('create prints id, key, name, rights, created_at, updated_at, expires_at; list and get never print the key', async () => {
    await ok(['create', 'org1', '--user-id', 'user1']);
    const created = await createKey(
      'org1',
      ['RIGHT_ORGANIZATION_SETTINGS_MEMBERS', 'RIGHT_ORGANIZATION_INFO', 'RIGHT_APPLICATION_INFO'],
      ['--name', 'my key', '--api-key-expiry', '2030-01-31T13:00:00+01:00'],
    );
    const { json } = created;
    expect(Object.keys(json)).toEqual(['id', 'key', 'name', 'rights', 'created_at', 'updated_at', 'expires_at']);
    expect(json.key).toMatch(TOKEN);
    expect(json.id).toBe(TOKEN.exec(json.key)![1]);
    expect(json.id).toMatch(/^[A-Z2-7]{39}$/);
    expect(json.name).toBe('my key');
    expect(json.rights).toEqual([
      'RIGHT_APPLICATION_INFO',
      'RIGHT_ORGANIZATION_INFO',
      'RIGHT_ORGANIZATION_SETTINGS_MEMBERS',
    ]);
    expect(json.created_at).toMatch(TIMESTAMP);
    expect(json.updated_at).toBe(json.created_at);
    expect(json.expires_at).toBe('2030-01-31T12:00:00.000Z');
    expect(created.result.stdout).toBe(`${JSON.stringify(json, null, 2)}\n`);
    // The note that the key is shown only now goes to stderr, and does not repeat the secret.
    expect(created.result.stderr).toMatch(NOT_SHOWN_AGAIN);
    expect(created.result.stderr).not.toContain(created.secret);

    const { key: _key, ...stored } = json;
    const list = await ok(['api-keys', 'list', 'org1']);
    expect(list.json).toEqual([stored]);
    expect(list.stdout).not.toContain(created.secret);
    const get = await ok(['api-keys', 'get', 'org1', created.id]);
    expect(get.json).toEqual(stored);
    expect(Object.keys(get.json)).toEqual(['id', 'name', 'rights', 'created_at', 'updated_at', 'expires_at']);
    expect(get.stdout).not.toContain(created.secret);
    const byFlags = await ok(['api-keys', 'get', '--organization-id', 'org1', '--api-key-id', created.id]);
    expect(byFlags.json).toEqual(stored);
  });

  test('the seed page command works; unset fields are left out; every key gets its own id and secret', async () => {
    await ok(['create', 'org1', '--user-id', 'user1']);
    const seed = await ok([
      'organizations',
      'api-keys',
      'create',
      '--name',
      'API key for my organization',
      '--organization-id',
      'org1',
      '--right-organization-all',
    ]);
    const seedMatch = TOKEN.exec(seed.json.key);
    expect(seedMatch).not.toBeNull();
    secrets.push(seedMatch![2]!);
    expect(seed.json).toMatchObject({
      id: seedMatch![1],
      name: 'API key for my organization',
      rights: ['RIGHT_ORGANIZATION_ALL'],
    });

    const plain = await createKey('org1', ['RIGHT_ORGANIZATION_INFO']);
    expect(Object.keys(plain.json)).toEqual(['id', 'key', 'rights', 'created_at', 'updated_at']);
    expect(plain.id).not.toBe(seed.json.id);
    expect(plain.secret).not.toBe(seedMatch![2]);
  });

  test('group alias api-key and the aliases add/generate, ls, info, update, remove; IDs as flags or positionals', async () => {
    await ok(['create', 'org1', '--user-id', 'user1']);
    const a = await ok(['api-key', 'add', 'org1', '--right-organization-info']);
    const b = await ok([
      'api-keys',
      'generate',
      '--organization-id',
      'org1',
      '--name',
      'gen',
      '--right-organization-info',
    ]);
    for (const result of [a, b]) {
      expect(result.json.key).toMatch(TOKEN);
      secrets.push(TOKEN.exec(result.json.key)![2]!);
    }
    const idA: string = a.json.id;
    const idB: string = b.json.id;

    const ls = await ok(['api-keys', 'ls', '--organization-id', 'org1']);
    expect(sorted(ids(ls))).toEqual(sorted([idA, idB]));

    const update = await ok(['api-keys', 'update', 'org1', idA, '--name', 'renamed']);
    expect(update.stdout).toBe('');
    const set = await ok(['api-keys', 'set', '--organization-id', 'org1', '--api-key-id', idB, '--name', 'other']);
    expect(set.stdout).toBe('');

    const info = await ok(['api-key', 'info', 'org1', idA]);
    expect(info.json).toMatchObject({ id: idA, name: 'renamed', rights: ['RIGHT_ORGANIZATION_INFO'] });
    expect(info.json.updated_at >= info.json.created_at).toBe(true);
    expect(info.json).not.toHaveProperty('key');

    const remove = await ok(['api-keys', 'remove', '--organization-id', 'org1', '--api-key-id', idA]);
    expect(remove.stdout).toBe('');
    const left = await ok(['api-keys', 'list', 'org1']);
    expect(ids(left)).toEqual([idB]);
    expect(left.json[0].name).toBe('other');
    const del = await ok(['api-keys', 'delete', 'org1', idB]);
    expect(del.stdout).toBe('');
    const empty = await ok(['api-keys', 'list', 'org1']);
    expect(empty.stdout).toBe('[]\n');
  });

  test('an unknown key, another organization’s key, or an unknown organization is not found (exit 3)', async () => {
    await ok(['create', 'org1', '--user-id', 'user1']);
    await ok(['create', 'org2', '--user-id', 'user1']);
    const k = await createKey('org1', ['RIGHT_ORGANIZATION_INFO']);
    await expectFails(s, ['api-keys', 'get', 'org1', 'A'.repeat(39)], 3);
    await expectFails(s, ['api-keys', 'get', 'org2', k.id], 3);
    await expectFails(s, ['api-keys', 'delete', 'org2', k.id], 3);
    await expectFails(s, ['api-keys', 'create', 'org9', '--right-organization-info'], 3);
  });
});

describe('validation: rights, name, expiry', () => {
  test('a key needs at least one right (no_api_key_rights, exit 2); a name longer than 50 is exit 2', async () => {
    await ok(['create', 'org1', '--user-id', 'user1']);
    await expectFails(s, ['api-keys', 'create', 'org1', '--name', 'no rights'], 2, 'no_api_key_rights');
    await expectFails(s, ['api-keys', 'create', 'org1', '--name', 'n'.repeat(51), '--right-organization-info'], 2);
  });

  test('--api-key-expiry must be RFC 3339 (expiry_date_format_invalid) and in the future (expiry_date_invalid), on create and set', async () => {
    await ok(['create', 'org1', '--user-id', 'user1']);
    const create = (expiry: string) => [
      'api-keys',
      'create',
      'org1',
      '--right-organization-info',
      '--api-key-expiry',
      expiry,
    ];
    await expectFails(s, create('tomorrow'), 2, 'expiry_date_format_invalid');
    await expectFails(s, create('2030-02-30T00:00:00Z'), 2, 'expiry_date_format_invalid');
    await expectFails(s, create('2001-01-01T00:00:00Z'), 2, 'expiry_date_invalid');

    const k = await createKey('org1', ['RIGHT_ORGANIZATION_INFO']);
    expect(k.json).not.toHaveProperty('expires_at');
    await expectFails(
      s,
      ['api-keys', 'set', 'org1', k.id, '--api-key-expiry', '2001-01-01T00:00:00Z'],
      2,
      'expiry_date_invalid',
    );
    await ok(['api-keys', 'set', 'org1', k.id, '--api-key-expiry', '2031-06-01T00:00:00Z']);
    const get = await ok(['api-keys', 'get', 'org1', k.id]);
    expect(get.json.expires_at).toBe('2031-06-01T00:00:00.000Z');
  });
});

describe('list: paging and order', () => {
  test('--order api_key_id, name, created_at, expires_at (and with -); --limit/--page with the next-page hint', async () => {
    await ok(['create', 'org1', '--user-id', 'user1']);
    // Created in the order b, a, c; expiring in the order c, b, a.
    const b = await createKey(
      'org1',
      ['RIGHT_ORGANIZATION_INFO'],
      ['--name', 'b', '--api-key-expiry', '2031-01-01T00:00:00Z'],
    );
    const a = await createKey(
      'org1',
      ['RIGHT_ORGANIZATION_INFO'],
      ['--name', 'a', '--api-key-expiry', '2032-01-01T00:00:00Z'],
    );
    const c = await createKey(
      'org1',
      ['RIGHT_ORGANIZATION_INFO'],
      ['--name', 'c', '--api-key-expiry', '2030-01-01T00:00:00Z'],
    );
    expect(b.json.created_at < a.json.created_at && a.json.created_at < c.json.created_at).toBe(true);
    const byId = sorted([a.id, b.id, c.id]);

    const order = async (value: string) => ids(await ok(['api-keys', 'list', 'org1', '--order', value]));
    expect(await order('name')).toEqual([a.id, b.id, c.id]);
    expect(await order('-name')).toEqual([c.id, b.id, a.id]);
    expect(await order('api_key_id')).toEqual(byId);
    expect(await order('created_at')).toEqual([b.id, a.id, c.id]);
    expect(await order('-expires_at')).toEqual([a.id, b.id, c.id]);

    const page1 = await ok(['api-keys', 'list', 'org1', '--order', 'name', '--limit', '2']);
    expect(ids(page1)).toEqual([a.id, b.id]);
    expect(page1.stderr).toContain('--limit=2 --page=2');
    const page2 = await ok(['api-keys', 'list', 'org1', '--order', 'name', '--limit', '2', '--page', '2']);
    expect(ids(page2)).toEqual([c.id]);
    expect(page2.stderr).not.toContain('--page=3');

    await expectFails(s, ['api-keys', 'list', 'org1', '--order', 'organization_id'], 2);
  });
});

describe('the secret is stored only as a salted hash', () => {
  /** Two keys made and used (whoami, a change, a list, a rename, a tampered token); returns them. */
  async function createAndUseKeys(): Promise<CreatedKey[]> {
    const k1 = await createKey('org1', ['RIGHT_ORGANIZATION_ALL'], ['--name', 'first']);
    const k2 = await createKey('org1', ['RIGHT_ORGANIZATION_INFO'], ['--name', 'second']);
    expect((await ok(['whoami'], asKey(k1.key))).json.api_key_id).toBe(k1.id);
    await ok(['set', 'org1', '--name', 'Renamed by key'], asKey(k1.key));
    await ok(['collaborators', 'list', 'org1'], asKey(k1.key));
    await ok(['api-keys', 'set', 'org1', k2.id, '--name', 'second renamed'], asKey(k1.key));
    await expectUnauthenticated(['get', 'org1'], tamper(k2.key));
    return [k1, k2];
  }

  /** A key's token and secret in every plain encoding. */
  const forms = ({ key, secret }: CreatedKey) => [
    key,
    secret,
    secret.toLowerCase(),
    Buffer.from(secret).toString('hex'),
    Buffer.from(secret).toString('base64'),
    Buffer.from(secret).toString('base64url'),
  ];

  test.skipIf(onPostgres)(
    'after creating and using keys, no file of the store holds a secret, in any plain encoding',
    async () => {
      await ok(['create', 'org1', '--user-id', 'user1']);
      // Hold a connection open so the CLI processes cannot checkpoint and remove the WAL: what they
      // wrote stays in orgs.db-wal (and orgs.db-shm) to be inspected.
      const holder = new Database(s.db);
      try {
        holder.prepare('SELECT count(*) FROM sqlite_master').get();
        const [k1, k2] = await createAndUseKeys();

        const check = (when: string) => {
          const files = [s.db, `${s.db}-wal`, `${s.db}-shm`].filter((file) => existsSync(file));
          const contents = files.map((file) => ({ file, bytes: readFileSync(file) }));
          // Sanity: the store's files are the ones that hold the keys (their IDs are plain data).
          expect(
            contents.some(({ bytes }) => bytes.includes(Buffer.from(k1!.id))),
            `${when}: a file of the store holds key ID ${k1!.id}`,
          ).toBe(true);
          for (const k of [k1!, k2!]) {
            for (const { file, bytes } of contents) {
              for (const form of forms(k)) {
                expect(
                  bytes.includes(Buffer.from(form)),
                  `${when}: ${file} holds the secret (as ${form.slice(0, 12)}…)`,
                ).toBe(false);
              }
            }
          }
          return files;
        };
        const files = check('with the WAL in place');
        expect(files).toContain(`${s.db}-wal`);
      } finally {
        holder.close();
      }
      // The last connection closed: the WAL is checkpointed into orgs.db.
      const files = [s.db, `${s.db}-wal`, `${s.db}-shm`].filter((file) => existsSync(file));
      const all = Buffer.concat(files.map((file) => readFileSync(file)));
      for (const secret of secrets)
        expect(all.includes(Buffer.from(secret)), 'after checkpoint the store holds a secret').toBe(false);
    },
  );

  test.runIf(onPostgres)(
    'after creating and using keys, no row of any table of the database holds a secret, in any plain encoding',
    async () => {
      await ok(['create', 'org1', '--user-id', 'user1']);
      const keys = await createAndUseKeys();
      const rows = JSON.stringify(await storeRows(s.db));
      // Sanity: the rows looked at are the ones that hold the keys (their IDs are plain data).
      expect(rows).toContain(keys[0]!.id);
      for (const k of keys)
        for (const form of forms(k))
          expect(rows.includes(form), `a row holds the secret (as ${form.slice(0, 12)}…)`).toBe(false);
      for (const secret of secrets) expect(rows.includes(secret), 'a row holds a secret').toBe(false);
    },
  );
});

describe('a key as the caller', () => {
  test('ORGS_API_KEY: whoami names the key and its organization; it wins over ORGS_USER_ID; rights are the key’s, expanded', async () => {
    await ok(['create', 'org1', '--user-id', 'user1']);
    const k = await createKey('org1', ['RIGHT_ORGANIZATION_INFO', 'RIGHT_ORGANIZATION_SETTINGS_MEMBERS']);
    const whoami = await ok(['whoami'], asKey(k.key));
    expect(whoami.json).toEqual({ api_key_id: k.id, organization_id: 'org1' });
    const both = await ok(['whoami'], { ...asKey(k.key), ...asUser('user1') });
    expect(both.json).toEqual({ api_key_id: k.id, organization_id: 'org1' });
    const rights = await ok(['rights', 'org1'], asKey(k.key));
    expect(rights.json).toEqual(['RIGHT_ORGANIZATION_INFO', 'RIGHT_ORGANIZATION_SETTINGS_MEMBERS']);
  });

  test('login --api-key: config file mode 0600, config never shows the secret, whoami is the key; a bad key is not remembered; logout', async () => {
    await ok(['create', 'org1', '--user-id', 'user1']);
    await ok(['create', 'org2', '--user-id', 'user1']);
    const k = await createKey('org1', ['RIGHT_ORGANIZATION_INFO']);
    const configFile = (await ok(['config', 'path'])).stdout.trim();

    await expectDenied(['login', '--api-key', tamper(k.key)], undefined, 'unauthenticated');
    if (existsSync(configFile)) expect(readFileSync(configFile, 'utf8')).not.toContain('NNSXS');

    const login = await ok(['login', '--api-key', k.key]);
    expect(login.stdout).not.toContain(k.secret);
    expect(statSync(configFile).mode & 0o777).toBe(0o600);

    const list = await ok(['config', 'list']);
    expect(list.stdout).not.toContain(k.secret);
    const get = await ok(['config', 'get', 'api-key']);
    expect(get.stdout).not.toContain(k.secret);

    expect((await ok(['whoami'])).json).toEqual({ api_key_id: k.id, organization_id: 'org1' });
    await expectDenied(['get', 'org2']);

    await ok(['logout']);
    const after = await ok(['whoami']);
    expect(after.json).not.toHaveProperty('api_key_id');
  });
});

describe('a key’s rights: its own, expanded, on its own organization only', () => {
  test('must-show: a key with organization-info and settings-members lists collaborators, cannot create an all-rights key, cannot get org2', async () => {
    await ok(['create', 'org1', '--user-id', 'user1']);
    await ok(['create', 'org2', '--user-id', 'user1']);
    const k = await createKey('org1', ['RIGHT_ORGANIZATION_INFO', 'RIGHT_ORGANIZATION_SETTINGS_MEMBERS']);
    const env = asKey(k.key);

    const collaborators = await ok(['collaborators', 'list', 'org1'], env);
    expect(collaborators.json).toEqual([{ ids: { user_ids: { user_id: 'user1' } }, rights: ['RIGHT_ALL'] }]);
    await expectDenied(['api-keys', 'create', 'org1', '--right-organization-all'], env);
    await expectDenied(['get', 'org2'], env);
    expect((await ok(['get', 'org1'], env)).json.ids).toEqual({ organization_id: 'org1' });
  });

  test('a key cannot create or list organizations, nor act on another organization', async () => {
    await ok(['create', 'org1', '--user-id', 'user1']);
    await ok(['create', 'org2', '--user-id', 'user1']);
    const env = asKey((await createKey('org1', ['RIGHT_ORGANIZATION_ALL'])).key);
    await expectDenied(['create', 'org3', '--user-id', 'user1'], env);
    await expectDenied(['list'], env);
    await expectDenied(['set', 'org2', '--name', 'taken over'], env);
  });

  test('RIGHT_ORGANIZATION_ALL expands: the key manages keys and grants what it holds, nothing more', async () => {
    await ok(['create', 'org1', '--user-id', 'user1']);
    const all = await createKey('org1', ['RIGHT_ORGANIZATION_ALL']);
    expect((await ok(['rights', 'org1'], asKey(all.key))).json).toEqual(sorted(ORGANIZATION));

    const sub = await createKey('org1', ['RIGHT_ORGANIZATION_INFO'], [], asKey(all.key));
    expect((await ok(['whoami'], asKey(sub.key))).json).toEqual({ api_key_id: sub.id, organization_id: 'org1' });
    await expectDenied(['api-keys', 'create', 'org1', '--right-application-info'], asKey(all.key));
  });

  test('without RIGHT_ORGANIZATION_SETTINGS_API_KEYS a key can neither list nor create keys', async () => {
    await ok(['create', 'org1', '--user-id', 'user1']);
    const info = asKey((await createKey('org1', ['RIGHT_ORGANIZATION_INFO', 'RIGHT_ORGANIZATION_SETTINGS_BASIC'])).key);
    await expectDenied(['api-keys', 'list', 'org1'], info);
    await expectDenied(['api-keys', 'create', 'org1', '--right-organization-info'], info);
  });

  test('a member creating a key needs settings-api-keys plus every right the key gets', async () => {
    await ok(['create', 'org1', '--user-id', 'user1']);
    await grant('alice', ['RIGHT_ORGANIZATION_SETTINGS_API_KEYS', 'RIGHT_ORGANIZATION_INFO']);
    await grant('bob', ['RIGHT_ORGANIZATION_INFO']);
    const made = await createKey('org1', ['RIGHT_ORGANIZATION_INFO'], [], asUser('alice'));
    expect(made.json.rights).toEqual(['RIGHT_ORGANIZATION_INFO']);
    await expectDenied(['api-keys', 'create', 'org1', '--right-organization-delete'], asUser('alice'));
    await expectDenied(['api-keys', 'create', 'org1', '--right-organization-info'], asUser('bob'));
  });

  test('set --right-* replaces the rights and needs every right added or removed, not every right of the key; a key cannot raise its own rights', async () => {
    await ok(['create', 'org1', '--user-id', 'user1']);
    const target = await createKey('org1', ['RIGHT_ORGANIZATION_INFO', 'RIGHT_ORGANIZATION_DELETE']);
    await grant('bob', [
      'RIGHT_ORGANIZATION_SETTINGS_API_KEYS',
      'RIGHT_ORGANIZATION_INFO',
      'RIGHT_ORGANIZATION_SETTINGS_BASIC',
    ]);
    const bob = asUser('bob');
    const set = (...rights: string[]) => ['api-keys', 'set', 'org1', target.id, ...rights.map(flag)];

    // Removing DELETE, which bob does not hold.
    await expectDenied(set('RIGHT_ORGANIZATION_INFO'), bob);
    // Adding PURGE, which bob does not hold.
    await expectDenied(set('RIGHT_ORGANIZATION_INFO', 'RIGHT_ORGANIZATION_DELETE', 'RIGHT_ORGANIZATION_PURGE'), bob);
    // The key holds DELETE, which bob does not: its expiry is not bob's to change; rights bob holds
    // may be traded around DELETE, and the name changed (RULES.md, as The Things Stack).
    await expectDenied(['api-keys', 'set', 'org1', target.id, '--api-key-expiry', '2099-01-01T00:00:00Z'], bob);
    await ok(set('RIGHT_ORGANIZATION_DELETE', 'RIGHT_ORGANIZATION_SETTINGS_BASIC'), bob);
    await ok(['api-keys', 'set', 'org1', target.id, '--name', 'by bob'], bob);
    expect((await ok(['api-keys', 'get', 'org1', target.id])).json).toMatchObject({
      name: 'by bob',
      rights: ['RIGHT_ORGANIZATION_DELETE', 'RIGHT_ORGANIZATION_SETTINGS_BASIC'],
    });

    // The administrator replaces the rights; the key then holds exactly those.
    await ok(set('RIGHT_ORGANIZATION_SETTINGS_BASIC'));
    expect((await ok(['api-keys', 'get', 'org1', target.id])).json.rights).toEqual([
      'RIGHT_ORGANIZATION_SETTINGS_BASIC',
    ]);
    expect((await ok(['rights', 'org1'], asKey(target.key))).json).toEqual(['RIGHT_ORGANIZATION_SETTINGS_BASIC']);

    const self = await createKey('org1', ['RIGHT_ORGANIZATION_SETTINGS_API_KEYS', 'RIGHT_ORGANIZATION_INFO']);
    await expectDenied(['api-keys', 'set', 'org1', self.id, '--right-organization-all'], asKey(self.key));
  });
});

describe('a key that is not valid authenticates nobody (exit 4, one line, nothing runs)', () => {
  test('unknown, malformed, tampered, or with another key’s secret', async () => {
    await ok(['create', 'org1', '--user-id', 'user1']);
    const good = await createKey('org1', ['RIGHT_ORGANIZATION_ALL']);
    const other = await createKey('org1', ['RIGHT_ORGANIZATION_INFO']);
    const goodId = good.id;
    const otherSecret = other.secret;
    const shortSecret = good.secret.slice(0, -1);
    secrets.push(shortSecret);

    const unknown = `NNSXS.${'Q'.repeat(39)}.${'R'.repeat(52)}`;
    await expectUnauthenticated(['set', 'org1', '--name', 'hacked'], unknown);
    await expectUnauthenticated(['api-keys', 'create', 'org1', '--right-organization-all'], 'garbage');
    await expectUnauthenticated(['delete', 'org1'], `NNSXS.${goodId}.${shortSecret}`);
    await expectUnauthenticated(
      ['collaborators', 'set', '--organization-id', 'org1', '--user-id', 'mallory', '--right-organization-all'],
      tamper(good.key),
    );
    await expectUnauthenticated(['api-keys', 'delete', 'org1', other.id], `NNSXS.${goodId}.${otherSecret}`);

    // The same commands do run with the genuine key.
    await ok(['set', 'org1', '--name', 'fine'], asKey(good.key));
  });

  test('a deleted key', async () => {
    await ok(['create', 'org1', '--user-id', 'user1']);
    const k = await createKey('org1', ['RIGHT_ORGANIZATION_ALL']);
    await ok(['whoami'], asKey(k.key));
    await ok(['api-keys', 'delete', 'org1', k.id]);
    await expectUnauthenticated(['whoami'], k.key);
    await expectUnauthenticated(['set', 'org1', '--name', 'hacked'], k.key);
  });

  test('an expired key', async () => {
    await ok(['create', 'org1', '--user-id', 'user1']);
    const expiry = Date.now() + 60_000;
    const k = await createKey('org1', ['RIGHT_ORGANIZATION_ALL'], ['--api-key-expiry', new Date(expiry).toISOString()]);
    expect(k.json.expires_at).toBe(new Date(expiry).toISOString());
    const at = (ms: number) => ({ env: asKey(k.key), clock: () => ms });
    expect((await s.run(['whoami'], at(expiry - 1))).json.api_key_id).toBe(k.id);
    // From its expiry on, on the command's clock.
    await expectFails(s, ['whoami'], 4, 'unauthenticated', at(expiry));
    await expectFails(s, ['set', 'org1', '--name', 'too late'], 4, 'unauthenticated', at(expiry + 1));
  });
});

describe('the organization’s life and its keys', () => {
  test('a deleted organization’s keys authenticate nobody until it is restored', async () => {
    await ok(['create', 'org1', '--user-id', 'user1']);
    const k = await createKey('org1', ['RIGHT_ORGANIZATION_INFO']);
    await ok(['delete', 'org1']);
    await expectUnauthenticated(['whoami'], k.key);
    await expectUnauthenticated(['restore', 'org1'], k.key);
    await ok(['restore', 'org1']);
    expect((await ok(['whoami'], asKey(k.key))).json).toEqual({ api_key_id: k.id, organization_id: 'org1' });
  });

  test('purge removes the keys: re-creating the organization does not revive them', async () => {
    await ok(['create', 'org1', '--user-id', 'user1']);
    const k = await createKey('org1', ['RIGHT_ORGANIZATION_INFO']);
    await ok(['purge', 'org1', '--force']);
    await expectUnauthenticated(['whoami'], k.key);
    await ok(['create', 'org1', '--user-id', 'user1']);
    await expectUnauthenticated(['get', 'org1'], k.key);
    expect((await ok(['api-keys', 'list', 'org1'])).json).toEqual([]);
  });
});
