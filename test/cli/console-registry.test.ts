/**
 * The registry as a file in the Console's API (REGISTRY.md, docs/console.md): the export's download
 * is `orgs export`'s bytes; a plan is `orgs plan`'s answer and changes nothing; apply makes what
 * the plan said; a bad file is a 400 naming line and column, a refused step its rule's status, and
 * neither changes anything.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { as, type Sandbox, sandbox, storeRows, withKey } from '../helpers.js';
import { call, type Console, expectApiError, login, startConsole } from './console-client.js';
import { MOVE, seed, write } from './registry-fixture.js';

describe('the registry in the Console', () => {
  let s: Sandbox;
  let c: Console;
  let page: Record<string, string>;

  beforeAll(async () => {
    s = sandbox();
    await seed(s);
    c = await startConsole(s);
    const browser = await login(c);
    page = { cookie: browser.cookie, 'x-csrf-token': browser.csrf };
  });
  afterAll(async () => {
    c?.process.kill('SIGINT');
    await c?.process;
    await s?.cleanup();
  });

  const download = (query: string, headers: Record<string, string> = page) =>
    fetch(`${c.origin}/api/v3/registry/export${query}`, { headers });

  test('Export downloads the bytes orgs export prints, as an attachment', async () => {
    const yaml = await download('');
    expect(yaml.status).toBe(200);
    expect(yaml.headers.get('content-disposition')).toBe('attachment; filename="registry.yaml"');
    expect(yaml.headers.get('content-type')).toBe('application/yaml; charset=utf-8');
    expect(yaml.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await yaml.text()).toBe((await s.ok(['export'])).stdout);

    const json = await download('?format=json&deleted=true&api_keys=false');
    expect(json.headers.get('content-disposition')).toBe('attachment; filename="registry.json"');
    expect(await json.text()).toBe((await s.ok(['export', '--format', 'json', '--deleted', '--no-api-keys'])).stdout);

    // The way back to The Things Stack: a script of its commands (src/core/registry/script.ts, branch regscript).
    const script = await download('?format=ttn-lw-cli');
    expect(script.headers.get('content-disposition')).toBe('attachment; filename="registry.sh"');
    expect(await script.text()).toBe((await s.ok(['export', '--format', 'ttn-lw-cli'])).stdout);

    const named = await download('?organization_id=org1&organization_id=org3&application_id=app1');
    expect(await named.text()).toBe(
      (await s.ok(['export', '--organization-id', 'org1', '--organization-id', 'org3', '--application-id', 'app1']))
        .stdout,
    );
  });

  test("an export is what the caller may see: a user's own records, an API key's", async () => {
    const { key } = (await s.ok(['api-keys', 'create', 'org2', '--right-organization-info'])).json;
    const asKey = await download('', { authorization: `Bearer ${key}` });
    expect(asKey.status).toBe(200);
    expect(await asKey.text()).toBe((await s.ok(['export'], withKey(key))).stdout);

    const asUser3 = await startConsole(s, { ORGS_USER_ID: 'user3' });
    try {
      const { cookie } = await login(asUser3);
      const answer = await fetch(`${asUser3.origin}/api/v3/registry/export`, { headers: { cookie } });
      expect(await answer.text()).toBe((await s.ok(['export'], as('user3'))).stdout);
    } finally {
      asUser3.process.kill('SIGINT');
      await asUser3.process;
    }
  });

  test('an export with a parameter it does not take, or a format it has not, is a 400', async () => {
    for (const query of ['?format=xml', '?format=yaml&format=json', '?deleted=maybe', '?user_id=user1']) {
      const answer = await download(query);
      expect(answer.status, query).toBe(400);
      expect(((await answer.json()) as { details: Array<{ namespace: string }> }).details[0]!.namespace).toBe('api');
    }
    expectApiError(await call(c, 'GET', '/registry/export'), 401, 'unauthenticated');
  });

  test('a plan is orgs plan: the changes and the access they change, and nothing changes', async () => {
    const before = await storeRows(s.db);
    const expected = (await s.ok(['plan', write(s, 'move.yaml', MOVE)])).json;
    const plan = await call(c, 'POST', '/registry/plan', page, { file: MOVE });
    expect(plan.status, JSON.stringify(plan.body)).toBe(200);
    expect(plan.body).toEqual(expected);
    expect(plan.body.changes).toHaveLength(3);
    // apply's dry run is the plan in the dry run's form (what the page asks for).
    const tried = await call(c, 'POST', '/registry/apply?dry_run=true', page, { file: MOVE });
    expect(tried.body).toEqual({ dry_run: true, result: { changes: expected.changes }, access: expected.access });
    expect(await storeRows(s.db)).toEqual(before);
  });

  test('a file the Console does not take: a 400 naming line and column, and nothing changes', async () => {
    const before = await storeRows(s.db);
    const unknownKey = 'version: 1\norganizations:\n  - organization_id: org1\n    colour: blue\n';
    for (const route of ['/registry/plan', '/registry/apply']) {
      const named = await call(c, 'POST', route, page, { file: unknownKey, file_name: 'team.yaml' });
      expectApiError(named, 400, 'invalid_registry');
      expect(named.body.message).toContain('(team.yaml:4:5: ');
      const pasted = await call(c, 'POST', route, page, { file: 'version: 2\n' });
      expectApiError(pasted, 400, 'invalid_registry');
      expect(pasted.body.message).toMatch(/\(registry:1:\d+: /);
      // The body is the route's: the text a string, nothing else.
      expectApiError(await call(c, 'POST', route, page, { file: { version: 1 } }), 400, 'invalid_body');
      expectApiError(await call(c, 'POST', route, page, { file: MOVE, force: true }), 400, 'invalid_body');
      // A change made with the cookie needs the page's CSRF token.
      expectApiError(await call(c, 'POST', route, { cookie: page.cookie! }, { file: MOVE }), 403, 'csrf_token_missing');
    }
    expect(await storeRows(s.db)).toEqual(before);
  });

  test("a refused step refuses the whole apply with its rule's status, and nothing changes", async () => {
    const before = await storeRows(s.db);
    // The first change is allowed, the second would leave org3 without an owner.
    const lastOwner =
      'version: 1\norganizations:\n  - organization_id: org1\n    name: Renamed\n  - organization_id: org3\n    members:\n      user4: [RIGHT_ORGANIZATION_INFO]\n';
    const refused = await call(c, 'POST', '/registry/apply', page, { file: lastOwner, file_name: 'bad.yaml' });
    expectApiError(refused, 400, 'organization_needs_collaborator');
    expect(refused.body.message).toContain('bad.yaml:5:5: member user4 of org3: ');
    expectApiError(
      await call(c, 'POST', '/registry/plan', page, { file: lastOwner }),
      400,
      'organization_needs_collaborator',
    );
    // As a user, what it does not hold it cannot grant.
    const asUser2 = await startConsole(s, { ORGS_USER_ID: 'user2' });
    try {
      const other = await login(asUser2);
      const grant =
        'version: 1\norganizations:\n  - organization_id: org1\n    members:\n      user5: [RIGHT_ORGANIZATION_ALL]\n';
      expectApiError(
        await call(
          asUser2,
          'POST',
          '/registry/apply',
          { cookie: other.cookie, 'x-csrf-token': other.csrf },
          { file: grant },
        ),
        403,
        'insufficient_rights',
      );
    } finally {
      asUser2.process.kill('SIGINT');
      await asUser2.process;
    }
    expect(await storeRows(s.db)).toEqual(before);
  });

  test('a file above the default body limit is taken (the registry routes take up to 64 MiB)', async () => {
    const padded = `version: 1\n${'# a long comment\n'.repeat(128 * 1024)}`;
    expect(padded.length).toBeGreaterThan(2 * 2 ** 20);
    const plan = await call(c, 'POST', '/registry/plan', page, { file: padded });
    expect(plan.status, JSON.stringify(plan.body)).toBe(200);
    expect(plan.body).toEqual({ changes: [], access: [] });
    // Elsewhere the default stays.
    const large = await call(c, 'POST', '/users/user1/organizations', page, {
      organization: { ids: { organization_id: 'large' }, description: 'x'.repeat(2 ** 20) },
    });
    expectApiError(large, 400, 'body_too_large');
  });

  test('apply makes what the plan said, as orgs apply would; its plan is then empty', async () => {
    const plan = (await call(c, 'POST', '/registry/plan', page, { file: MOVE })).body;
    const applied = await call(c, 'POST', '/registry/apply', page, { file: MOVE });
    expect(applied.status, JSON.stringify(applied.body)).toBe(200);
    expect(applied.body).toEqual({ changes: plan.changes });
    const members = (await s.ok(['collaborators', 'list', 'org2'])).json.map((m: any) => m.ids.user_ids.user_id);
    expect(members).toContain('user2');
    expect((await s.run(['collaborators', 'get', 'org1', '--user-id', 'user2'])).exitCode).toBe(3);
    expect((await call(c, 'POST', '/registry/plan', page, { file: MOVE })).body).toEqual({ changes: [], access: [] });
    expect((await s.ok(['plan', write(s, 'move.yaml', MOVE)])).json.changes).toEqual([]);
    // One request, one command: its events share one correlation ID, the console's caller's.
    const events = (await call(c, 'GET', '/events?tail=3', page)).body;
    expect(events.map((e: any) => e.name)).toEqual([
      'organization.collaborator.update',
      'application.collaborator.delete',
      'organization.collaborator.delete',
    ]);
    expect(new Set(events.map((e: any) => e.correlation_ids.join())).size).toBe(1);
    expect(events[0].caller).toEqual({ local_administrator: true, admin: true });
  });
});
