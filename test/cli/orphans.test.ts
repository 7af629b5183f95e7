/**
 * No record is left without someone to manage it, by any path that removes a holder: every
 * application, gateway and client keeps a collaborator holding its kind's _ALL right, a user or an
 * organization that is not deleted, and every organization an owner (RIGHT_ORGANIZATION_ALL).
 * `users delete`, `purge` of an organization and dropping one's own _ALL right are refused with
 * the record kind's `…_needs_collaborator` (exit 5), naming the records, and change nothing (and
 * so is removing a contact: test/cli/contacts.test.ts).
 * Deleting an organization stays allowed (it can be restored); purging it is not while it is the
 * last holder. Written once for every kind of src/core/kinds.ts.
 */
import { describe, expect, test } from 'vitest';
import { KINDS } from '../../src/core/kinds.js';
import { contactFlags, expectFails, shared } from '../helpers.js';

const flag = (right: string) => `--${right.toLowerCase().replace(/_/g, '-')}`;

describe.each(KINDS)('$command', (kind) => {
  const K = kind.command;
  const needs = `${kind.name}_needs_collaborator`;
  const id = (name: string) => `${kind.name.slice(0, 3)}-${name}`;
  const as = (userId: string) => ({ env: { ORGS_USER_ID: userId } });
  const collaborators = async (entity: string) =>
    (await w.s.ok([K, 'collaborators', 'list', entity])).json.map((c: any) => [
      c.ids.user_ids?.user_id ?? c.ids.organization_ids.organization_id,
      c.rights,
    ]);

  const w = shared(async (s) => {
    await s.ok(['create', 'org1', '--user-id', 'user1']);
    // Held by org1 alone, by alice alone, and by alice and org1.
    await s.ok([K, 'create', id('by-org'), '--organization-id', 'org1']);
    await s.ok([K, 'create', id('by-alice'), '--user-id', 'alice']);
    await s.ok([K, 'create', id('shared'), '--user-id', 'alice']);
    await s.ok([K, 'collaborators', 'set', id('shared'), '--organization-id', 'org1', flag(kind.rights.all)]);
  });

  describe.sequential('users delete', () => {
    test(`of an entity's only holder: ${kind.name}_needs_collaborator (exit 5), naming it`, async () => {
      const result = await expectFails(w.s, ['users', 'delete', 'alice'], 5, needs);
      expect(result.stderr).toContain(`${kind.name} ${id('by-alice')} needs a collaborator with ${kind.rights.all}`);
      // app-shared keeps org1: it is not named.
      expect(result.stderr).not.toContain(id('shared'));
    });

    test('of the only holder of a deleted entity too (it can be restored)', async () => {
      await w.s.ok([K, 'create', id('gone'), '--user-id', 'dora']);
      await w.s.ok([K, 'delete', id('gone')]);
      const result = await expectFails(w.s, ['users', 'delete', 'dora'], 5, needs);
      expect(result.stderr).toContain(`${kind.name} ${id('gone')}`);
    });

    test("of an organization's only owner that is also an entity's only holder: both are named", async () => {
      await w.s.ok(['create', `${id('org')}`, '--user-id', 'bob']);
      await w.s.ok([K, 'create', id('by-bob'), '--user-id', 'bob']);
      const result = await expectFails(w.s, ['users', 'delete', 'bob'], 5, 'organization_needs_collaborator');
      expect(result.stderr).toContain(`organization ${id('org')} needs a collaborator with RIGHT_ORGANIZATION_ALL`);
      expect(result.stderr).toContain(`${kind.name} ${id('by-bob')} needs a collaborator with ${kind.rights.all}`);
    });

    test('of a holder that is not the last: done, and the entity keeps its other holder', async () => {
      await w.s.ok([K, 'create', id('two'), '--user-id', 'carol']);
      await w.s.ok([K, 'collaborators', 'set', id('two'), '--user-id', 'dave', flag(kind.rights.all)]);
      // carol is its contact too, until dave is.
      await expectFails(w.s, ['users', 'delete', 'carol'], 5, 'collaborator_is_contact');
      await w.s.ok([K, 'set', id('two'), ...contactFlags('dave')]);
      await w.s.ok(['users', 'delete', 'carol']);
      expect(await collaborators(id('two'))).toEqual([['dave', [kind.rights.all]]]);
    });
  });

  describe.sequential('an organization that is the last holder', () => {
    test(`purge: ${kind.name}_needs_collaborator (exit 5), naming the entity`, async () => {
      const result = await expectFails(w.s, ['purge', 'org1', '--force'], 5, needs);
      expect(result.stderr).toContain(`${kind.name} ${id('by-org')} needs a collaborator with ${kind.rights.all}`);
      expect(result.stderr).not.toContain(id('shared'));
    });

    test('delete stays allowed; purge is still refused while it is deleted', async () => {
      await w.s.ok(['delete', 'org1']);
      await expectFails(w.s, ['purge', 'org1', '--force'], 5, needs);
    });

    test('while org1 is deleted, alice may not drop her own _ALL right where org1 is the only other holder', async () => {
      const info = flag(kind.rights.info);
      await expectFails(
        w.s,
        [K, 'collaborators', 'set', id('shared'), '--user-id', 'alice', info],
        5,
        needs,
        as('alice'),
      );
      await expectFails(w.s, [K, 'collaborators', 'delete', id('shared'), '--user-id', 'alice'], 5, needs, as('alice'));
      // Nor may the administrator take it from her.
      await expectFails(w.s, [K, 'collaborators', 'delete', id('shared'), '--user-id', 'alice'], 5, needs);
    });

    test('a deleted organization does not count when another collaborator changes either', async () => {
      // app-by-org has no live holder while org1 is deleted: a change that leaves none is refused,
      // one that gives someone the _ALL right is the way out.
      await expectFails(
        w.s,
        [K, 'collaborators', 'set', id('by-org'), '--user-id', 'erin', flag(kind.rights.info)],
        5,
        needs,
      );
      await w.s.ok([K, 'collaborators', 'set', id('by-org'), '--user-id', 'erin', flag(kind.rights.all)]);
    });

    test('restored, org1 counts again: alice may drop her _ALL right, and purge names what org1 alone holds', async () => {
      await w.s.ok(['restore', 'org1']);
      await w.s.ok([K, 'set', id('shared'), ...contactFlags('org1', 'organization')]);
      await w.s.ok([K, 'collaborators', 'delete', id('shared'), '--user-id', 'alice'], as('alice'));
      const result = await expectFails(w.s, ['purge', 'org1', '--force'], 5, needs);
      expect(result.stderr).toContain(`${kind.name} ${id('shared')} needs`);
      // erin holds the _ALL right of app-by-org now.
      expect(result.stderr).not.toContain(id('by-org'));
    });

    test('purge of an organization that is not the last holder: done, its collaborations gone', async () => {
      await w.s.ok(['create', id('org2'), '--user-id', 'user1']);
      await w.s.ok([K, 'create', id('org2-too'), '--organization-id', id('org2')]);
      await w.s.ok([K, 'collaborators', 'set', id('org2-too'), '--user-id', 'user1', flag(kind.rights.all)]);
      // org2 is its contact, made for it, until user1 is.
      await expectFails(w.s, ['purge', id('org2'), '--force'], 5, 'collaborator_is_contact');
      await w.s.ok([K, 'set', id('org2-too'), ...contactFlags('user1')]);
      await w.s.ok(['purge', id('org2'), '--force']);
      expect(await collaborators(id('org2-too'))).toEqual([['user1', [kind.rights.all]]]);
    });
  });
});
