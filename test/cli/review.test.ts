/**
 * `orgs review` (ACCESS.md, "Review"): each finding, shown to whoever may see its target and
 * hidden from everyone else, the order, --organization-id, --stale, --fail-on (exit 7), the table,
 * and that a review writes nothing. Then `last_used_at`: the hour a key authenticated in, once
 * per hour, never back in time, after the command and never failing or delaying it. Every command
 * runs on a fake clock.
 */
import Database from 'better-sqlite3';
import pg from 'pg';
import { describe, expect, test } from 'vitest';
import {
  as,
  expectError,
  expectFails,
  onPostgres,
  type RunOptions,
  type Sandbox,
  shared,
  storeRows,
  storeRowsBesidesKeyUse,
} from '../helpers.js';

const DAY = 86_400_000;
const HOUR = 3_600_000;
const T0 = Date.parse('2030-01-01T00:00:00.000Z');
/** When the reviews run: 100 days after the keys were made. */
const NOW = T0 + 100 * DAY;

const at = (time: number, options: RunOptions = {}): RunOptions => ({ ...options, clock: () => time });
const withKeyAt = (key: string, time: number) => at(time, { env: { ORGS_API_KEY: key } });

/** `finding target subject` of each finding, in the order printed. */
const brief = (findings: any[]) =>
  findings.map(({ finding, target, subject }) => {
    const [kind, ids] = Object.entries(target)[0] as [string, Record<string, string>];
    const named = `${finding} ${kind.replace(/_ids$/, '')}:${Object.values(ids)[0]}`;
    if (subject === null) return named;
    return `${named} ${subject.api_key_id ?? `organization:${subject.organization_ids.organization_id}`}`;
  });

interface Keys {
  /** org1's: every organization right, no expiry, never used. */
  all: string;
  /** org1's: INFO, expires in 200 days, used on day 50. */
  used: string;
  /** org2's: expired on day 1. */
  expired: string;
  /** org2's: may list org2's keys; expires in 300 days. */
  lister: string;
}

const keys = {} as Keys;
const idOf = (token: string) => token.split('.')[1]!;

/**
 * org1 (u1 its owner, u2 with INFO only), org2 (u3), org4 (u5, who holds organization rights
 * only), org5 (u7 likewise, u8 with APPLICATION_INFO), org3 (u4; deleted); app1 and app2 of u1,
 * org2 and org4 on app1 and org5 on app2 with INFO; gtw1 of org3 alone, orphaned by org3's
 * deletion; boss made --admin; lonely holds nothing.
 */
async function seed(s: Sandbox): Promise<void> {
  const ok = (args: string[], options?: RunOptions) => s.ok(args, at(T0, options));
  const key = async (args: string[]) => (await ok(['api-keys', 'create', ...args])).json.key as string;
  await ok(['create', 'org1', '--user-id', 'u1']);
  await ok(['collaborators', 'set', 'org1', '--user-id', 'u2', '--right-organization-info']);
  await ok(['create', 'org2', '--user-id', 'u3']);
  await ok(['create', 'org3', '--user-id', 'u4']);
  await ok(['create', 'org4', '--user-id', 'u5']);
  await ok(['collaborators', 'set', 'org4', '--user-id', 'u5', '--right-organization-all']);
  for (const app of ['app1', 'app2']) await ok(['applications', 'create', app, '--user-id', 'u1']);
  for (const org of ['org2', 'org4']) {
    await ok(['applications', 'collaborators', 'set', 'app1', '--organization-id', org, '--right-application-info']);
  }
  // org5 gives app2 something through u8 alone, not through its owner u7.
  await ok(['create', 'org5', '--user-id', 'u7']);
  await ok(['collaborators', 'set', 'org5', '--user-id', 'u8', '--right-application-info']);
  await ok(['collaborators', 'set', 'org5', '--user-id', 'u7', '--right-organization-all']);
  await ok(['applications', 'collaborators', 'set', 'app2', '--organization-id', 'org5', '--right-application-info']);
  await ok(['gateways', 'create', 'gtw1', '--organization-id', 'org3']);
  await ok(['delete', 'org3']);
  await ok(['users', 'create', 'boss', '--admin']);
  await ok(['users', 'create', 'lonely']);
  const expiry = (days: number) => ['--api-key-expiry', new Date(T0 + days * DAY).toISOString()];
  keys.all = await key(['org1', '--right-organization-all']);
  keys.used = await key(['org1', '--right-organization-info', ...expiry(200)]);
  keys.expired = await key(['org2', '--right-organization-info', ...expiry(1)]);
  keys.lister = await key(['org2', '--right-organization-settings-api-keys', ...expiry(300)]);
  await s.ok(['rights', 'org1'], withKeyAt(keys.used, T0 + 50 * DAY));
}

describe('review', () => {
  const box = shared(seed);
  const review = (args: string[] = [], options: RunOptions = {}) => box.s.run(['review', ...args], at(NOW, options));

  test('the administrator sees every finding, by level, then finding, then target', async () => {
    const result = await review();
    expect(result.exitCode, result.stderr).toBe(0);
    expect(brief(result.json)).toEqual([
      'orphaned_entity gateway:gtw1',
      `api_key_all_rights organization:org1 ${idOf(keys.all)}`,
      `api_key_no_expiry organization:org1 ${idOf(keys.all)}`,
      // `used` was used 50 days ago; `lister` never, in its 100 days.
      `api_key_unused organization:org1 ${idOf(keys.all)}`,
      `api_key_unused organization:org2 ${idOf(keys.lister)}`,
      'administrator user:boss',
      `api_key_expired organization:org2 ${idOf(keys.expired)}`,
      'path_gives_nothing application:app1 organization:org4',
      // u4's only organization is deleted: it reaches nothing.
      'user_without_access user:lonely',
      'user_without_access user:u4',
    ]);
    const [orphan, allRights] = result.json;
    expect(orphan).toEqual({
      finding: 'orphaned_entity',
      level: 'critical',
      target: { gateway_ids: { gateway_id: 'gtw1' } },
      subject: null,
      detail: expect.stringContaining('RIGHT_GATEWAY_ALL'),
    });
    expect(allRights).toMatchObject({
      level: 'warning',
      target: { organization_ids: { organization_id: 'org1' } },
      subject: { api_key_id: idOf(keys.all), organization_ids: { organization_id: 'org1' } },
    });
    expect(result.json.map((f: any) => f.level)).toEqual([
      'critical',
      ...Array(4).fill('warning'),
      ...Array(5).fill('info'),
    ]);
  });

  test("a member sees the findings on what it may manage: org1's keys and app1's collaborators, no users", async () => {
    const result = await review([], as('u1'));
    expect(brief(result.json)).toEqual([
      `api_key_all_rights organization:org1 ${idOf(keys.all)}`,
      `api_key_no_expiry organization:org1 ${idOf(keys.all)}`,
      `api_key_unused organization:org1 ${idOf(keys.all)}`,
      'path_gives_nothing application:app1 organization:org4',
    ]);
  });

  test('a member who may list neither keys nor collaborators sees nothing; nor does someone with no rights', async () => {
    for (const user of ['u2', 'lonely', 'u5']) {
      const result = await review([], as(user));
      expect(result.exitCode, result.stderr).toBe(0);
      expect(result.json, user).toEqual([]);
    }
  });

  // From here on, `lister` has been used.
  test("a key that may list its organization's keys sees theirs (itself in use now); not another's", async () => {
    const result = await review([], withKeyAt(keys.lister, NOW));
    expect(brief(result.json)).toEqual([`api_key_expired organization:org2 ${idOf(keys.expired)}`]);
    const other = await review(['--organization-id', 'org1'], withKeyAt(keys.lister, NOW));
    expect(other.json).toEqual([]);
  });

  test('--organization-id: its keys, the entities it collaborates on, its members', async () => {
    expect(brief((await review(['--organization-id', 'org4'])).json)).toEqual([
      'path_gives_nothing application:app1 organization:org4',
    ]);
    expect(brief((await review(['--organization-id', 'org2'])).json)).toEqual([
      `api_key_expired organization:org2 ${idOf(keys.expired)}`,
    ]);
    expect(brief((await review(['--organization-id', 'org4'], as('u1'))).json)).toEqual([
      'path_gives_nothing application:app1 organization:org4',
    ]);
    // Its owner gains nothing on app2 through org5, but u8 does.
    expect((await review(['--organization-id', 'org5'])).json).toEqual([]);
    expectError(await review(['--organization-id', 'org3']), 3, 'organization_not_found');
    expectError(await review(['--organization-id', 'nosuch']), 3, 'organization_not_found');
  });

  test('--stale: a key used within it, or younger than it, is not unused', async () => {
    const unused = async (stale: string) =>
      brief((await review(['--organization-id', 'org1', '--stale', stale])).json).filter((f) =>
        f.startsWith('api_key_unused'),
      );
    // Used on day 50, in the hour that ends an hour later; made on day 0.
    expect(await unused('49d')).toHaveLength(2);
    expect(await unused('50d')).toEqual([`api_key_unused organization:org1 ${idOf(keys.all)}`]);
    expect(await unused('100d')).toEqual([`api_key_unused organization:org1 ${idOf(keys.all)}`]);
    expect(await unused('101d')).toEqual([]);
    expectError(await review(['--stale', '1w']), 2, 'invalid_duration');
  });

  test('--fail-on: exit 7 at or above the level, the findings printed all the same', async () => {
    const warned = await review(['--fail-on', 'warning']);
    expect(warned.exitCode).toBe(7);
    expect(warned.stderr).toBe('');
    expect(warned.json).toHaveLength(9);
    expect((await review(['--fail-on', 'critical'])).exitCode).toBe(7);
    expect((await review(['--fail-on', 'info'], as('u1'))).exitCode).toBe(7);
    const calm = await review(['--fail-on', 'critical'], as('u1'));
    expect(calm.exitCode, calm.stderr).toBe(0);
    expect(calm.json).toHaveLength(4);
    expect((await review(['--fail-on', 'critical'], as('u2'))).exitCode).toBe(0);
    expectError(await review(['--fail-on', 'severe']), 2, 'invalid_level');
  });

  test('a table: one line per finding', async () => {
    const table = await review(['--output-format', 'table', '--organization-id', 'org4']);
    const lines = table.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^LEVEL\s+FINDING\s+TARGET\s+SUBJECT\s+DETAIL$/);
    expect(lines.slice(1)).toEqual([
      expect.stringMatching(/^info\s+path_gives_nothing\s+application app1\s+organization org4\s+organization org4 /),
    ]);
  });

  test('writes nothing; with a key, nothing but its last use', async () => {
    const before = await storeRows(box.s.db);
    await review();
    await review([], as('u1'));
    await review(['--fail-on', 'info']);
    expect(await storeRows(box.s.db)).toEqual(before);
    const besides = await storeRowsBesidesKeyUse(box.s.db);
    await review([], withKeyAt(keys.used, NOW));
    expect(await storeRowsBesidesKeyUse(box.s.db)).toEqual(besides);
    const used = await box.s.ok(['api-keys', 'get', 'org1', idOf(keys.used)], at(NOW));
    expect(used.json.last_used_at).toBe(new Date(NOW).toISOString());
  });
});

/** Another connection holding what a writer of the API keys holds, until released. */
async function holdApiKeys(db: string): Promise<() => Promise<void>> {
  if (onPostgres) {
    const other = new pg.Client({ connectionString: db });
    await other.connect();
    await other.query('BEGIN');
    await other.query('SELECT id FROM orgs.api_keys FOR UPDATE');
    return async () => {
      await other.query('ROLLBACK');
      await other.end();
    };
  }
  const other = new Database(db);
  other.exec('BEGIN IMMEDIATE');
  return async () => {
    other.exec('ROLLBACK');
    other.close();
  };
}

describe('last_used_at', () => {
  let key: string;
  const box = shared(async (s) => {
    await s.ok(['create', 'org1', '--user-id', 'u1'], at(T0));
    key = (await s.ok(['api-keys', 'create', 'org1', '--right-organization-settings-api-keys'], at(T0))).json.key;
  });
  const lastUsed = async (time: number) =>
    (await box.s.ok(['api-keys', 'get', 'org1', idOf(key)], at(time))).json.last_used_at;

  test.sequential('unset until the key authenticates; then the hour it did, printed by get and list', async () => {
    expect(await lastUsed(T0)).toBeUndefined();
    const used = T0 + 5 * HOUR + 17 * 60_000;
    const listed = await box.s.ok(['api-keys', 'list', 'org1'], withKeyAt(key, used));
    // The list was read before its own use was recorded.
    expect(listed.json[0].last_used_at).toBeUndefined();
    expect(await lastUsed(used)).toBe('2030-01-01T05:00:00.000Z');
    const again = await box.s.ok(['api-keys', 'list', 'org1'], withKeyAt(key, used + 30 * 60_000));
    expect(again.json[0].last_used_at).toBe('2030-01-01T05:00:00.000Z');
  });

  test.sequential('a later hour is recorded; an earlier clock never moves it back', async () => {
    await box.s.ok(['whoami'], withKeyAt(key, T0 + 7 * HOUR));
    expect(await lastUsed(T0)).toBe('2030-01-01T07:00:00.000Z');
    await box.s.ok(['whoami'], withKeyAt(key, T0 + 6 * HOUR));
    expect(await lastUsed(T0)).toBe('2030-01-01T07:00:00.000Z');
  });

  test.sequential('within the hour recorded, a read writes nothing at all; it is no event', async () => {
    const before = await storeRows(box.s.db);
    await box.s.ok(['api-keys', 'list', 'org1'], withKeyAt(key, T0 + 7 * HOUR + 59 * 60_000));
    await box.s.ok(['rights', 'org1'], withKeyAt(key, T0 + 7 * HOUR));
    expect(await storeRows(box.s.db)).toEqual(before);
    const events = await box.s.ok(['events', '--organization-id', 'org1'], at(T0));
    expect(events.stdout).not.toContain('last_used');
  });

  test.sequential('a command that fails records nothing: the store stays as it was', async () => {
    const denied = ['collaborators', 'get', 'org1', '--user-id', 'u1'];
    await expectFails(box.s, denied, 4, 'insufficient_rights', withKeyAt(key, T0 + 9 * HOUR));
    expect(await lastUsed(T0)).toBe('2030-01-01T07:00:00.000Z');
  });

  test.sequential(
    'while another writer holds the lock, the command neither waits nor fails; nothing is recorded',
    async () => {
      const release = await holdApiKeys(box.s.db);
      let result;
      const started = performance.now();
      try {
        result = await box.s.run(['api-keys', 'list', 'org1'], withKeyAt(key, T0 + 10 * HOUR));
      } finally {
        await release();
      }
      const took = performance.now() - started;
      expect(result.exitCode, result.stderr).toBe(0);
      expect(result.stderr).toBe('');
      expect(took, 'no wait for the lock (SQLite would wait 5 s, PostgreSQL connect-timeout)').toBeLessThan(2000);
      expect(await lastUsed(T0)).toBe('2030-01-01T07:00:00.000Z');
      // Next time it can, it records.
      await box.s.ok(['whoami'], withKeyAt(key, T0 + 10 * HOUR));
      expect(await lastUsed(T0)).toBe('2030-01-01T10:00:00.000Z');
    },
  );
});
