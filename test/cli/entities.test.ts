/**
 * Applications, gateways and clients (reference/ENTITIES.md), black-box through the built CLI,
 * written once and run for every row of the kind table: flags, IDs, right names and error names
 * all come from the row, so a kind that drifts from the others fails here.
 *
 * Each describe builds one sandbox with the fewest commands and its tests run in order on it;
 * a denied command is checked with expectFails (exact exit code, one stderr line, empty stdout,
 * store unchanged), so it never disturbs the tests after it.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, test } from 'vitest';
import { KINDS } from '../../src/core/kinds.js';
import { as, contactFlags, expectFails, type Result, type Sandbox, shared, withKey } from '../helpers.js';

/** The rights catalogue, the tests' own oracle for the groups. */
const CATALOGUE = readFileSync(resolve(import.meta.dirname, '..', 'fixtures', 'rights.tsv'), 'utf8')
  .split('\n')
  .slice(1)
  .filter((line) => line.trim() !== '')
  .map((line) => {
    const [name, , group] = line.split('\t');
    return { name: name!, group: group! };
  });
const groupRights = (group: string) => CATALOGUE.filter((r) => r.group === group).map((r) => r.name);

/** `RIGHT_APPLICATION_INFO` → `--right-application-info`. */
const flag = (right: string) => `--${right.toLowerCase().replace(/_/g, '-')}`;
const flags = (...rights: string[]) => rights.map(flag);
const sorted = (rights: readonly string[]) => [...rights].sort();
const PUBLIC_FIELDS = ['created_at', 'ids', 'name', 'updated_at'];

describe.concurrent.each(KINDS)('$command', (kind) => {
  const K = kind.command;
  const R = kind.rights;
  const ns = kind.namespace;
  /** IDs of this kind: app-…, gat-…, cli-…. */
  const id = (name: string) => `${kind.name.slice(0, 3)}-${name}`;
  /** Every right of the kind's group, sorted: what the administrator and RIGHT_ALL reach. */
  const GROUP = sorted(groupRights(kind.group));
  /**
   * The seed sentence adapted to the kind: the member holds A and B, the organization A and C,
   * so the member's rights are A. B and C imply nothing and are not the _ALL right.
   */
  const A = R.info;
  const [B, C] = groupRights(kind.group).filter((r) => r !== R.all && r !== A && !r.endsWith('_LINK')) as [
    string,
    string,
  ];
  const other = KINDS.find((k) => k !== kind)!;
  const listed = (result: Result) => sorted(result.json.map((e: any) => e.ids[kind.idKey]));
  const userCollaborator = (userId: string, rights: string[]) => ({ ids: { user_ids: { user_id: userId } }, rights });
  const organizationCollaborator = (organizationId: string, rights: string[]) => ({
    ids: { organization_ids: { organization_id: organizationId } },
    rights,
  });
  const organizationPath = (organizationId: string, member: string[], organization: string[], rights: string[]) => ({
    via: { organization_ids: { organization_id: organizationId } },
    member_rights: member,
    organization_rights: organization,
    rights,
  });
  const createKey = async (s: Sandbox, ...rights: string[]) =>
    (await s.ok(['api-keys', 'create', 'org1', ...flags(...rights)])).json as { id: string; key: string };

  // ---------------------------------------------------------------------------------------------
  describe.sequential('create (who may do what)', () => {
    const w = shared(async (s) => {
      await s.ok(['create', 'org1', '--user-id', 'user1']);
      await s.ok([
        'collaborators',
        'set',
        '--organization-id',
        'org1',
        '--user-id',
        'user2',
        flag(kind.organizationRights.create),
      ]);
      await s.ok([
        'collaborators',
        'set',
        '--organization-id',
        'org1',
        '--user-id',
        'user3',
        '--right-organization-add-as-collaborator',
      ]);
      await s.ok(['create', 'org2', '--user-id', 'user1']);
      await s.ok(['delete', 'org2']);
    });

    test('for oneself (named or not): the caller becomes the collaborator with RIGHT_ALL', async () => {
      const { s } = w;
      const created = await s.ok([K, 'create', id('self'), '--name', 'Mine'], as('user4'));
      expect(created.json).toEqual({
        ids: { [kind.idKey]: id('self') },
        created_at: expect.any(String),
        updated_at: expect.any(String),
        name: 'Mine',
      });
      await s.ok([K, 'create', '--' + kind.idFlag, id('self2'), '--user-id', 'user4'], as('user4'));
      expect((await s.ok([K, 'collaborators', 'list', id('self')])).json).toEqual([
        userCollaborator('user4', ['RIGHT_ALL']),
      ]);
      expect((await s.ok([K, 'collaborators', 'list', id('self2')])).json).toEqual([
        userCollaborator('user4', ['RIGHT_ALL']),
      ]);
    });

    test('for another user is denied', async () => {
      await expectFails(w.s, [K, 'create', id('theirs'), '--user-id', 'user1'], 4, undefined, as('user4'));
    });

    test('the administrator creates for any user, and must name one', async () => {
      const { s } = w;
      await s.ok([K, 'create', id('adm'), '--user-id', 'user5']);
      expect((await s.ok([K, 'collaborators', 'list', id('adm')])).json).toEqual([
        userCollaborator('user5', ['RIGHT_ALL']),
      ]);
      await expectFails(s, [K, 'create', id('adm2')], 2, 'no_collaborator');
    });

    test('a user made --admin creates for any user', async () => {
      const { s } = w;
      await s.ok(['users', 'create', 'boss', '--admin']);
      await s.ok([K, 'create', id('boss'), '--user-id', 'user5'], as('boss'));
      expect((await s.ok([K, 'collaborators', 'list', id('boss')])).json).toEqual([
        userCollaborator('user5', ['RIGHT_ALL']),
      ]);
    });

    test(`for an organization needs ${kind.organizationRights.create} on it, not ADD_AS_COLLABORATOR`, async () => {
      const { s } = w;
      await s.ok([K, 'create', id('org'), '--organization-id', 'org1'], as('user2'));
      expect((await s.ok([K, 'collaborators', 'list', id('org')])).json).toEqual([
        organizationCollaborator('org1', ['RIGHT_ALL']),
      ]);
      await expectFails(s, [K, 'create', id('org2'), '--organization-id', 'org1'], 4, undefined, as('user3'));
      await expectFails(s, [K, 'create', id('org2'), '--organization-id', 'org1'], 4, undefined, as('user4'));
    });

    test('for an organization that does not exist or is deleted: not found', async () => {
      await expectFails(w.s, [K, 'create', id('org3'), '--organization-id', 'nope'], 3, 'organization_not_found');
      await expectFails(w.s, [K, 'create', id('org3'), '--organization-id', 'org2'], 3, 'organization_not_found');
    });

    test('bulk: no ID and JSON documents on stdin, the flags applying to each, each printed once created', async () => {
      const { s } = w;
      const input =
        `{"ids":{"${kind.idKey}":"${id('bulk-1')}"},"name":"B1"}` + `\n{"ids":{"${kind.idKey}":"${id('bulk-2')}"}}\n`;
      const result = await s.ok([K, 'create', '--user-id', 'user5', '--description', 'Bulk'], { input });
      const documents = result.stdout.split(/\n(?=\{)/).map((document) => JSON.parse(document));
      expect(documents).toEqual([
        expect.objectContaining({ ids: { [kind.idKey]: id('bulk-1') }, name: 'B1', description: 'Bulk' }),
        expect.objectContaining({ ids: { [kind.idKey]: id('bulk-2') }, description: 'Bulk' }),
      ]);
      expect((await s.ok([K, 'collaborators', 'list', id('bulk-2')])).json).toEqual([
        userCollaborator('user5', ['RIGHT_ALL']),
      ]);
    });

    test('bulk: a thousand in one batch are all created and found by search', async () => {
      // Past the rows PostgreSQL's store holds back before sending (1,000): none may go before its entity.
      const { s } = w;
      const count = 1000;
      const input = Array.from({ length: count }, (_, i) => `{"ids":{"${kind.idKey}":"${id(`many-${i}`)}"}}\n`);
      const result = await s.ok([K, 'create', '--user-id', 'user5'], { input: input.join('') });
      expect(result.stdout.match(new RegExp(`"${kind.idKey}"`, 'g'))).toHaveLength(count);
      const found = await s.ok([K, 'search', '--id-contains', id(`many-${count - 1}`)]);
      expect(listed(found)).toEqual([id(`many-${count - 1}`)]);
      expect((await s.ok([K, 'collaborators', 'list', id(`many-${count - 1}`)])).json).toEqual([
        userCollaborator('user5', ['RIGHT_ALL']),
      ]);
    });

    test(`no ID and nothing on stdin: no_${kind.name}_id`, async () => {
      await expectFails(w.s, [K, 'create', '--user-id', 'user5'], 2, `no_${kind.name}_id`);
    });

    test('its own namespace: an entity may take the ID of an organization', async () => {
      const created = await w.s.ok([K, 'create', 'org1', '--user-id', 'user1']);
      expect(created.json.ids).toEqual({ [kind.idKey]: 'org1' });
    });

    test('both collaborator flags: invalid argument', async () => {
      await expectFails(w.s, [K, 'create', id('both'), '--user-id', 'user1', '--organization-id', 'org1'], 2);
    });

    test("an organization API key with neither flag: the key's organization is the collaborator", async () => {
      const { s } = w;
      const { key } = await createKey(s, kind.organizationRights.create);
      await s.ok([K, 'create', id('bykey')], withKey(key));
      expect((await s.ok([K, 'collaborators', 'list', id('bykey')])).json).toEqual([
        organizationCollaborator('org1', ['RIGHT_ALL']),
      ]);
    });
  });

  // ---------------------------------------------------------------------------------------------
  describe.sequential('rights through organizations: list, get, rights, --explain', () => {
    const w = shared(async (s) => {
      await s.ok(['create', 'org1', '--user-id', 'user1']);
      await s.ok(['create', 'org2', '--user-id', 'user1']);
      await s.ok(['collaborators', 'set', '--organization-id', 'org1', '--user-id', 'user2', ...flags(A, B)]);
      // A membership naming only organization rights: it reaches nothing on org2's entities.
      await s.ok([
        'collaborators',
        'set',
        '--organization-id',
        'org2',
        '--user-id',
        'user2',
        '--right-organization-info',
      ]);
      await s.ok([
        'collaborators',
        'set',
        '--organization-id',
        'org1',
        '--user-id',
        'user3',
        flag(kind.organizationRights.list),
      ]);
      await s.ok([K, 'create', id('direct'), '--user-id', 'user2']);
      await s.ok([K, 'create', id('viaorg'), '--organization-id', 'org1', '--name', 'N', '--description', 'D']);
      await s.ok([K, 'create', id('empty'), '--organization-id', 'org2', '--name', 'N', '--description', 'D']);
      await s.ok([K, 'create', id('none'), '--user-id', 'user1']);
      await s.ok([K, 'create', id('seed'), '--user-id', 'user1', '--name', 'N', '--description', 'D']);
      await s.ok([K, 'collaborators', 'set', id('seed'), '--organization-id', 'org1', ...flags(A, C)]);
    });
    const ALL_IDS = sorted([id('direct'), id('viaorg'), id('empty'), id('none'), id('seed')]);
    const SEED_EXPLAINED = {
      rights: [A],
      paths: [organizationPath('org1', sorted([A, B]), sorted([A, C]), [A])],
    };

    test('list without flags: the entities with any right, directly or through an organization; not an empty path', async () => {
      const { s } = w;
      expect(listed(await s.ok([K, 'list'], as('user2')))).toEqual(sorted([id('direct'), id('viaorg'), id('seed')]));
      expect(listed(await s.ok([K, 'list'], as('user1')))).toEqual(
        sorted([id('viaorg'), id('empty'), id('none'), id('seed')]),
      );
      expect((await s.ok([K, 'list'], as('user9'))).json).toEqual([]);
    });

    test('list without flags: the administrator (local or --admin) sees all', async () => {
      const { s } = w;
      expect(listed(await s.ok([K, 'list']))).toEqual(ALL_IDS);
      await s.ok(['users', 'create', 'boss', '--admin']);
      expect(listed(await s.ok([K, 'list'], as('boss')))).toEqual(ALL_IDS);
    });

    test('list --user-id: oneself or the administrator; another user is denied', async () => {
      const { s } = w;
      const user2s = sorted([id('direct'), id('viaorg'), id('seed')]);
      expect(listed(await s.ok([K, 'list', '--user-id', 'user2'], as('user2')))).toEqual(user2s);
      expect(listed(await s.ok([K, 'list', '--user-id', 'user2']))).toEqual(user2s);
      await expectFails(s, [K, 'list', '--user-id', 'user2'], 4, undefined, as('user3'));
    });

    test(`list --organization-id: what it collaborates on, with ${kind.organizationRights.list} on it`, async () => {
      const { s } = w;
      const org1s = sorted([id('viaorg'), id('seed')]);
      expect(listed(await s.ok([K, 'list', '--organization-id', 'org1'], as('user3')))).toEqual(org1s);
      expect(listed(await s.ok([K, 'list', '--organization-id', 'org1'], as('user1')))).toEqual(org1s);
      expect(listed(await s.ok([K, 'list', '--organization-id', 'org2']))).toEqual([id('empty')]);
      await expectFails(s, [K, 'list', '--organization-id', 'org1'], 4, undefined, as('user2'));
      await expectFails(s, [K, 'list', '--organization-id', 'nope'], 3, 'organization_not_found');
    });

    test('search looks only among the entities the caller can see', async () => {
      const { s } = w;
      expect(listed(await s.ok([K, 'search', '--id-contains', kind.name.slice(0, 3)], as('user2')))).toEqual(
        sorted([id('direct'), id('viaorg'), id('seed')]),
      );
    });

    test(`get: every field with ${R.info} (here through an organization), else only the public ones`, async () => {
      const { s } = w;
      const full = (await s.ok([K, 'get', id('viaorg'), '--all'], as('user2'))).json;
      expect(full).toMatchObject({ ids: { [kind.idKey]: id('viaorg') }, name: 'N', description: 'D' });
      const publicOnly = (await s.ok([K, 'get', id('empty'), '--all'], as('user2'))).json;
      expect(Object.keys(publicOnly).sort()).toEqual(PUBLIC_FIELDS);
      expect(publicOnly).toMatchObject({ ids: { [kind.idKey]: id('empty') }, name: 'N' });
      const outsider = (await s.ok([K, 'get', id('seed'), '--all'], as('user9'))).json;
      expect(Object.keys(outsider).sort()).toEqual(PUBLIC_FIELDS);
    });

    test("the seed sentence: the intersection of the member's rights in org1 and org1's rights on the entity", async () => {
      const { s } = w;
      expect((await s.ok([K, 'rights', id('seed')], as('user2'))).json).toEqual([A]);
      expect((await s.ok([K, 'rights', id('seed'), '--explain'], as('user2'))).json).toEqual(SEED_EXPLAINED);
    });

    test('--output-format table draws the explanation as a tree', async () => {
      const { s } = w;
      const { stdout } = await s.ok([K, 'rights', id('seed'), '--explain', '--output-format', 'table'], as('user2'));
      expect(stdout).toBe(
        [
          `rights: ${A}`,
          `└─ organization org1: ${A}`,
          `      member rights: ${sorted([A, B]).join(', ')}`,
          `      organization rights: ${sorted([A, C]).join(', ')}`,
          '',
        ].join('\n'),
      );
    });

    test('a path with an empty intersection is listed with "rights": []; organization-only member rights reach nothing', async () => {
      const { s } = w;
      expect((await s.ok([K, 'rights', id('empty')], as('user2'))).json).toEqual([]);
      expect((await s.ok([K, 'rights', id('empty'), '--explain'], as('user2'))).json).toEqual({
        rights: [],
        paths: [organizationPath('org2', [], GROUP, [])],
      });
    });

    test("RIGHT_ALL in the organization (its creator's) reaches everything the organization holds", async () => {
      const { s } = w;
      expect((await s.ok([K, 'rights', id('viaorg')], as('user1'))).json).toEqual(GROUP);
      expect((await s.ok([K, 'rights', id('viaorg'), '--explain'], as('user1'))).json).toEqual({
        rights: GROUP,
        paths: [organizationPath('org1', GROUP, GROUP, GROUP)],
      });
    });

    test(`${R.all} is in the result only when held on both sides of a path`, async () => {
      const { s } = w;
      // The organization holds RIGHT_ALL, the member A and B: no _ALL.
      expect((await s.ok([K, 'rights', id('viaorg')], as('user2'))).json).toEqual(sorted([A, B]));
      // Every single right of the group, but not the _ALL right itself: it is never made up.
      const singles = groupRights(kind.group).filter((r) => r !== R.all);
      await s.ok(['collaborators', 'set', '--organization-id', 'org1', '--user-id', 'user5', ...flags(...singles)]);
      expect((await s.ok([K, 'rights', id('viaorg')], as('user5'))).json).toEqual(sorted(singles));
    });

    test('the administrator (local or a user made --admin) holds every right of the group', async () => {
      const { s } = w;
      const explained = { rights: GROUP, paths: [{ via: 'administrator', rights: GROUP }] };
      expect((await s.ok([K, 'rights', id('seed')])).json).toEqual(GROUP);
      expect((await s.ok([K, 'rights', id('seed'), '--explain'])).json).toEqual(explained);
      expect((await s.ok([K, 'rights', id('seed'), '--explain'], as('boss'))).json).toEqual(explained);
    });

    test("rights of another collaborator: a user's effective rights, an organization's own", async () => {
      const { s } = w;
      expect((await s.ok([K, 'rights', id('seed'), '--user-id', 'user2'])).json).toEqual([A]);
      expect((await s.ok([K, 'rights', id('seed'), '--organization-id', 'org1'])).json).toEqual(sorted([A, C]));
      expect((await s.ok([K, 'rights', id('seed'), '--user-id', 'user2', flag(A)])).stdout).toBe('');
      await expectFails(s, [K, 'rights', id('seed'), '--user-id', 'user2', flag(B)], 4, 'insufficient_rights');
      await expectFails(s, [K, 'rights', id('seed'), '--user-id', 'user1'], 4, undefined, as('user2'));
    });

    test('an API key of the organization: its rights ∩ the organization’s rights on the entity', async () => {
      const { s } = w;
      const { id: keyId, key } = await createKey(s, A, B);
      expect((await s.ok([K, 'rights', id('seed')], withKey(key))).json).toEqual([A]);
      expect((await s.ok([K, 'rights', id('seed'), '--explain'], withKey(key))).json).toEqual({
        rights: [A],
        paths: [
          { via: { api_key_id: keyId }, key_rights: sorted([A, B]), organization_rights: sorted([A, C]), rights: [A] },
        ],
      });
      expect((await s.ok([K, 'rights', id('viaorg')], withKey(key))).json).toEqual(sorted([A, B]));
      expect(listed(await s.ok([K, 'list'], withKey(key)))).toEqual(sorted([id('viaorg'), id('seed')]));
    });

    test('an API key holding RIGHT_ORGANIZATION_ALL reaches nothing of the entity', async () => {
      const { s } = w;
      const { id: keyId, key } = await createKey(s, 'RIGHT_ORGANIZATION_ALL');
      expect((await s.ok([K, 'rights', id('viaorg')], withKey(key))).json).toEqual([]);
      expect((await s.ok([K, 'rights', id('seed'), '--explain'], withKey(key))).json).toEqual({
        rights: [],
        paths: [{ via: { api_key_id: keyId }, key_rights: [], organization_rights: sorted([A, C]), rights: [] }],
      });
      expect((await s.ok([K, 'list'], withKey(key))).json).toEqual([]);
      const got = (await s.ok([K, 'get', id('seed'), '--all'], withKey(key))).json;
      expect(Object.keys(got).sort()).toEqual(PUBLIC_FIELDS);
    });

    test("a user's rights are the union of the direct path and each organization's", async () => {
      const { s } = w;
      await s.ok([K, 'collaborators', 'set', id('seed'), '--user-id', 'user2', flag(R.delete)]);
      expect((await s.ok([K, 'rights', id('seed')], as('user2'))).json).toEqual(sorted([A, R.delete]));
      expect((await s.ok([K, 'rights', id('seed'), '--explain'], as('user2'))).json).toEqual({
        rights: sorted([A, R.delete]),
        paths: [{ via: 'direct', rights: [R.delete] }, ...SEED_EXPLAINED.paths],
      });
    });

    test('a deleted organization grants nothing, its collaborations stay; restore brings them back', async () => {
      const { s } = w;
      await s.ok(['delete', 'org1']);
      expect((await s.ok([K, 'rights', id('seed')], as('user2'))).json).toEqual([R.delete]);
      expect((await s.ok([K, 'rights', id('viaorg')], as('user2'))).json).toEqual([]);
      expect(listed(await s.ok([K, 'list'], as('user2')))).toEqual(sorted([id('direct'), id('seed')]));
      expect((await s.ok([K, 'collaborators', 'list', id('seed')])).json).toContainEqual(
        organizationCollaborator('org1', sorted([A, C])),
      );
      await s.ok(['restore', 'org1']);
      expect((await s.ok([K, 'rights', id('seed')], as('user2'))).json).toEqual(sorted([A, R.delete]));
    });

    test('purging the organization removes its collaborations', async () => {
      const { s } = w;
      // org1 is the only holder of viaorg's _ALL right, and its contact (made for it): purging it
      // needs another holder, and another contact, first.
      await s.ok([K, 'collaborators', 'set', id('viaorg'), '--user-id', 'user1', flag(R.all)]);
      await expectFails(s, ['purge', 'org1', '--force'], 5, 'collaborator_is_contact');
      await s.ok([K, 'set', id('viaorg'), ...contactFlags('user1')]);
      await s.ok(['purge', 'org1', '--force']);
      expect((await s.ok([K, 'collaborators', 'list', id('seed')])).json).toEqual([
        userCollaborator('user1', ['RIGHT_ALL']),
        userCollaborator('user2', [R.delete]),
      ]);
      expect((await s.ok([K, 'rights', id('seed')], as('user2'))).json).toEqual([R.delete]);
    });

    test('deleting a user removes their collaborations', async () => {
      const { s } = w;
      // user2 is the only holder of direct's _ALL right, and its contact: deleting user2 needs
      // another holder, and another contact, first.
      await s.ok([K, 'collaborators', 'set', id('direct'), '--user-id', 'user1', flag(R.all)]);
      await expectFails(s, ['users', 'delete', 'user2'], 5, 'collaborator_is_contact');
      await s.ok([K, 'set', id('direct'), ...contactFlags('user1')]);
      await s.ok(['users', 'delete', 'user2']);
      expect((await s.ok([K, 'collaborators', 'list', id('seed')])).json).toEqual([
        userCollaborator('user1', ['RIGHT_ALL']),
      ]);
    });
  });

  // ---------------------------------------------------------------------------------------------
  describe.sequential('operations (who may do what)', () => {
    const w = shared(async (s) => {
      await s.ok(['create', 'org1', '--user-id', 'user1']);
      await s.ok([K, 'create', id('e1'), '--user-id', 'user1', '--name', 'N', '--description', 'D']);
      // user3 holds a right, just never the one an operation needs.
      await s.ok([K, 'collaborators', 'set', id('e1'), '--user-id', 'user3', flag(A)]);
    });
    const e1 = id('e1');
    const grant = (s: Sandbox, entity: string, userId: string, ...rights: string[]) =>
      s.ok([K, 'collaborators', 'set', entity, '--user-id', userId, ...flags(...rights)]);

    test(`get with ${R.info}: every field; without any right: the public fields only`, async () => {
      const { s } = w;
      expect((await s.ok([K, 'get', e1, '--all'], as('user3'))).json).toMatchObject({ name: 'N', description: 'D' });
      const outsider = (await s.ok([K, 'get', e1, '--all'], as('user4'))).json;
      expect(outsider).toEqual({
        ids: { [kind.idKey]: e1 },
        created_at: expect.any(String),
        updated_at: expect.any(String),
        name: 'N',
      });
    });

    test(`get of an entity that does not exist: ${kind.name}_not_found`, async () => {
      const result = await expectFails(w.s, [K, 'get', id('nope')], 3, `${kind.name}_not_found`);
      expect(result.stderr).toMatch(new RegExp(`^error:${ns}:`));
    });

    test(`set needs ${R.settingsBasic}`, async () => {
      const { s } = w;
      await grant(s, e1, 'user2', R.settingsBasic);
      await expectFails(s, [K, 'set', e1, '--name', 'X'], 4, undefined, as('user3'));
      expect((await s.ok([K, 'set', e1, '--name', 'New'], as('user2'))).json).toMatchObject({ name: 'New' });
    });

    test(`delete and restore need ${R.delete}; restore only within the restore window`, async () => {
      const { s } = w;
      const del = id('del');
      await s.ok([K, 'create', del, '--user-id', 'user1']);
      await grant(s, del, 'user2', R.delete);
      await grant(s, del, 'user3', A);
      await expectFails(s, [K, 'delete', del], 4, undefined, as('user3'));
      await s.ok([K, 'delete', del], as('user2'));
      await expectFails(s, [K, 'get', del], 3, `${kind.name}_not_found`);
      await expectFails(s, [K, 'restore', del], 4, undefined, as('user3'));
      await s.ok([K, 'restore', del], as('user2'));
      await s.ok([K, 'get', del]);
      await s.ok(['config', 'set', 'restore-window', '0s']);
      await s.ok([K, 'delete', del], as('user2'));
      await expectFails(s, [K, 'restore', del], 5, 'restore_window_expired', as('user2'));
      await s.ok(['config', 'unset', 'restore-window']);
    });

    test('purge is for the administrator: others fail before any prompt; with no terminal, --force', async () => {
      const { s } = w;
      const pur = id('pur');
      await s.ok([K, 'create', pur, '--user-id', 'user1']);
      await expectFails(s, [K, 'purge', pur], 4, undefined, as('user1'));
      await expectFails(s, [K, 'purge', pur, '--force'], 4, undefined, as('user1'));
      await expectFails(s, [K, 'purge', pur], 5, 'no_confirmation');
      // A deleted entity's ID stays reserved until it is purged.
      await s.ok([K, 'delete', pur]);
      await expectFails(s, [K, 'create', pur, '--user-id', 'user1'], 5);
      await s.ok([K, 'purge', pur, '--force']);
      await expectFails(s, [K, 'get', pur], 3, `${kind.name}_not_found`);
      await s.ok([K, 'create', pur, '--user-id', 'user1']);
    });

    test(`collaborators list and get need ${R.settingsCollaborators}`, async () => {
      const { s } = w;
      await grant(s, e1, 'user2', R.settingsCollaborators);
      const list = (await s.ok([K, 'collaborators', 'list', e1], as('user2'))).json;
      expect(list).toContainEqual(userCollaborator('user1', ['RIGHT_ALL']));
      expect(list).toContainEqual(userCollaborator('user2', [R.settingsCollaborators]));
      expect((await s.ok([K, 'collaborators', 'get', e1, '--user-id', 'user1'], as('user2'))).json).toEqual(
        userCollaborator('user1', ['RIGHT_ALL']),
      );
      await expectFails(s, [K, 'collaborators', 'list', e1], 4, undefined, as('user3'));
      await expectFails(s, [K, 'collaborators', 'get', e1, '--user-id', 'user1'], 4, undefined, as('user3'));
    });

    test(`collaborators set and delete need ${R.settingsCollaborators} and every right added or removed`, async () => {
      const { s } = w;
      await grant(s, e1, 'user2', R.settingsCollaborators, A);
      await expectFails(s, [K, 'collaborators', 'set', e1, '--user-id', 'user5', flag(A)], 4, undefined, as('user3'));
      await s.ok([K, 'collaborators', 'set', e1, '--user-id', 'user5', flag(A)], as('user2'));
      // Adding a right not held.
      await expectFails(
        s,
        [K, 'collaborators', 'set', e1, '--user-id', 'user5', ...flags(A, R.delete)],
        4,
        undefined,
        as('user2'),
      );
      // Removing a right not held.
      await grant(s, e1, 'user5', A, R.delete);
      await expectFails(s, [K, 'collaborators', 'set', e1, '--user-id', 'user5', flag(A)], 4, undefined, as('user2'));
      await expectFails(s, [K, 'collaborators', 'delete', e1, '--user-id', 'user5'], 4, undefined, as('user2'));
      await grant(s, e1, 'user5', A);
      await expectFails(s, [K, 'collaborators', 'delete', e1, '--user-id', 'user5'], 4, undefined, as('user3'));
      await s.ok([K, 'collaborators', 'delete', e1, '--user-id', 'user5'], as('user2'));
      expect((await s.ok([K, 'collaborators', 'list', e1])).json).not.toContainEqual(
        expect.objectContaining({ ids: { user_ids: { user_id: 'user5' } } }),
      );
    });

    test('collaborators set needs at least one right', async () => {
      await expectFails(w.s, [K, 'collaborators', 'set', e1, '--user-id', 'user5'], 2);
    });

    test('adding an organization also needs RIGHT_ORGANIZATION_ADD_AS_COLLABORATOR on it', async () => {
      const { s } = w;
      await grant(s, e1, 'user2', R.settingsCollaborators, A);
      const add = [K, 'collaborators', 'set', e1, '--organization-id', 'org1', flag(A)];
      await expectFails(s, add, 4, undefined, as('user2'));
      await s.ok([
        'collaborators',
        'set',
        '--organization-id',
        'org1',
        '--user-id',
        'user2',
        '--right-organization-info',
      ]);
      await expectFails(s, add, 4, undefined, as('user2'));
      await s.ok([
        'collaborators',
        'set',
        '--organization-id',
        'org1',
        '--user-id',
        'user2',
        '--right-organization-add-as-collaborator',
      ]);
      await s.ok(add, as('user2'));
      expect((await s.ok([K, 'collaborators', 'get', e1, '--organization-id', 'org1'])).json).toEqual(
        organizationCollaborator('org1', [A]),
      );
      expect((await s.ok([K, 'collaborators', 'list', e1])).json).toContainEqual(organizationCollaborator('org1', [A]));
    });

    test('the organization added must exist and not be deleted: not found', async () => {
      const { s } = w;
      await s.ok(['create', 'org9', '--user-id', 'user1']);
      await s.ok(['delete', 'org9']);
      await expectFails(
        s,
        [K, 'collaborators', 'set', e1, '--organization-id', 'nope', flag(A)],
        3,
        'organization_not_found',
      );
      await expectFails(
        s,
        [K, 'collaborators', 'set', e1, '--organization-id', 'org9', flag(A)],
        3,
        'organization_not_found',
      );
    });

    test(`the last collaborator with ${R.all} (the creator's RIGHT_ALL) cannot go: ${kind.name}_needs_collaborator`, async () => {
      const { s } = w;
      const own = id('own');
      await s.ok([K, 'create', own, '--user-id', 'user1']);
      const needs = `${kind.name}_needs_collaborator`;
      await expectFails(s, [K, 'collaborators', 'delete', own, '--user-id', 'user1'], 5, needs, as('user1'));
      await expectFails(s, [K, 'collaborators', 'set', own, '--user-id', 'user1', flag(A)], 5, needs, as('user1'));
      await expectFails(s, [K, 'collaborators', 'delete', own, '--user-id', 'user1'], 5, needs);
    });

    test(`once another holds ${R.all}, the creator may step down; then the other is the last`, async () => {
      const { s } = w;
      const own = id('own2');
      await s.ok([K, 'create', own, '--user-id', 'user1']);
      await s.ok([K, 'collaborators', 'set', own, '--user-id', 'user6', flag(R.all)], as('user1'));
      await s.ok([K, 'collaborators', 'set', own, '--user-id', 'user1', flag(A)], as('user1'));
      expect((await s.ok([K, 'collaborators', 'list', own])).json).toEqual([
        userCollaborator('user1', [A]),
        userCollaborator('user6', [R.all]),
      ]);
      const needs = `${kind.name}_needs_collaborator`;
      await expectFails(s, [K, 'collaborators', 'delete', own, '--user-id', 'user6'], 5, needs, as('user6'));
    });

    test('one level only: an organization is never named where a user is (nested_organizations)', async () => {
      const { s } = w;
      await expectFails(s, [K, 'collaborators', 'set', e1, '--user-id', 'org1', flag(A)], 2, 'nested_organizations');
      await expectFails(s, [K, 'rights', e1, '--user-id', 'org1'], 2, 'nested_organizations');
      await expectFails(s, [K, 'create', id('nest'), '--user-id', 'org1'], 2, 'nested_organizations');
    });

    test('rights of the caller need nothing: no rights is []', async () => {
      const { s } = w;
      expect((await s.ok([K, 'rights', e1], as('user4'))).json).toEqual([]);
      expect((await s.ok([K, 'rights', e1], as('user3'))).json).toEqual([A]);
      expect((await s.ok([K, 'rights', e1], as('user1'))).json).toEqual(GROUP);
    });

    test(`rights of another collaborator need ${R.settingsCollaborators} or the administrator`, async () => {
      const { s } = w;
      await grant(s, e1, 'user2', R.settingsCollaborators);
      expect((await s.ok([K, 'rights', e1, '--user-id', 'user3'], as('user2'))).json).toEqual([A]);
      expect((await s.ok([K, 'rights', e1, '--user-id', 'user3'])).json).toEqual([A]);
      await expectFails(s, [K, 'rights', e1, '--user-id', 'user1'], 4, undefined, as('user3'));
      await expectFails(s, [K, 'rights', e1, '--organization-id', 'org1'], 4, undefined, as('user3'));
    });

    test('check mode: exit 0 silently when every right is held, else exit 4 naming the missing ones', async () => {
      const { s } = w;
      const held = await s.ok([K, 'rights', e1, flag(A)], as('user3'));
      expect([held.stdout, held.stderr]).toEqual(['', '']);
      const failed = await expectFails(
        s,
        [K, 'rights', e1, ...flags(A, R.settingsBasic, R.delete)],
        4,
        'insufficient_rights',
        as('user3'),
      );
      expect(failed.stderr).toBe(
        `error:${ns}:insufficient_rights (missing ${sorted([R.settingsBasic, R.delete]).join(', ')})\n`,
      );
      expect((await s.ok([K, 'rights', e1, '--user-id', 'user3', flag(A)])).stdout).toBe('');
      await expectFails(s, [K, 'rights', e1, '--user-id', 'user3', flag(R.delete)], 4, 'insufficient_rights');
    });

    test('a collaborator is named by exactly one of --user-id and --organization-id', async () => {
      const { s } = w;
      await expectFails(s, [K, 'collaborators', 'get', e1], 2, 'no_collaborator');
      await expectFails(s, [K, 'collaborators', 'set', e1, flag(A)], 2, 'no_collaborator');
      await expectFails(s, [K, 'collaborators', 'delete', e1], 2, 'no_collaborator');
      const both = ['--user-id', 'user3', '--organization-id', 'org1'];
      await expectFails(s, [K, 'collaborators', 'get', e1, ...both], 2);
      await expectFails(s, [K, 'collaborators', 'set', e1, ...both, flag(A)], 2);
      await expectFails(s, [K, 'collaborators', 'delete', e1, ...both], 2);
      await expectFails(s, [K, 'rights', e1, ...both], 2);
    });

    test("only the kind's own --right-* flags exist on its commands", async () => {
      const { s } = w;
      for (const foreign of [other.rights.info, 'RIGHT_ORGANIZATION_INFO']) {
        await expectFails(s, [K, 'collaborators', 'set', e1, '--user-id', 'user3', flag(foreign)], 2, 'unknown_option');
        await expectFails(s, [K, 'rights', e1, flag(foreign)], 2, 'unknown_option');
      }
    });

    test('every alias of the command group is the group', async () => {
      const { s } = w;
      const expected = (await s.ok([K, 'get', e1])).stdout;
      for (const alias of kind.aliases) expect((await s.ok([alias, 'get', e1])).stdout).toBe(expected);
    });
  });
});
