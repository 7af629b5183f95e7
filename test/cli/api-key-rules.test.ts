/**
 * The Things Stack's TestOrganizationAPIKeys (pkg/identityserver/organization_access_test.go),
 * its UpdateAPIKey steps replayed through `orgs`: a limited caller holding INFO, SETTINGS_BASIC and
 * SETTINGS_API_KEYS may trade rights it holds on a key that also holds APPLICATIONS_LIST, which it
 * lacks, but neither add nor remove a right it lacks. RULES.md keeps two stricter rules where a
 * weaker manager could destroy a stronger key: deleting it and changing its expiry. The limited
 * caller is a member of org1 (as The Things Stack's limited user) or an API key of org1.
 */
import { describe, expect, test } from 'vitest';
import { expectFails, shared } from '../helpers.js';

const flag = (right: string) => `--${right.toLowerCase().replace(/_/g, '-')}`;
const INFO = 'RIGHT_ORGANIZATION_INFO';
const SETTINGS_BASIC = 'RIGHT_ORGANIZATION_SETTINGS_BASIC';
const API_KEYS = 'RIGHT_ORGANIZATION_SETTINGS_API_KEYS';
const APPLICATIONS_LIST = 'RIGHT_ORGANIZATION_APPLICATIONS_LIST';
const DELETE = 'RIGHT_ORGANIZATION_DELETE';
const LIMITED = [INFO, SETTINGS_BASIC, API_KEYS];
const EXPIRY = '2099-01-01T00:00:00Z';

describe.each(['member', 'API key'] as const)('a limited %s of org1', (limited) => {
  let env: Record<string, string>;
  /** The stronger key: APPLICATIONS_LIST is a right the limited caller lacks. */
  let orgKey: string;
  const w = shared(async (s) => {
    await s.ok(['create', 'org1', '--user-id', 'usr1']);
    orgKey = (await s.ok(['api-keys', 'create', 'org1', ...[INFO, APPLICATIONS_LIST].map(flag)])).json.id;
    if (limited === 'member') {
      await s.ok(['collaborators', 'set', 'org1', '--user-id', 'usr2', ...LIMITED.map(flag)]);
      env = { ORGS_USER_ID: 'usr2' };
    } else {
      env = { ORGS_API_KEY: (await s.ok(['api-keys', 'create', 'org1', ...LIMITED.map(flag)])).json.key };
    }
  });
  const setRights = (...rights: string[]) => ['api-keys', 'set', 'org1', orgKey, ...rights.map(flag)];
  const rightsOfOrgKey = async () => (await w.s.ok(['api-keys', 'get', 'org1', orgKey])).json.rights;

  test('UpdateAPIKey adding a right the caller does not have: refused', async () => {
    await expectFails(w.s, setRights(INFO, APPLICATIONS_LIST, DELETE), 4, 'insufficient_rights', { env });
  });

  test('UpdateAPIKey removing a right the caller does not have: refused', async () => {
    await expectFails(w.s, setRights(INFO), 4, 'insufficient_rights', { env });
  });

  test('UpdateAPIKey removing a right the caller has and adding a right the caller has: done', async () => {
    const result = await w.s.run(setRights(SETTINGS_BASIC, APPLICATIONS_LIST), { env });
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    expect(await rightsOfOrgKey()).toEqual([APPLICATIONS_LIST, SETTINGS_BASIC]);
  });

  test('renaming the stronger key: done (The Things Stack needs no rights but the key manager’s)', async () => {
    await w.s.ok(['api-keys', 'set', 'org1', orgKey, '--name', 'renamed'], { env });
    expect((await w.s.ok(['api-keys', 'get', 'org1', orgKey])).json.name).toBe('renamed');
  });

  test('changing the expiry of the stronger key: refused, alone or with a trade of held rights', async () => {
    await expectFails(w.s, ['api-keys', 'set', 'org1', orgKey, '--api-key-expiry', EXPIRY], 4, 'insufficient_rights', {
      env,
    });
    await expectFails(
      w.s,
      [...setRights(INFO, APPLICATIONS_LIST), '--api-key-expiry', EXPIRY],
      4,
      'insufficient_rights',
      {
        env,
      },
    );
  });

  test('deleting the stronger key: refused', async () => {
    await expectFails(w.s, ['api-keys', 'delete', 'org1', orgKey], 4, 'insufficient_rights', { env });
  });

  test('a key of its own rights: created, renamed, its expiry changed, deleted', async () => {
    const own = (await w.s.ok(['api-keys', 'create', 'org1', flag(INFO)], { env })).json.id;
    await w.s.ok(['api-keys', 'set', 'org1', own, '--name', 'api-key-name-updated', '--api-key-expiry', EXPIRY], {
      env,
    });
    expect((await w.s.ok(['api-keys', 'get', 'org1', own])).json).toMatchObject({
      name: 'api-key-name-updated',
      rights: [INFO],
      expires_at: '2099-01-01T00:00:00.000Z',
    });
    await w.s.ok(['api-keys', 'delete', 'org1', own], { env });
    await expectFails(w.s, ['api-keys', 'get', 'org1', own], 3, 'api_key_not_found');
  });
});
