/**
 * The Things Stack's own JavaScript SDK (npm `ttn-lw`, the library its Console is built on)
 * against `orgs console`, unchanged, with an organization API key: every call of its organization,
 * collaborator, API key, application and search services that such a key may make, each answered
 * as The Things Stack's Identity Server answers it (API.md; api/ttn/lorawan/v3/*_services.proto,
 * pkg/identityserver/). The SDK is the judge of the shapes: it reads lists from the message's
 * field, totals from X-Total-Count, errors from the body it is given.
 */
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { sandbox, type Sandbox } from '../helpers.js';
import { serveConsole, type Served } from './console-client.js';

const require = createRequire(import.meta.url);
const TtnLw = require('ttn-lw').default;
const API_DEFINITION = require('ttn-lw/generated/api-definition.json');

/** The paths The Things Stack allows on a call, as the SDK lists them. */
const allowedPaths = (service: string, rpc: string): string[] => API_DEFINITION[service][rpc].allowedFieldMaskPaths;

/** The key's rights: its organization's and those of all it may own. */
const KEY_RIGHTS = ['--right-organization-all', '--right-application-all', '--right-gateway-all', '--right-client-all'];

/** An error as the SDK hands it on: The Things Stack's body, with the gRPC code and its details. */
async function sdkError(promise: Promise<unknown>) {
  try {
    await promise;
  } catch (error) {
    return error as { code: number; message: string; details: Array<Record<string, unknown>> };
  }
  throw new Error('the call succeeded');
}

function expectError(error: Awaited<ReturnType<typeof sdkError>>, code: number, name: string) {
  expect(error.code, JSON.stringify(error)).toBe(code);
  expect(error.message).toMatch(new RegExp(`^error:[a-z_/]+:${name} \\(.+\\)$`));
  expect(error.details).toEqual([
    expect.objectContaining({
      '@type': 'type.googleapis.com/ttn.lorawan.v3.ErrorDetails',
      name,
      code,
      correlation_id: expect.stringMatching(/^orgs:cmd:/),
    }),
  ]);
}

const TIME = expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);

describe("The Things Stack's SDK (ttn-lw) with an organization API key", () => {
  let s: Sandbox;
  let c: Served & { close(): Promise<void> };
  let sdk: any;
  let key: { id: string; key: string };

  beforeAll(async () => {
    s = sandbox();
    await s.ok(['create', 'org1', '--user-id', 'user1', '--name', 'Org One']);
    await s.ok(['collaborators', 'set', 'org1', '--user-id', 'user2', '--right-organization-info']);
    await s.ok(['applications', 'create', 'app1', '--organization-id', 'org1', '--name', 'App One']);
    await s.ok(['applications', 'create', 'app9', '--user-id', 'user1']);
    key = (await s.ok(['api-keys', 'create', 'org1', '--name', 'sdk', ...KEY_RIGHTS])).json;
    c = await serveConsole(s, {});
    // The SDK keeps the first token it is given for the whole process: the header names the key.
    sdk = new TtnLw(key.key, {
      stackConfig: { is: `${c.origin}/api/v3` },
      connectionType: 'http',
      axiosConfig: { headers: { Authorization: `Bearer ${key.key}` } },
    });
  });
  afterAll(async () => {
    await c?.close();
    await s?.cleanup();
  });

  describe('EntityAccess', () => {
    test('AuthInfo: the key, its implied rights and its organization', async () => {
      const info = await sdk.Auth.getAuthInfo();
      expect(info).toEqual({
        api_key: {
          api_key: {
            id: key.id,
            name: 'sdk',
            rights: expect.arrayContaining([
              'RIGHT_ORGANIZATION_ALL',
              'RIGHT_ORGANIZATION_INFO',
              'RIGHT_APPLICATION_INFO',
            ]),
            created_at: TIME,
            updated_at: TIME,
          },
          entity_ids: { organization_ids: { organization_id: 'org1' } },
        },
      });
    });
  });

  describe('OrganizationRegistry and EntityRegistrySearch', () => {
    test('Get: ids and times always, the fields selected', async () => {
      expect(await sdk.Organizations.getById('org1', 'name')).toEqual({
        ids: { organization_id: 'org1' },
        created_at: TIME,
        updated_at: TIME,
        name: 'Org One',
      });
      expect(await sdk.Organizations.getById('org1')).toEqual({
        ids: { organization_id: 'org1' },
        created_at: TIME,
        updated_at: TIME,
      });
    });

    test('Get takes every field mask path The Things Stack allows', async () => {
      const paths = allowedPaths('OrganizationRegistry', 'Get');
      expect(paths.length).toBeGreaterThan(5);
      expect(await sdk.Organizations.getById('org1', paths)).toMatchObject({ name: 'Org One' });
      // `contact_info`, as The Things Stack reads it now: both contacts (the creator's, by default).
      expect(await sdk.Organizations.getById('org1', 'contact_info')).toEqual({
        ids: { organization_id: 'org1' },
        created_at: TIME,
        updated_at: TIME,
        administrative_contact: { user_ids: { user_id: 'user1' } },
        technical_contact: { user_ids: { user_id: 'user1' } },
      });
    });

    test('List: an organization API key is refused, organizations do not nest (as The Things Stack answers)', async () => {
      expectError(await sdkError(sdk.Organizations.getAll({ limit: 10, page: 1 })), 3, 'nested_organizations');
    });

    test('Search: an organization is no member of organizations, so nothing, counted', async () => {
      expect(await sdk.Organizations.search({ id_contains: 'org' }, 'name')).toEqual({
        organizations: [],
        totalCount: 0,
      });
    });

    test('Update: the fields of the patch, every allowed path accepted', async () => {
      // The mask named: from the patch the SDK would name `attributes.floor`, which The Things Stack refuses too.
      const updated = await sdk.Organizations.updateById(
        'org1',
        { name: 'Org Uno', description: 'radio', attributes: { floor: '2' } },
        ['name', 'description', 'attributes'],
      );
      expect(updated).toMatchObject({
        ids: { organization_id: 'org1' },
        name: 'Org Uno',
        description: 'radio',
        attributes: { floor: '2' },
      });
      const allowed = allowedPaths('OrganizationRegistry', 'Update');
      expect(await sdk.Organizations.updateById('org1', { name: 'Org One' }, allowed)).toMatchObject({
        name: 'Org One',
      });
      // Every allowed path named without a value clears what orgs keeps of it.
      expect(await sdk.Organizations.getById('org1', 'name,description,attributes')).toEqual({
        ids: { organization_id: 'org1' },
        created_at: TIME,
        updated_at: TIME,
        name: 'Org One',
      });
    });

    test('Create: an organization key holds no user rights', async () => {
      expectError(
        await sdkError(sdk.Organizations.create('user1', { ids: { organization_id: 'org2' } })),
        7,
        'api_key_cannot_create',
      );
    });

    test('ListRights: wrapped in rights, counted', async () => {
      const { rights, totalCount } = await sdk.Organizations.getRightsById('org1');
      expect(rights).toContain('RIGHT_ORGANIZATION_ALL');
      expect(totalCount).toBe(rights.length);
    });
  });

  describe('OrganizationAccess: collaborators', () => {
    test('ListCollaborators: wrapped, X-Total-Count, limit and page', async () => {
      expect(await sdk.Organizations.Collaborators.getAll('org1')).toEqual({
        collaborators: [
          { ids: { user_ids: { user_id: 'user1' } }, rights: ['RIGHT_ALL'] },
          { ids: { user_ids: { user_id: 'user2' } }, rights: ['RIGHT_ORGANIZATION_INFO'] },
        ],
        totalCount: 2,
      });
      expect(await sdk.Organizations.Collaborators.getAll('org1', { limit: 1, page: 2 })).toEqual({
        collaborators: [{ ids: { user_ids: { user_id: 'user2' } }, rights: ['RIGHT_ORGANIZATION_INFO'] }],
        totalCount: 2,
      });
      expect(await sdk.Organizations.Collaborators.getAll('org1', { order: '-id' })).toMatchObject({
        collaborators: [{ ids: { user_ids: { user_id: 'user2' } } }, { ids: { user_ids: { user_id: 'user1' } } }],
      });
    });

    test('GetCollaborator', async () => {
      expect(await sdk.Organizations.Collaborators.getByUserId('org1', 'user2')).toEqual({
        ids: { user_ids: { user_id: 'user2' } },
        rights: ['RIGHT_ORGANIZATION_INFO'],
      });
    });

    test('SetCollaborator adds and updates (200 {}); with no rights it removes', async () => {
      const user3 = { ids: { user_ids: { user_id: 'user3' } } };
      expect(
        await sdk.Organizations.Collaborators.add('org1', { ...user3, rights: ['RIGHT_ORGANIZATION_INFO'] }),
      ).toEqual({});
      expect(
        await sdk.Organizations.Collaborators.update('org1', {
          ...user3,
          rights: ['RIGHT_ORGANIZATION_INFO', 'RIGHT_ORGANIZATION_SETTINGS_BASIC'],
        }),
      ).toEqual({});
      expect(await sdk.Organizations.Collaborators.getByUserId('org1', 'user3')).toEqual({
        ...user3,
        rights: ['RIGHT_ORGANIZATION_INFO', 'RIGHT_ORGANIZATION_SETTINGS_BASIC'],
      });
      expect(await sdk.Organizations.Collaborators.remove('org1', user3)).toEqual({});
      expectError(
        await sdkError(sdk.Organizations.Collaborators.getByUserId('org1', 'user3')),
        5,
        'collaborator_not_found',
      );
      expect((await sdk.Organizations.Collaborators.getAll('org1')).totalCount).toBe(2);
    });
  });

  describe('OrganizationAccess: API keys', () => {
    test('CreateAPIKey, ListAPIKeys, GetAPIKey, UpdateAPIKey; UpdateAPIKey with no rights deletes', async () => {
      const created = await sdk.Organizations.ApiKeys.create('org1', {
        name: 'reader',
        rights: ['RIGHT_ORGANIZATION_INFO'],
      });
      expect(created).toEqual({
        id: expect.any(String),
        key: expect.stringMatching(/^NNSXS\./),
        name: 'reader',
        rights: ['RIGHT_ORGANIZATION_INFO'],
        created_at: TIME,
        updated_at: TIME,
      });
      const listed = await sdk.Organizations.ApiKeys.getAll('org1');
      expect(listed.totalCount).toBe(2);
      expect(listed.api_keys.map((k: { id: string }) => k.id).sort()).toEqual([created.id, key.id].sort());
      expect(listed.api_keys.every((k: Record<string, unknown>) => k.key === undefined)).toBe(true);
      expect(await sdk.Organizations.ApiKeys.getAll('org1', { limit: 1 })).toMatchObject({ totalCount: 2 });

      expect(await sdk.Organizations.ApiKeys.getById('org1', created.id)).toMatchObject({
        id: created.id,
        name: 'reader',
      });
      expect(
        await sdk.Organizations.ApiKeys.updateById('org1', created.id, {
          name: 'writer',
          rights: ['RIGHT_ORGANIZATION_INFO', 'RIGHT_ORGANIZATION_SETTINGS_BASIC'],
        }),
      ).toMatchObject({
        id: created.id,
        name: 'writer',
        rights: ['RIGHT_ORGANIZATION_INFO', 'RIGHT_ORGANIZATION_SETTINGS_BASIC'],
      });

      expect(await sdk.Organizations.ApiKeys.deleteById('org1', created.id)).toEqual({});
      expectError(await sdkError(sdk.Organizations.ApiKeys.getById('org1', created.id)), 5, 'api_key_not_found');
      expect((await sdk.Organizations.ApiKeys.getAll('org1')).totalCount).toBe(1);
    });
  });

  describe('ApplicationRegistry, ApplicationAccess and EntityRegistrySearch', () => {
    test("Create under the organization; List: the organization's own, counted", async () => {
      const created = await sdk.Applications.create(
        'org1',
        { ids: { application_id: 'app2' }, name: 'App Two' },
        false,
      );
      expect(created).toEqual({ ids: { application_id: 'app2' }, created_at: TIME, updated_at: TIME, name: 'App Two' });
      expect(await sdk.Applications.getAll({ limit: 1 }, 'name')).toEqual({
        applications: [{ ids: { application_id: 'app1' }, created_at: TIME, updated_at: TIME, name: 'App One' }],
        totalCount: 2,
      });
      expect(await sdk.Applications.getAll({ order: '-application_id' })).toMatchObject({
        applications: [{ ids: { application_id: 'app2' } }, { ids: { application_id: 'app1' } }],
        totalCount: 2,
      });
    });

    test('Get, with every allowed field mask path', async () => {
      expect(await sdk.Applications.getById('app1', 'name')).toEqual({
        ids: { application_id: 'app1' },
        created_at: TIME,
        updated_at: TIME,
        name: 'App One',
      });
      expect(await sdk.Applications.getById('app1', allowedPaths('ApplicationRegistry', 'Get'))).toMatchObject({
        name: 'App One',
      });
    });

    test('Update: the patch, its mask within the allowed paths', async () => {
      expect(
        await sdk.Applications.updateById('app1', { description: 'soil', attributes: { site: 'north' } }),
      ).toMatchObject({ ids: { application_id: 'app1' }, description: 'soil', attributes: { site: 'north' } });
    });

    test("Search: the organization's applications matching, counted", async () => {
      expect(await sdk.Applications.search({ id_contains: 'app', limit: 1, page: 2 }, 'name')).toEqual({
        applications: [{ ids: { application_id: 'app2' }, created_at: TIME, updated_at: TIME, name: 'App Two' }],
        totalCount: 2,
      });
      expect(await sdk.Applications.search({ name_contains: 'nothing' })).toEqual({ applications: [], totalCount: 0 });
    });

    test('ListRights', async () => {
      const { rights, totalCount } = await sdk.Applications.getRightsById('app1');
      expect(rights).toContain('RIGHT_APPLICATION_INFO');
      expect(totalCount).toBe(rights.length);
    });

    test('collaborators: list, get (user and organization), set, remove with no rights', async () => {
      expect(await sdk.Applications.Collaborators.getAll('app1')).toEqual({
        collaborators: [{ ids: { organization_ids: { organization_id: 'org1' } }, rights: ['RIGHT_ALL'] }],
        totalCount: 1,
      });
      expect(await sdk.Applications.Collaborators.getByOrganizationId('app1', 'org1')).toEqual({
        ids: { organization_ids: { organization_id: 'org1' } },
        rights: ['RIGHT_ALL'],
      });
      const user2 = { ids: { user_ids: { user_id: 'user2' } } };
      expect(
        await sdk.Applications.Collaborators.add('app1', { ...user2, rights: ['RIGHT_APPLICATION_INFO'] }),
      ).toEqual({});
      expect(await sdk.Applications.Collaborators.getByUserId('app1', 'user2')).toEqual({
        ...user2,
        rights: ['RIGHT_APPLICATION_INFO'],
      });
      expect((await sdk.Applications.Collaborators.getAll('app1')).totalCount).toBe(2);
      expect(await sdk.Applications.Collaborators.remove('app1', user2)).toEqual({});
      expect((await sdk.Applications.Collaborators.getAll('app1')).totalCount).toBe(1);
    });

    test('an application the organization has no rights on: its public fields only (ENTITIES.md), an error with details when gone', async () => {
      // The Things Stack refuses a mask beyond the public fields here (403); orgs answers the public ones.
      expect(await sdk.Applications.getById('app9', 'name,description')).toEqual({
        ids: { application_id: 'app9' },
        created_at: TIME,
        updated_at: TIME,
      });
      expectError(await sdkError(sdk.Applications.getById('app404')), 5, 'application_not_found');
    });

    test('Delete: 200 {}, then not found', async () => {
      expect(await sdk.Applications.deleteById('app2')).toEqual({});
      expectError(await sdkError(sdk.Applications.getById('app2')), 5, 'application_not_found');
    });
  });

  test('OrganizationRegistry Delete: 200 {} (last: the key goes with its organization)', async () => {
    expect(await sdk.Organizations.deleteById('org1')).toEqual({});
  });
});

describe("The Things Stack's SDK (ttn-lw) with a user's API key", () => {
  let s: Sandbox;
  let c: Served & { close(): Promise<void> };
  let sdk: any;

  beforeAll(async () => {
    s = sandbox();
    await s.ok(['gateways', 'create', 'gtw1', '--user-id', 'user1']);
    const everything = ['user', 'organization', 'application', 'gateway', 'client'].map((g) => `--right-${g}-all`);
    const key = (await s.ok(['users', 'api-keys', 'create', 'user1', '--name', 'sdk', ...everything])).json.key;
    c = await serveConsole(s, {});
    sdk = new TtnLw(key, {
      stackConfig: { is: `${c.origin}/api/v3` },
      connectionType: 'http',
      axiosConfig: { headers: { Authorization: `Bearer ${key}` } },
    });
  });
  afterAll(async () => {
    await c?.close();
    await s?.cleanup();
  });

  test('AuthInfo: the key and its user', async () => {
    const info = await sdk.Auth.getAuthInfo();
    expect(info.api_key.entity_ids).toEqual({ user_ids: { user_id: 'user1' } });
    expect(info.api_key.api_key).toMatchObject({ name: 'sdk', rights: expect.arrayContaining(['RIGHT_USER_ALL']) });
    expect(info).not.toHaveProperty('is_admin');
  });

  test('OrganizationRegistry Create and List: the user creates an organization and lists its own', async () => {
    expect(await sdk.Organizations.create('user1', { ids: { organization_id: 'org1' }, name: 'One' })).toMatchObject({
      ids: { organization_id: 'org1' },
      name: 'One',
    });
    expect(await sdk.Organizations.getAll({ limit: 10, page: 1 }, 'name')).toEqual({
      organizations: [{ ids: { organization_id: 'org1' }, created_at: TIME, updated_at: TIME, name: 'One' }],
      totalCount: 1,
    });
    expectError(
      await sdkError(sdk.Organizations.create('user2', { ids: { organization_id: 'org2' } })),
      7,
      'create_for_other_user',
    );
  });

  test('ApplicationRegistry Create for the user, then ApplicationAccess API keys: create, list, get, update, delete', async () => {
    expect(await sdk.Applications.create('user1', { ids: { application_id: 'app1' } })).toMatchObject({
      ids: { application_id: 'app1' },
    });
    const created = await sdk.Applications.ApiKeys.create('app1', {
      name: 'device',
      rights: ['RIGHT_APPLICATION_INFO'],
    });
    expect(created).toMatchObject({
      name: 'device',
      rights: ['RIGHT_APPLICATION_INFO'],
      key: expect.stringMatching(/^NNSXS\./),
    });
    expect(await sdk.Applications.ApiKeys.getAll('app1')).toMatchObject({
      api_keys: [{ id: created.id }],
      totalCount: 1,
    });
    expect(await sdk.Applications.ApiKeys.getById('app1', created.id)).toMatchObject({
      id: created.id,
      name: 'device',
    });
    expect(
      await sdk.Applications.ApiKeys.updateById('app1', created.id, { rights: ['RIGHT_APPLICATION_TRAFFIC_READ'] }),
    ).toMatchObject({ rights: ['RIGHT_APPLICATION_TRAFFIC_READ'] });
    expectError(
      await sdkError(sdk.Applications.ApiKeys.create('app1', { rights: ['RIGHT_GATEWAY_INFO'] })),
      3,
      'invalid_rights',
    );
    expect(await sdk.Applications.ApiKeys.deleteById('app1', created.id)).toEqual({});
    expect(await sdk.Applications.ApiKeys.getAll('app1')).toEqual({ api_keys: [], totalCount: 0 });
  });

  test('GatewayAccess API keys: create, list, delete', async () => {
    const created = await sdk.Gateways.ApiKeys.create('gtw1', { rights: ['RIGHT_GATEWAY_INFO'] });
    expect(await sdk.Gateways.ApiKeys.getAll('gtw1')).toMatchObject({ api_keys: [{ id: created.id }], totalCount: 1 });
    expect(await sdk.Gateways.ApiKeys.deleteById('gtw1', created.id)).toEqual({});
  });
});
