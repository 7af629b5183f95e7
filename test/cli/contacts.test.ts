/**
 * Contacts (API.md): the administrative and technical contacts of organizations, applications,
 * gateways and clients, with The Things Stack's flags and rules, through the CLI.
 */
import { describe, expect, test } from 'vitest';
import { KINDS } from '../../src/core/kinds.js';
import { as, contactFlags, contactsView, documents, expectFails, shared, storeRows, withKey } from '../helpers.js';

const ADMINISTRATIVE_USER = '--administrative-contact.ids.user-ids.user-id';
const TECHNICAL_USER = '--technical-contact.ids.user-ids.user-id';
const ADMINISTRATIVE_ORGANIZATION = '--administrative-contact.ids.organization-ids.organization-id';
const TECHNICAL_ORGANIZATION = '--technical-contact.ids.organization-ids.organization-id';
const user = (id: string) => ({ user_ids: { user_id: id } });
const organization = (id: string) => ({ organization_ids: { organization_id: id } });

describe.sequential('organizations', () => {
  const w = shared(async (s) => {
    await s.ok(['create', 'org1', '--user-id', 'user1']);
    await s.ok(['collaborators', 'set', 'org1', '--user-id', 'user2', '--right-organization-all']);
    await s.ok(['create', 'org2', '--user-id', 'user1']);
  });

  test('create makes the collaborator both contacts; get --all, list and search print them on request', async () => {
    const { s } = w;
    expect((await s.ok(['get', 'org1', '--all'])).json).toMatchObject(contactsView('user1'));
    expect((await s.ok(['get', 'org1'])).json).not.toHaveProperty('administrative_contact');
    expect((await s.ok(['get', 'org1', '--technical-contact'])).json).toEqual(
      expect.objectContaining({ technical_contact: user('user1') }),
    );
    const [listed] = (await s.ok(['list', '--administrative-contact'], as('user2'))).json;
    expect(listed).toMatchObject({ administrative_contact: user('user1') });
    expect(listed).not.toHaveProperty('technical_contact');
    const [found] = (await s.ok(['search', '--id-contains', 'org1', '--all'], as('user2'))).json;
    expect(found).toMatchObject(contactsView('user1'));
  });

  test('a contact given at create must be the collaborator it is made for', async () => {
    const { s } = w;
    const made = await s.ok(['create', 'org3', '--user-id', 'user1', ...contactFlags('user1')]);
    expect(made.json).toMatchObject(contactsView('user1'));
    await expectFails(
      s,
      ['create', 'org4', '--user-id', 'user1', TECHNICAL_USER, 'user2'],
      2,
      'contact_no_collaborator',
    );
    await expectFails(s, ['get', 'org4'], 3);
  });

  test('set: a member becomes a contact; a non-member, an organization or a bad ID is refused, nothing changed', async () => {
    const { s } = w;
    const set = await s.ok(['set', 'org1', TECHNICAL_USER, 'user2']);
    expect(set.json).toEqual(expect.objectContaining({ technical_contact: user('user2') }));
    expect(set.json).not.toHaveProperty('administrative_contact');
    expect((await s.ok(['get', 'org1', '--all'])).json).toMatchObject({
      administrative_contact: user('user1'),
      technical_contact: user('user2'),
    });
    const before = await storeRows(s.db);
    await expectFails(s, ['set', 'org1', ADMINISTRATIVE_USER, 'user3'], 2, 'contact_no_collaborator');
    await expectFails(s, ['set', 'org1', ADMINISTRATIVE_ORGANIZATION, 'org2'], 2, 'contact_no_collaborator');
    await expectFails(s, ['set', 'org1', ADMINISTRATIVE_USER, 'Bad_ID'], 2);
    await expectFails(
      s,
      ['set', 'org1', ADMINISTRATIVE_USER, 'user1', ADMINISTRATIVE_ORGANIZATION, 'org2'],
      2,
      'conflicting_arguments',
    );
    await expectFails(s, ['set', 'org1', TECHNICAL_USER, 'user1', '--unset', 'technical_contact'], 2);
    expect(await storeRows(s.db)).toEqual(before);
    // The update event names the fields changed.
    const [event] = documents(
      (await s.ok(['events', '--organization-id', 'org1', '--names', 'organization.update'])).stdout,
    );
    expect(event.data).toEqual(['technical_contact']);
  });

  test('a non-administrator may make only themselves a contact', async () => {
    const { s } = w;
    await expectFails(s, ['set', 'org1', ADMINISTRATIVE_USER, 'user2'], 4, 'contact_info_restricted', as('user1'));
    expect((await s.ok(['set', 'org1', ADMINISTRATIVE_USER, 'user2'], as('user2'))).json).toMatchObject({
      administrative_contact: user('user2'),
    });
    await s.ok(['set', 'org1', ...contactFlags('user1')], as('user1'));
  });

  test('a member who is a contact stays until another contact is set (collaborator_is_contact, exit 5)', async () => {
    const { s } = w;
    // user2 owns org2 and org3 too: deleting user1 leaves each organization an owner, not a contact.
    for (const org of ['org2', 'org3'])
      await s.ok(['collaborators', 'set', org, '--user-id', 'user2', '--right-organization-all']);
    const before = await storeRows(s.db);
    await expectFails(s, ['collaborators', 'delete', 'org1', '--user-id', 'user1'], 5, 'collaborator_is_contact');
    await expectFails(s, ['users', 'delete', 'user1'], 5, 'collaborator_is_contact');
    expect(await storeRows(s.db)).toEqual(before);
    await s.ok(['set', 'org1', ...contactFlags('user2')]);
    await s.ok(['collaborators', 'delete', 'org1', '--user-id', 'user1']);
  });

  test('bulk create reads contacts as get --all prints them; flags override them', async () => {
    const { s } = w;
    const doc = (id: string, contact: string) =>
      JSON.stringify({ ids: { organization_id: id }, ...contactsView(contact), created_at: 'ignored' }) + '\n';
    const made = await s.run(['create', '--user-id', 'user1'], {
      input: doc('bulk1', 'user1') + doc('bulk2', 'user2'),
    });
    expect(made.exitCode).not.toBe(0);
    expect(made.stderr).toContain('contact_no_collaborator');
    expect((await s.ok(['get', 'bulk1', '--all'])).json).toMatchObject(contactsView('user1'));
    await expectFails(s, ['get', 'bulk2'], 3);
    await s.ok(['create', '--user-id', 'user1', ...contactFlags('user1')], { input: doc('bulk2', 'user2') });
    expect((await s.ok(['get', 'bulk2', '--all'])).json).toMatchObject(contactsView('user1'));
  });

  test('--unset clears a contact; then the member may go', async () => {
    const { s } = w;
    const cleared = await s.ok(['set', 'org2', '--unset', 'administrative_contact,technical-contact']);
    expect(cleared.json).not.toHaveProperty('administrative_contact');
    expect((await s.ok(['get', 'org2', '--all'])).json).not.toHaveProperty('technical_contact');
    await s.ok(['collaborators', 'delete', 'org2', '--user-id', 'user1']);
  });
});

describe.concurrent.each(KINDS)('$command', (kind) => {
  describe.sequential('contacts', () => {
    const K = kind.command;
    const id = (name: string) => `${kind.name.slice(0, 3)}-${name}`;
    const flag = (right: string) => `--${right.toLowerCase().replace(/_/g, '-')}`;
    const all = flag(kind.rights.all);
    const w = shared(async (s) => {
      await s.ok(['create', 'org1', '--user-id', 'user1']);
      await s.ok(['collaborators', 'set', 'org1', '--user-id', 'user2', '--right-organization-info']);
      await s.ok([K, 'create', id('mine'), '--user-id', 'user1']);
      await s.ok([K, 'create', id('ours'), '--organization-id', 'org1']);
    });

    test('create makes its collaborator, a user or an organization, both contacts', async () => {
      const { s } = w;
      expect((await s.ok([K, 'get', id('mine'), '--all'])).json).toMatchObject(contactsView('user1'));
      expect((await s.ok([K, 'get', id('ours'), '--all'])).json).toMatchObject(contactsView('org1', 'organization'));
      const listed = (await s.ok([K, 'list', '--administrative-contact', '--technical-contact'], as('user1'))).json;
      expect(listed.map((e: any) => e.technical_contact)).toEqual([user('user1'), organization('org1')]);
      const before = await storeRows(s.db);
      await expectFails(
        s,
        [K, 'create', id('x'), '--organization-id', 'org1', TECHNICAL_USER, 'user1'],
        2,
        'contact_no_collaborator',
      );
      expect(await storeRows(s.db)).toEqual(before);
    });

    test('an organization collaborator becomes a contact for one who holds RIGHT_ORGANIZATION_ALL in it', async () => {
      const { s } = w;
      await s.ok([K, 'collaborators', 'set', id('mine'), '--organization-id', 'org1', all]);
      // user2 may change the record's settings, and holds no RIGHT_ORGANIZATION_ALL in org1.
      await s.ok([K, 'collaborators', 'set', id('mine'), '--user-id', 'user2', flag(kind.rights.settingsBasic)]);
      await expectFails(
        s,
        [K, 'set', id('mine'), TECHNICAL_ORGANIZATION, 'org1'],
        4,
        'contact_info_restricted',
        as('user2'),
      );
      const set = await s.ok([K, 'set', id('mine'), TECHNICAL_ORGANIZATION, 'org1'], as('user1'));
      expect(set.json).toMatchObject({ technical_contact: organization('org1') });
      await expectFails(s, [K, 'set', id('mine'), ADMINISTRATIVE_USER, 'user3'], 2, 'contact_no_collaborator');
    });

    test('an API key may name its own organization, and no one else, as a contact', async () => {
      const { s } = w;
      const rights = [flag(kind.rights.settingsBasic), flag(kind.rights.info)];
      const { key } = (await s.ok(['api-keys', 'create', 'org1', ...rights])).json;
      await expectFails(s, [K, 'set', id('ours'), TECHNICAL_USER, 'user1'], 4, 'contact_info_restricted', withKey(key));
      const set = await s.ok([K, 'set', id('ours'), TECHNICAL_ORGANIZATION, 'org1'], withKey(key));
      expect(set.json).toMatchObject({ technical_contact: organization('org1') });
    });

    test('a collaborator who is a contact stays; an organization that is one is not purged', async () => {
      const { s } = w;
      await s.ok([K, 'collaborators', 'set', id('ours'), '--user-id', 'user1', all]);
      await expectFails(
        s,
        [K, 'collaborators', 'delete', id('ours'), '--organization-id', 'org1'],
        5,
        'collaborator_is_contact',
      );
      await expectFails(s, ['purge', 'org1', '--force'], 5, 'collaborator_is_contact');
      await s.ok([K, 'set', id('ours'), ...contactFlags('user1')]);
      await s.ok([K, 'collaborators', 'delete', id('ours'), '--organization-id', 'org1']);
      expect((await s.ok([K, 'get', id('ours'), '--all'])).json).toMatchObject(contactsView('user1'));
    });
  });
});
