/**
 * The core notices every conflict before the store does: a UNIQUE, FOREIGN KEY, NOT NULL or CHECK
 * constraint of the schema is never the first to refuse a write (that is "this is a bug", exit 1,
 * a bulk batch lost, and on PostgreSQL a unique violation retried as if it were a race until
 * connect-timeout). Run on both stores; connect-timeout is set far beyond the test's timeout, so a
 * retried violation fails the test instead of passing late.
 */
import { describe, expect, test } from 'vitest';
import { KINDS } from '../../src/core/kinds.js';
import { expectFails, storeQuery, type Result, shared } from '../helpers.js';

const w = shared(async (s) => {
  await s.ok(['config', 'set', 'connect-timeout', '10m']);
  await s.ok(['create', 'org1', '--user-id', 'user1']);
});

/** The IDs of the JSON documents on a bulk create's stdout. */
const createdIds = (result: Result, idKey: string) =>
  result.stdout
    .split(/\n(?=\{)/)
    .filter((part) => part.trim() !== '')
    .map((part) => JSON.parse(part).ids[idKey] as string);

const accounts = () => storeQuery(w.s.db, 'SELECT id FROM accounts ORDER BY id');

describe('an organization ID equal to its new collaborator user ID', () => {
  test('orgs create zed1 --user-id zed1 is id_taken (exit 5), nothing stored', async () => {
    const result = await expectFails(w.s, ['create', 'zed1', '--user-id', 'zed1'], 5, 'id_taken');
    expect(result.stderr).toContain('zed1');
  });

  test('the same as the caller: ORGS_USER_ID=zed0 orgs create zed0 is id_taken', async () => {
    // The caller registers itself first, so the ID is a user's by the time the organization is checked.
    const result = await w.s.run(['create', 'zed0'], { env: { ORGS_USER_ID: 'zed0' } });
    expect(result.exitCode, result.stderr).toBe(5);
    expect(result.stderr).toMatch(/^error:organizations:id_taken \(/);
  });

  test('in bulk mode only that document fails; the others of its batch land', async () => {
    const input = ['zed2', 'bulk-a', 'bulk-b'].map((id) => JSON.stringify({ ids: { organization_id: id } })).join('\n');
    const result = await w.s.run(['create', '--user-id', 'zed2'], { input });
    expect(result.exitCode, result.stderr).toBe(5);
    expect(createdIds(result, 'organization_id')).toEqual(['bulk-a', 'bulk-b']);
    const lines = result.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^error:organizations:id_taken \(item 1 \(line 1\), zed2: /);
    expect(lines[1]).toMatch(/^error:bulk:items_failed \(1 of 3 organizations failed, 2 created\)$/);
    expect(await accounts()).toEqual(['bulk-a', 'bulk-b', 'org1', 'user1', 'zed2']);
    expect(await storeQuery(w.s.db, "SELECT kind FROM accounts WHERE id = 'zed2'")).toEqual(['user']);
  });

  test('a document repeating an ID earlier in its batch is id_taken; the rest land', async () => {
    const input = ['dup-1', 'dup-1', 'dup-2'].map((id) => JSON.stringify({ ids: { organization_id: id } })).join('');
    const result = await w.s.run(['create', '--user-id', 'user1'], { input });
    expect(result.exitCode, result.stderr).toBe(5);
    expect(createdIds(result, 'organization_id')).toEqual(['dup-1', 'dup-2']);
    expect(result.stderr).toMatch(/^error:organizations:id_taken \(item 2 /);
  });
});

describe.each(KINDS)('$command: IDs of their own namespace', (kind) => {
  const entity = `${kind.name.slice(0, 3)}-zed`;

  test('an entity may share its ID with its collaborator user or organization (no collision)', async () => {
    await w.s.ok([kind.command, 'create', entity, '--user-id', entity]);
    await w.s.ok([kind.command, 'create', 'org1', '--organization-id', 'org1']);
    expect(await storeQuery(w.s.db, `SELECT kind FROM accounts WHERE id = '${entity}'`)).toEqual(['user']);
  });

  test('bulk: a repeated ID in one batch is id_taken for that document; the others land', async () => {
    const ids = [`${entity}-1`, `${entity}-1`, `${entity}-2`];
    const input = ids.map((id) => JSON.stringify({ ids: { [kind.idKey]: id } })).join('\n');
    const result = await w.s.run([kind.command, 'create', '--user-id', 'user1'], { input });
    expect(result.exitCode, result.stderr).toBe(5);
    expect(createdIds(result, kind.idKey)).toEqual([`${entity}-1`, `${entity}-2`]);
    expect(result.stderr).toMatch(new RegExp(`^error:${kind.namespace}:id_taken \\(item 2 `));
  });

  test('collaborators set naming the entity twice, as user and as organization, never reaches the store', async () => {
    await expectFails(
      w.s,
      [kind.command, 'collaborators', 'set', entity, '--user-id', 'org1', `--right-${kind.name}-info`],
      2,
      'nested_organizations',
    );
    await expectFails(
      w.s,
      [kind.command, 'collaborators', 'set', entity, '--organization-id', 'user1', `--right-${kind.name}-info`],
      3,
      'organization_not_found',
    );
  });
});
