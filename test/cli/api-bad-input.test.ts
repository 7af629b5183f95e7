/**
 * Every malformed request to The Things Stack's API as `orgs serve` serves it (API.md; issue 22's
 * "Bad input"): one error of The Things Stack's shape (`code`, `message`, `details`) with the
 * status grpc-gateway gives its gRPC code, and the store left as it was. The server runs
 * in-process (`orgs serve`'s API-only mode) with a fake clock, so that a key can expire.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { sandbox, storeRowsBesidesKeyUse, type Sandbox } from '../helpers.js';
import { serveConsole, type Served } from './console-client.js';

const DAY = 86_400_000;
let now = Date.parse('2030-01-01T00:00:00Z');
let s: Sandbox;
let c: Served & { close(): Promise<void> };
const keys: Record<'organization' | 'user' | 'application' | 'expiring', string> = {} as never;

beforeAll(async () => {
  s = sandbox();
  const at = { clock: () => now };
  await s.ok(['create', 'org1', '--user-id', 'user1'], at);
  await s.ok(['applications', 'create', 'app1', '--user-id', 'user1'], at);
  const key = async (args: string[]) => (await s.ok(args, at)).json.key as string;
  keys.organization = await key(['api-keys', 'create', 'org1', '--right-organization-all']);
  keys.user = await key(['users', 'api-keys', 'create', 'user1', '--right-user-all', '--right-organization-all']);
  keys.application = await key(['applications', 'api-keys', 'create', 'app1', '--right-application-all']);
  keys.expiring = await key([
    'api-keys',
    'create',
    'org1',
    '--right-organization-info',
    '--api-key-expiry',
    '2030-01-02',
  ]);
  c = await serveConsole(s, { apiOnly: { host: '127.0.0.1', log: () => {} } }, () => now);
});
afterAll(async () => {
  await c?.close();
  await s?.cleanup();
});

interface Call {
  method?: string;
  path: string;
  key?: string | null;
  headers?: Record<string, string>;
  body?: string;
}

/** The answer to a raw request: its status and body, JSON read. */
async function call({ method = 'GET', path, key = keys.organization, headers = {}, body }: Call) {
  const response = await fetch(`${c.origin}/api/v3${path}`, {
    method,
    headers: {
      ...(key === null ? {} : { authorization: `Bearer ${key}` }),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...headers,
    },
    body,
  });
  return { status: response.status, body: (await response.json()) as Record<string, any> };
}

/** A refusal as The Things Stack gives it, and nothing changed. */
async function refused(request: Call, status: number, code: number, name: string | RegExp) {
  const before = await storeRowsBesidesKeyUse(s.db);
  const { status: got, body } = await call(request);
  expect({ status: got, code: body.code }, JSON.stringify(body)).toEqual({ status, code });
  expect(body.message).toMatch(/^error:[a-z_]+:[a-z_]+ \(.+\)$/);
  expect(body.details).toEqual([
    expect.objectContaining({
      '@type': 'type.googleapis.com/ttn.lorawan.v3.ErrorDetails',
      name: typeof name === 'string' ? name : expect.stringMatching(name),
      code,
      correlation_id: expect.stringMatching(/^orgs:cmd:/),
    }),
  ]);
  expect(await storeRowsBesidesKeyUse(s.db), 'the store is as it was').toEqual(before);
}

const update = (organization: unknown, paths?: string[]) =>
  JSON.stringify({ organization, ...(paths ? { field_mask: { paths } } : {}) });

describe('a malformed request is an error of The Things Stack’s shape, and changes nothing', () => {
  test('bad JSON', () =>
    refused({ method: 'PUT', path: '/organizations/org1', body: '{"organization": {' }, 400, 3, /./));

  test('a body above 1 MiB', () =>
    refused(
      { method: 'PUT', path: '/organizations/org1', body: update({ description: 'x'.repeat((1 << 20) + 1) }) },
      400,
      3,
      /./,
    ));

  test('an unknown field', () =>
    refused({ method: 'PUT', path: '/organizations/org1', body: update({ colour: 'red' }) }, 400, 3, /./));

  test('a value of the wrong type', () =>
    refused({ method: 'PUT', path: '/organizations/org1', body: update({ name: 7 }, ['name']) }, 400, 3, /./));

  test('a field mask naming what the call does not allow', () =>
    refused(
      { method: 'PUT', path: '/organizations/org1', body: update({ name: 'x' }, ['name', 'password']) },
      400,
      3,
      /./,
    ));

  test('a path parameter that is not a valid ID', () =>
    refused({ path: '/organizations/Not%20An%20ID' }, 400, 3, 'invalid_organization_id'));

  test('a method the path does not take', () =>
    refused({ method: 'PATCH', path: '/organizations/org1', body: '{}' }, 400, 3, 'method_not_allowed'));

  test('no key', () => refused({ path: '/organizations/org1', key: null }, 401, 16, /./));

  test('a malformed key', () =>
    refused({ path: '/organizations/org1', key: 'NNSXS.nope' }, 401, 16, 'unauthenticated'));

  test('a tampered key', () =>
    refused({ path: '/organizations/org1', key: `${keys.organization.slice(0, -4)}AAAA` }, 401, 16, 'unauthenticated'));

  test('an expired key', async () => {
    expect((await call({ path: '/organizations/org1', key: keys.expiring })).status).toBe(200);
    now += 2 * DAY;
    await refused({ path: '/organizations/org1', key: keys.expiring }, 401, 16, 'unauthenticated');
  });

  test('a key of the wrong kind for the route', async () => {
    // An application's key on an organization, an organization's key on a user's keys, a user's
    // key on another user's organizations, an application's key creating an organization.
    await refused(
      { path: '/organizations/org1/collaborators', key: keys.application },
      403,
      7,
      'api_key_other_organization',
    );
    await refused({ path: '/users/user1/api-keys' }, 403, 7, 'insufficient_rights');
    // Creating org2 for a user, with a key.
    const creating = (userId: string, key: string): Call => ({
      method: 'POST',
      path: `/users/${userId}/organizations`,
      key,
      body: JSON.stringify({ organization: { ids: { organization_id: 'org2' } } }),
    });
    await refused(creating('user2', keys.user), 403, 7, 'create_for_other_user');
    await refused(creating('user1', keys.application), 403, 7, 'api_key_cannot_create');
  });
});
