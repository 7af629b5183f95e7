/**
 * `orgs console`'s API with plain HTTP requests, as a script would make them: the one-time token,
 * the cookie, the Host check, CSRF, Bearer API keys, every route and every error class. The
 * console runs as the user's command does (the built CLI), against the sandbox's store.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { storeRows, onPostgres, storeQuery, sandbox, type Sandbox } from '../helpers.js';
import { call, type Console, expectApiError, login, startConsole, withHost } from './console-client.js';

describe('orgs console', () => {
  let s: Sandbox;
  let c: Console;
  let browser: { cookie: string; csrf: string };
  /** Headers of a change made by the page. */
  let page: Record<string, string>;

  beforeAll(async () => {
    s = sandbox();
    await s.ok(['create', 'org1', '--user-id', 'user1', '--name', 'Org One']);
    c = await startConsole(s);
    browser = await login(c);
    page = { cookie: browser.cookie, 'x-csrf-token': browser.csrf };
  });
  afterAll(async () => {
    c?.process.kill('SIGINT');
    await c?.process;
    await s?.cleanup();
  });

  test('prints one line, a loopback URL with a token', () => {
    expect(c.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]{43}$/);
  });

  test('the token works once: a cookie (HttpOnly, SameSite=Strict) and a redirect to the page without it', async () => {
    const again = await fetch(c.url, { redirect: 'manual' });
    expect(again.status).toBe(401);
    expect(again.headers.get('set-cookie')).toBeNull();
    // The cookie of the first opening (beforeAll) was set so:
    const fresh = await startConsole(s);
    try {
      const opened = await fetch(fresh.url, { redirect: 'manual' });
      expect(opened.headers.get('location')).toBe('/');
      expect(opened.headers.get('set-cookie')).toMatch(
        /^orgs_console=[A-Za-z0-9_-]+; HttpOnly; SameSite=Strict; Path=\/$/,
      );
    } finally {
      fresh.process.kill('SIGINT');
      await fresh.process;
    }
  });

  test('the page: only with the cookie, under a strict Content-Security-Policy, nothing from elsewhere', async () => {
    expect((await fetch(`${c.origin}/`)).status).toBe(401);
    const response = await fetch(`${c.origin}/`, { headers: { cookie: browser.cookie } });
    expect(response.status).toBe(200);
    const csp = response.headers.get('content-security-policy')!;
    expect(csp).toMatch(/default-src 'none'/);
    expect(csp).toMatch(/script-src 'sha256-[A-Za-z0-9+/=]+'/);
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|https?:/);
    expect(response.headers.get('x-frame-options')).toBe('DENY');
    const html = await response.text();
    expect(html).not.toMatch(/(src|href)="https?:/);
  });

  test('a request for another Host is refused (DNS rebinding), and changes nothing', async () => {
    const before = await storeRows(s.db);
    const refused = await withHost(c, `attacker.example:${c.port}`, '/api/v3/organizations', {
      cookie: browser.cookie,
    });
    expect(refused.status).toBe(403);
    expect(JSON.parse(refused.body).details[0].name).toBe('forbidden_host');
    expect((await withHost(c, `localhost:${c.port}`, '/api/v3/organizations', { cookie: browser.cookie })).status).toBe(
      200,
    );
    expect(await storeRows(s.db)).toEqual(before);
  });

  test('a change with the cookie needs the CSRF token and the console as Origin; refused ones change nothing', async () => {
    const before = await storeRows(s.db);
    const create = { organization: { ids: { organization_id: 'csrf1' } } };
    expectApiError(
      await call(c, 'POST', '/users/user1/organizations', { cookie: browser.cookie }, create),
      403,
      'csrf_token_missing',
    );
    expectApiError(
      await call(c, 'POST', '/users/user1/organizations', { ...page, 'x-csrf-token': 'guess' }, create),
      403,
      'csrf_token_missing',
    );
    expectApiError(
      await call(c, 'POST', '/users/user1/organizations', { ...page, origin: 'http://127.0.0.1:1' }, create),
      403,
      'forbidden_origin',
    );
    expectApiError(
      await call(c, 'DELETE', '/organizations/org1', { cookie: browser.cookie }),
      403,
      'csrf_token_missing',
    );
    expect(await storeRows(s.db)).toEqual(before);
    // Reading needs no token; no cookie and no key is unauthenticated.
    expect((await call(c, 'GET', '/organizations', { cookie: browser.cookie })).status).toBe(200);
    expectApiError(await call(c, 'GET', '/organizations'), 401, 'unauthenticated');
  });

  test('Bearer NNSXS.… acts as that API key: its rights apply, no cookie or CSRF token needed', async () => {
    const { key } = (await s.ok(['api-keys', 'create', 'org1', '--right-organization-info'])).json;
    const bearer = { authorization: `Bearer ${key}` };
    const got = await call(c, 'GET', '/organizations/org1?field_mask=name', bearer);
    expect(got.status).toBe(200);
    expect(got.body).toMatchObject({ ids: { organization_id: 'org1' }, name: 'Org One' });
    expect((await call(c, 'GET', '/organizations/org1/rights', bearer)).body).toEqual({
      rights: ['RIGHT_ORGANIZATION_INFO'],
    });
    expectApiError(await call(c, 'DELETE', '/organizations/org1', bearer), 403, 'insufficient_rights');
    expectApiError(
      await call(c, 'GET', '/organizations/org1', { authorization: 'Bearer NNSXS.NOPE.NOPE' }),
      401,
      'unauthenticated',
    );
    expect((await s.ok(['get', 'org1'])).json.ids.organization_id).toBe('org1');
  });

  test('organizations: create, get, list with paging, search, update, rights, delete, restore, purge', async () => {
    const created = await call(c, 'POST', '/users/user1/organizations', page, {
      organization: { ids: { organization_id: 'web1' }, name: 'Web One', description: 'made in the console' },
    });
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({ ids: { organization_id: 'web1' }, name: 'Web One' });
    expect((await s.ok(['collaborators', 'get', 'web1', '--user-id', 'user1'])).json.rights).toEqual(['RIGHT_ALL']);

    const got = await call(c, 'GET', '/organizations/web1?field_mask=name,description', page);
    expect(got.body).toEqual((await s.ok(['get', 'web1', '--name', '--description'])).json);

    const first = await call(c, 'GET', '/organizations?limit=1&order=organization_id', page);
    expect(first.body.organizations.map((o: any) => o.ids.organization_id)).toEqual(['org1']);
    expect(first.headers.get('x-total-count')).toBe('2');
    expect(first.headers.get('x-next-page')).toBe('2');
    const second = await call(c, 'GET', '/organizations?limit=1&page=2&order=organization_id', page);
    expect(second.body.organizations.map((o: any) => o.ids.organization_id)).toEqual(['web1']);

    const found = await call(c, 'GET', '/search/organizations?name_contains=WEB', page);
    expect(found.body.organizations.map((o: any) => o.ids.organization_id)).toEqual(['web1']);
    expect(found.headers.get('x-total-count')).toBe('1');

    const updated = await call(c, 'PUT', '/organizations/web1', page, {
      organization: { name: 'Web 1', attributes: { team: 'radio' } },
      field_mask: { paths: ['name', 'description', 'attributes'] },
    });
    expect(updated.status).toBe(200);
    const stored = (await s.ok(['get', 'web1', '--all'])).json;
    expect(stored).toMatchObject({ name: 'Web 1', attributes: { team: 'radio' } });
    expect(stored.description).toBeUndefined();

    expect((await call(c, 'GET', '/organizations/web1/rights', page)).body).toEqual({
      rights: (await s.ok(['rights', 'web1'])).json,
    });
    const removed = await call(c, 'DELETE', '/organizations/web1', page);
    expect([removed.status, removed.body]).toEqual([200, {}]);
    expectApiError(await call(c, 'GET', '/organizations/web1', page), 404, 'organization_not_found');
    const deleted = await call(c, 'GET', '/organizations?deleted=true', page);
    expect(deleted.body.organizations.map((o: any) => o.ids.organization_id)).toEqual(['web1']);
    expect((await call(c, 'POST', '/organizations/web1/restore', page)).status).toBe(200);
    expect((await call(c, 'DELETE', '/organizations/web1/purge', page)).status).toBe(200);
    expect((await s.run(['get', 'web1'])).exitCode).toBe(3);
  });

  test('contacts: field masks, set and unset by PUT, a contact removed is collaborator_is_contact', async () => {
    const made = await call(c, 'POST', '/users/user1/organizations', page, {
      organization: { ids: { organization_id: 'web2' }, technical_contact: { user_ids: { user_id: 'user1' } } },
    });
    expect(made.status, JSON.stringify(made.body)).toBe(200);
    const contacts = await call(
      c,
      'GET',
      '/organizations/web2?field_mask=administrative_contact,technical_contact',
      page,
    );
    expect(contacts.body).toEqual(
      (await s.ok(['get', 'web2', '--administrative-contact', '--technical-contact'])).json,
    );
    expect(contacts.body.administrative_contact).toEqual({ user_ids: { user_id: 'user1' } });
    await s.ok(['collaborators', 'set', 'web2', '--user-id', 'user2', '--right-organization-all']);
    const moved = await call(c, 'PUT', '/organizations/web2', page, {
      organization: { administrative_contact: { user_ids: { user_id: 'user2' } } },
      field_mask: { paths: ['administrative_contact', 'technical_contact'] },
    });
    expect(moved.body).toEqual(expect.objectContaining({ administrative_contact: { user_ids: { user_id: 'user2' } } }));
    expect((await s.ok(['get', 'web2', '--all'])).json).not.toHaveProperty('technical_contact');
    expectApiError(
      await call(c, 'DELETE', '/organizations/web2/collaborators/user/user2', page),
      400, // failed precondition, as The Things Stack's errCollaboratorIsContact
      'collaborator_is_contact',
    );
    expectApiError(
      await call(c, 'PUT', '/organizations/web2', page, {
        organization: { technical_contact: { user_ids: { user_id: 'user3' } } },
      }),
      400,
      'contact_no_collaborator',
    );
  });

  test('collaborators and API keys of an organization', async () => {
    const set = await call(c, 'PUT', '/organizations/org1/collaborators', page, {
      collaborator: {
        ids: { user_ids: { user_id: 'user2' } },
        rights: ['RIGHT_ORGANIZATION_INFO', 'RIGHT_APPLICATION_INFO'],
      },
    });
    expect([set.status, set.body]).toEqual([200, {}]);
    const one = await call(c, 'GET', '/organizations/org1/collaborator/user/user2', page);
    expect(one.body).toEqual((await s.ok(['collaborators', 'get', 'org1', '--user-id', 'user2'])).json);
    const all = await call(c, 'GET', '/organizations/org1/collaborators', page);
    expect(all.body).toEqual({ collaborators: (await s.ok(['collaborators', 'list', 'org1'])).json });
    expect((await call(c, 'DELETE', '/organizations/org1/collaborators/user/user2', page)).status).toBe(200);
    expect((await s.run(['collaborators', 'get', 'org1', '--user-id', 'user2'])).exitCode).toBe(3);

    const key = await call(c, 'POST', '/organizations/org1/api-keys', page, {
      name: 'from the console',
      rights: ['RIGHT_ORGANIZATION_INFO'],
      expires_at: '2099-01-01T00:00:00Z',
    });
    expect(key.status).toBe(200);
    expect(key.body.key).toMatch(/^NNSXS\.[A-Z2-7]{39}\.[A-Z2-7]{52}$/);
    const id = key.body.id;
    const listed = await call(c, 'GET', '/organizations/org1/api-keys', page);
    expect(listed.body.api_keys.map((k: any) => k.id)).toContain(id);
    expect(listed.body.api_keys.every((k: any) => k.key === undefined)).toBe(true);
    const renamed = await call(c, 'PUT', `/organizations/org1/api-keys/${id}`, page, {
      api_key: { name: 'renamed' },
      field_mask: { paths: ['name'] },
    });
    expect(renamed.body).toMatchObject({ id, name: 'renamed', rights: ['RIGHT_ORGANIZATION_INFO'] });
    expect((await call(c, 'GET', `/organizations/org1/api-keys/${id}`, page)).body.name).toBe('renamed');
    expect((await call(c, 'DELETE', `/organizations/org1/api-keys/${id}`, page)).status).toBe(200);
    expectApiError(await call(c, 'GET', `/organizations/org1/api-keys/${id}`, page), 404, 'api_key_not_found');

    // The Things Stack's ways of removing: SetCollaborator and UpdateAPIKey with no rights.
    await s.ok(['collaborators', 'set', 'org1', '--user-id', 'user2', '--right-organization-info']);
    const unset = await call(c, 'PUT', '/organizations/org1/collaborators', page, {
      collaborator: { ids: { user_ids: { user_id: 'user2' } } },
    });
    expect([unset.status, unset.body]).toEqual([200, {}]);
    expect((await s.run(['collaborators', 'get', 'org1', '--user-id', 'user2'])).exitCode).toBe(3);
    const other = (await s.ok(['api-keys', 'create', 'org1', '--right-organization-info'])).json;
    const emptied = await call(c, 'PUT', `/organizations/org1/api-keys/${other.id}`, page, {
      api_key: { rights: [] },
      field_mask: { paths: ['rights'] },
    });
    expect([emptied.status, emptied.body]).toEqual([200, {}]);
    expect((await s.run(['api-keys', 'get', 'org1', other.id])).exitCode).toBe(3);
  });

  test('applications, gateways and clients: create for a user or an organization, collaborators, explained rights, search', async () => {
    for (const [plural, key] of [
      ['applications', 'application'],
      ['gateways', 'gateway'],
      ['clients', 'client'],
    ] as const) {
      const id = `${key}-web`;
      const created = await call(c, 'POST', `/users/user1/${plural}`, page, {
        [key]: { ids: { [`${key}_id`]: id }, name: `${key} on the web` },
      });
      expect(created.status, JSON.stringify(created.body)).toBe(200);
      expect(
        (await call(c, 'POST', `/organizations/org1/${plural}`, page, { [key]: { ids: { [`${key}_id`]: `${id}-2` } } }))
          .status,
      ).toBe(200);
      const joined = await call(c, 'PUT', `/${plural}/${id}/collaborators`, page, {
        collaborator: {
          ids: { organization_ids: { organization_id: 'org1' } },
          rights: [`RIGHT_${key.toUpperCase()}_INFO`],
        },
      });
      expect([joined.status, joined.body]).toEqual([200, {}]);
      const collaborators = await call(c, 'GET', `/${plural}/${id}/collaborators`, page);
      expect(collaborators.body).toEqual({ collaborators: (await s.ok([plural, 'collaborators', 'list', id])).json });
      expect(collaborators.headers.get('x-total-count')).toBe('2');
      const explained = await call(c, 'GET', `/${plural}/${id}/rights?explain=true&user_id=user1`, page);
      expect(explained.body).toEqual((await s.ok([plural, 'rights', id, '--user-id', 'user1', '--explain'])).json);
      const found = await call(c, 'GET', `/search/${plural}?name_contains=ON%20THE%20WEB`, page);
      expect(found.body[plural].map((e: any) => e.ids[`${key}_id`])).toEqual([id]);
      const updated = await call(c, 'PUT', `/${plural}/${id}`, page, { [key]: { description: 'edited' } });
      expect(updated.body).toMatchObject({ description: 'edited' });
      expect((await call(c, 'DELETE', `/${plural}/${id}/collaborators/organization/org1`, page)).status).toBe(200);
      expect((await call(c, 'DELETE', `/${plural}/${id}`, page)).status).toBe(200);
      const deleted = await call(c, 'GET', `/${plural}?deleted=true`, page);
      expect(deleted.body[plural].map((e: any) => e.ids[`${key}_id`])).toEqual([id]);
      // The organization's own, on The Things Stack's route.
      const owned = await call(c, 'GET', `/organizations/org1/${plural}`, page);
      expect(owned.body[plural].map((e: any) => e.ids[`${key}_id`])).toContain(`${id}-2`);
    }
  });

  test('access, reach, and ?dry_run=true on a change of access: its report, nothing changed', async () => {
    await s.ok(['apps', 'create', 'dry-app', '--organization-id', 'org1']);
    await s.ok(['apps', 'collaborators', 'set', 'dry-app', '--user-id', 'dry-user', '--right-application-info']);
    const access = await call(c, 'GET', '/applications/dry-app/access?explain=true', page);
    expect(access.body).toEqual((await s.ok(['apps', 'access', 'dry-app', '--explain'])).json);
    const reach = await call(c, 'GET', '/organizations/org1/reach', page);
    expect(reach.body).toEqual((await s.ok(['reach', 'org1'])).json);
    const before = await storeRows(s.db);
    const tried = await call(c, 'DELETE', '/applications/dry-app/collaborators/user/dry-user?dry_run=true', page);
    expect(tried.status).toBe(200);
    expect(tried.body).toEqual(
      (await s.ok(['apps', 'collaborators', 'delete', 'dry-app', '--user-id', 'dry-user', '--dry-run'])).json,
    );
    expect(tried.body.access.map((pair: any) => [pair.subject, pair.lost])).toEqual([
      [{ user_ids: { user_id: 'dry-user' } }, ['RIGHT_APPLICATION_INFO']],
    ]);
    expect(await storeRows(s.db)).toEqual(before);
    // Refused as the change itself would be: the last holder of _ALL stays.
    expectApiError(
      await call(c, 'DELETE', '/applications/dry-app/collaborators/organization/org1?dry_run=true', page),
      400,
      'application_needs_collaborator',
    );
    expect(await storeRows(s.db)).toEqual(before);
  });

  test('every error class has its HTTP status as grpc-gateway maps its gRPC code: 400, 401, 403, 404, 409 (503 below, on PostgreSQL)', async () => {
    expectApiError(
      await call(c, 'POST', '/users/user1/organizations', page, {
        organization: { ids: { organization_id: 'Not Valid' } },
      }),
      400,
      'invalid_organization_id',
    );
    expectApiError(
      await call(c, 'POST', '/users/user1/organizations', page, { organization: { ids: { organization_id: 'org1' } } }),
      409,
      'id_taken',
    );
    expectApiError(await call(c, 'GET', '/organizations/nothere', page), 404, 'organization_not_found');
    expectApiError(await call(c, 'GET', '/nothing/here', page), 404, 'route_not_found');
    expectApiError(await call(c, 'PATCH', '/organizations/org1', page), 400, 'method_not_allowed');
    const asUser3 = await startConsole(s, { ORGS_USER_ID: 'user3' });
    try {
      const other = await login(asUser3);
      expectApiError(
        await call(asUser3, 'DELETE', '/organizations/org1', { cookie: other.cookie, 'x-csrf-token': other.csrf }),
        403,
        'insufficient_rights',
      );
    } finally {
      asUser3.process.kill('SIGINT');
      await asUser3.process;
    }
    const broken = await fetch(`${c.origin}/api/v3/users/user1/organizations`, {
      method: 'POST',
      headers: { ...page, 'content-type': 'application/json' },
      body: '{not json',
    });
    expect(broken.status).toBe(400);
  });

  test("the activity: the console's changes are events, its caller's", async () => {
    const events = await call(c, 'GET', '/events?organization_id=org1&tail=3', page);
    expect(events.status).toBe(200);
    expect(events.body.length).toBeGreaterThan(0);
    expect(events.body.at(-1).caller).toEqual({ local_administrator: true, admin: true });
    // Each request is a command of its own: its own correlation ID.
    const correlations = new Set(events.body.map((e: any) => e.correlation_ids[0]));
    expect(correlations.size).toBe(events.body.length);
  });

  test.runIf(onPostgres)('503 when the store goes away: a PostgreSQL connection ended by the server', async () => {
    const other = await startConsole(s);
    try {
      const { cookie } = await login(other);
      expect((await call(other, 'GET', '/organizations', { cookie })).status).toBe(200);
      // The server ends every connection to the sandbox's database (the last test: the other console's go too).
      await storeQuery(
        s.db,
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`,
      );
      expectApiError(await call(other, 'GET', '/organizations', { cookie }), 503, 'unavailable');
    } finally {
      other.process.kill('SIGINT');
      await other.process;
    }
  });
});
