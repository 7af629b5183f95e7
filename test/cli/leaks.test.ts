/**
 * What a hostile member could get or do beyond their rights, through the built CLI: listings and
 * searches showing or matching fields they may not read, API keys managed by someone holding less
 * than the key, and purge asking a question before saying who may purge what.
 */
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { as, expectFails, sandbox, type Sandbox } from '../helpers.js';

let s: Sandbox;
beforeEach(() => {
  s = sandbox();
});
afterEach(() => s.cleanup());

const ids = (items: Array<{ ids: { organization_id: string } }>) => items.map((o) => o.ids.organization_id);

describe('list and search show and match only what the caller may read, per organization', () => {
  beforeEach(async () => {
    for (const id of ['closed', 'open']) {
      await s.ok([
        'create',
        id,
        '--user-id',
        'owner',
        '--name',
        `Name ${id}`,
        '--description',
        `secret plan of ${id}`,
        '--attributes',
        'team=radio',
        '--fanout-notifications',
      ]);
    }
    // mallory may add herself as a collaborator elsewhere through `closed`, but not read it; she reads `open`.
    await s.ok([
      'collaborators',
      'set',
      '--organization-id',
      'closed',
      '--user-id',
      'mallory',
      '--right-organization-add-as-collaborator',
    ]);
    await s.ok([
      'collaborators',
      'set',
      '--organization-id',
      'open',
      '--user-id',
      'mallory',
      '--right-organization-info',
    ]);
  });

  test('list --all: the public fields of an organization the member cannot read, everything of the other; as get shows', async () => {
    const listed = (await s.ok(['list', '--all'], as('mallory'))).json;
    const got = await Promise.all(
      ['closed', 'open'].map(async (id) => (await s.ok(['get', id, '--all'], as('mallory'))).json),
    );
    expect(listed).toEqual(got);
    expect(Object.keys(listed[0]).sort()).toEqual(['created_at', 'ids', 'name', 'updated_at']);
    expect(listed[1]).toMatchObject({
      description: 'secret plan of open',
      attributes: { team: 'radio' },
      fanout_notifications: true,
    });
    // The same through search, and for a deleted organization (a member without INFO does not see deleted_at).
    expect((await s.ok(['search', '--id-contains', 'o', '--all'], as('mallory'))).json).toEqual(got);
    await s.ok(['delete', 'closed']);
    const deleted = (await s.ok(['list', '--deleted', '--all'], as('mallory'))).json;
    expect(deleted).toHaveLength(1);
    expect(Object.keys(deleted[0]).sort()).toEqual(['created_at', 'ids', 'name', 'updated_at']);
  });

  test('search matches the description and attributes only where the member may read them; the ID and name always', async () => {
    const found = async (...args: string[]) => ids((await s.ok(['search', ...args], as('mallory'))).json);
    for (const text of ['secret', 'se', 'of closed', 'plan']) {
      expect(await found('--description-contains', text), text).toEqual(text === 'of closed' ? [] : ['open']);
    }
    expect(await found('--query', 'secret plan')).toEqual(['open']);
    expect(await found('--query', 'closed')).toEqual(['closed']); // the ID
    expect(await found('--query', 'Name c')).toEqual(['closed']); // the name
    expect(await found('--query', 'of closed')).toEqual([]); // only in the description
    expect(await found('--attributes-contain', 'team=radio')).toEqual(['open']);
    expect(await found('--attributes-contain', 'team=r')).toEqual(['open']);
    // The owner and the administrator read both.
    expect(ids((await s.ok(['search', '--description-contains', 'secret'], as('owner'))).json)).toEqual([
      'closed',
      'open',
    ]);
    expect(ids((await s.ok(['search', '--attributes-contain', 'team=ra'])).json)).toEqual(['closed', 'open']);
  });

  test('every right that implies RIGHT_ORGANIZATION_INFO lets a member read; others do not', async () => {
    for (const [flags, readable] of [
      [['--right-organization-info'], true],
      [['--right-organization-all'], true],
      [
        ['--right-organization-settings-basic', '--right-organization-settings-members', '--right-organization-delete'],
        false,
      ],
    ] as Array<[string[], boolean]>) {
      await s.ok(['collaborators', 'set', '--organization-id', 'closed', '--user-id', 'mallory', ...flags]);
      const [closed] = (await s.ok(['search', '--query', 'secret', '--id-contains', 'closed', '--all'], as('mallory')))
        .json;
      expect(closed?.description, flags.join(' ')).toBe(readable ? 'secret plan of closed' : undefined);
    }
    // RIGHT_ALL, which the user an organization is created for holds.
    await s.ok(['create', 'mine', '--user-id', 'mallory', '--description', 'secret of mine']);
    const [mine] = (await s.ok(['search', '--query', 'secret of', '--all'], as('mallory'))).json;
    expect(mine).toMatchObject({ ids: { organization_id: 'mine' }, description: 'secret of mine' });
  });
});

describe('changing or deleting an API key needs holding every right the key holds', () => {
  let strong: string;
  let weak: string;
  beforeEach(async () => {
    await s.ok(['create', 'org1', '--user-id', 'owner']);
    strong = (await s.ok(['api-keys', 'create', 'org1', '--right-organization-all'])).json.id;
    weak = (await s.ok(['api-keys', 'create', 'org1', '--right-organization-settings-api-keys'])).json.id;
    await s.ok([
      'collaborators',
      'set',
      '--organization-id',
      'org1',
      '--user-id',
      'keeper',
      '--right-organization-settings-api-keys',
    ]);
  });

  test('a keeper of keys cannot shorten, re-right or delete a key that can do more (renaming it is allowed, as in The Things Stack)', async () => {
    for (const args of [
      ['api-keys', 'set', 'org1', strong, '--api-key-expiry', '2030-01-01T00:00:00Z'],
      ['api-keys', 'set', 'org1', strong, '--right-organization-settings-api-keys'],
      ['api-keys', 'delete', 'org1', strong],
      ['api-keys', 'delete', 'org1', strong, '--force'],
    ]) {
      await expectFails(s, args, 4, 'insufficient_rights', as('keeper'));
    }
    // Seeing and renaming it are still allowed (RULES.md: a name is neither a right nor an expiry),
    // and a key within the keeper's rights is theirs to manage.
    await s.ok(['api-keys', 'set', 'org1', strong, '--name', 'renamed'], as('keeper'));
    const seen = (await s.ok(['api-keys', 'get', 'org1', strong], as('keeper'))).json;
    expect([seen.name, seen.rights]).toEqual(['renamed', ['RIGHT_ORGANIZATION_ALL']]);
    await s.ok(['api-keys', 'set', 'org1', weak, '--api-key-expiry', '2030-01-01T00:00:00Z'], as('keeper'));
    await s.ok(['api-keys', 'delete', 'org1', weak], as('keeper'));
  });

  test('the key orgs login uses: a caller who may not delete it is told so, not asked', async () => {
    const key = (await s.ok(['api-keys', 'create', 'org1', '--right-organization-all'])).json;
    await s.ok(['login', '--api-key', key.key]);
    // ORGS_USER_ID overrides the login; without a terminal a question would be no_confirmation (exit 5).
    await expectFails(s, ['api-keys', 'delete', 'org1', key.id], 4, 'insufficient_rights', as('keeper'));
    await expectFails(s, ['api-keys', 'delete', 'org1', key.id], 5, 'no_confirmation', as('owner'));
  });
});

describe('purge says who may purge what before it asks', () => {
  beforeEach(async () => {
    await s.ok(['create', 'org1', '--user-id', 'owner']);
  });

  test('a user who is not an administrator is refused, with or without --force', async () => {
    for (const args of [
      ['purge', 'org1'],
      ['purge', 'org1', '--force'],
      ['hard-delete', 'nosuch'],
    ]) {
      await expectFails(s, args, 4, 'purge_needs_admin', as('owner'));
    }
  });

  test('an organization that does not exist is not found, before any question', async () => {
    await expectFails(s, ['purge', 'nosuch'], 3, 'organization_not_found');
    await expectFails(s, ['purge', 'nosuch'], 3, 'organization_not_found', { input: 'y\n' });
  });

  test('the administrator purging an existing organization is still asked (no terminal: exit 5)', async () => {
    await expectFails(s, ['purge', 'org1'], 5, 'no_confirmation');
    await s.ok(['purge', 'org1', '--force']);
    expect((await s.ok(['list'])).json).toEqual([]);
  });
});
