/**
 * The Console's API at its edge, as a hostile local client would try it: values of the wrong JSON
 * type, rights of another group, bad %-escapes, query parameters that are not what they say (all a
 * 400 that changes nothing), and clients that announce a body and stall (never holding the
 * others). And for a person: the used link answers a browser with a page, Ctrl-C with no error.
 */
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { storeRows, storeRowsBesidesKeyUse, sandbox, type Sandbox } from '../helpers.js';
import {
  type Answer,
  call,
  type Console,
  errorNameOf,
  login,
  serveConsole,
  type Served,
  startConsole,
} from './console-client.js';

const KINDS = [
  ['applications', 'application'],
  ['gateways', 'gateway'],
  ['clients', 'client'],
] as const;

/** A request the API takes: each value in it is replaced in turn by values of another JSON type. */
interface Valid {
  method: string;
  path: string;
  body: Record<string, unknown>;
}

/** Values of every JSON type but `value`'s ("no" is not `true`, `["alice"]` is not "alice"). */
function otherTypes(value: unknown): unknown[] {
  const candidates = [['alice'], 5, { user_id: 'alice' }, null, true, 'no'];
  const type = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);
  return candidates.filter((candidate) => type(candidate) !== type(value));
}

/**
 * Every body made of `body` with one value (an object, a list, an element, a leaf) replaced by
 * one of another type, or one field too many; attributes are a map, their keys are free.
 */
function mutations(body: unknown, isMap = false): Array<{ what: string; body: unknown }> {
  const out: Array<{ what: string; body: unknown }> = otherTypes(body).map((wrong) => ({
    what: JSON.stringify(wrong),
    body: wrong,
  }));
  if (Array.isArray(body)) {
    body.forEach((element, i) => {
      for (const inner of mutations(element)) {
        out.push({ what: `[${i}]=${inner.what}`, body: body.map((e, j) => (j === i ? inner.body : e)) });
      }
    });
  } else if (typeof body === 'object' && body !== null) {
    const record = body as Record<string, unknown>;
    // Names every object has (as JSON.parse makes them: own fields) are no field of a route's either.
    if (!isMap) {
      for (const name of ['unexpected', '__proto__', 'constructor', 'toString']) {
        out.push({ what: `.${name}`, body: { ...record, [name]: { x: 1 } } });
      }
    }
    for (const [key, value] of Object.entries(record)) {
      for (const inner of mutations(value, key === 'attributes')) {
        out.push({
          what: `.${key}${inner.what.startsWith('.') || inner.what.startsWith('[') ? '' : '='}${inner.what}`,
          body: { ...record, [key]: inner.body },
        });
      }
    }
  }
  return out;
}

/** An error of the API's edge: a 400 of namespace `api`. */
function expectRefusedAtTheEdge(answer: Answer, what: string): void {
  expect(answer.status, `${what}: ${JSON.stringify(answer.body)}`).toBe(400);
  expect(answer.body, what).toMatchObject({ code: 3, details: [{ namespace: 'api' }] });
  expect(answer.body.message, what).toMatch(/^error:api:invalid_[a-z_]+ \(.+\)$/);
}

/** A raw connection to the console: what a script can do that fetch does not allow. */
function rawSocket(c: Served): Promise<{ socket: Socket; received: () => string; closed: Promise<void> }> {
  return new Promise((resolve, reject) => {
    let text = '';
    const socket = connect(c.port, '127.0.0.1', () => resolve({ socket, received: () => text, closed }));
    socket.on('data', (chunk) => (text += chunk.toString()));
    const closed = new Promise<void>((done) => socket.once('close', () => done()));
    socket.once('error', reject);
  });
}

/** Resolves once `socket` has received a whole status line. */
async function statusLine(raw: { socket: Socket; received: () => string }): Promise<string> {
  while (!raw.received().includes('\r\n')) await new Promise((r) => raw.socket.once('data', r));
  return raw.received().split('\r\n')[0]!;
}

describe('the Console API at its edge', () => {
  let s: Sandbox;
  let c: Console;
  let page: Record<string, string>;
  let keyId: string;
  let bearer: Record<string, string>;

  beforeAll(async () => {
    s = sandbox();
    await s.ok(['create', 'org1', '--user-id', 'alice']);
    for (const [plural, kind] of KINDS) await s.ok([plural, 'create', `${kind}1`, '--user-id', 'alice']);
    const created = (await s.ok(['api-keys', 'create', 'org1', '--right-organization-all'])).json;
    keyId = created.id;
    bearer = { authorization: `Bearer ${created.key}` };
    c = await startConsole(s);
    const browser = await login(c);
    page = { cookie: browser.cookie, 'x-csrf-token': browser.csrf };
  });
  afterAll(async () => {
    c?.process.kill('SIGINT');
    await c?.process;
    await s?.cleanup();
  });

  const collaborator = (rights: string[]) => ({
    collaborator: { ids: { user_ids: { user_id: 'bob' } }, rights },
  });
  const valid = (): Valid[] => [
    {
      method: 'POST',
      path: '/users/alice/organizations',
      body: {
        organization: {
          ids: { organization_id: 'edge1' },
          name: 'Edge',
          description: 'made at the edge',
          attributes: { team: 'radio' },
          fanout_notifications: true,
        },
      },
    },
    {
      method: 'PUT',
      path: '/organizations/org1',
      body: {
        organization: { name: 'Edge', description: 'd', attributes: { team: 'radio' }, fanout_notifications: true },
        field_mask: { paths: ['name', 'fanout_notifications'] },
      },
    },
    { method: 'PUT', path: '/organizations/org1/collaborators', body: collaborator(['RIGHT_ORGANIZATION_INFO']) },
    {
      method: 'POST',
      path: '/organizations/org1/api-keys',
      body: { name: 'k', rights: ['RIGHT_ORGANIZATION_INFO'], expires_at: '2099-01-01T00:00:00Z' },
    },
    {
      method: 'PUT',
      path: `/organizations/org1/api-keys/${keyId}`,
      body: { api_key: { name: 'k', rights: ['RIGHT_ORGANIZATION_INFO'], expires_at: '2099-01-01T00:00:00Z' } },
    },
    ...['/registry/plan', '/registry/apply'].map((path) => ({
      method: 'POST',
      path,
      body: { file: 'version: 1\n', file_name: 'edge.yaml', prune: true },
    })),
    ...KINDS.flatMap(([plural, kind]): Valid[] => {
      const record = (id: string) => ({
        ids: { [`${kind}_id`]: id },
        name: 'Edge',
        description: 'd',
        attributes: { a1b: 'v' },
      });
      const rights = [`RIGHT_${kind.toUpperCase()}_INFO`];
      return [
        { method: 'POST', path: `/users/alice/${plural}`, body: { [kind]: record(`${kind}-of-alice`) } },
        { method: 'POST', path: `/organizations/org1/${plural}`, body: { [kind]: record(`${kind}-of-org1`) } },
        {
          method: 'PUT',
          path: `/${plural}/${kind}1`,
          body: {
            [kind]: { name: 'Edge', description: 'd', attributes: { a1b: 'v' } },
            field_mask: { paths: ['name'] },
          },
        },
        { method: 'PUT', path: `/${plural}/${kind}1/collaborators`, body: collaborator(rights) },
        {
          method: 'PUT',
          path: `/${plural}/${kind}1/collaborators`,
          body: { collaborator: { ids: { organization_ids: { organization_id: 'org1' } }, rights } },
        },
      ];
    }),
  ];

  test('a value of the wrong JSON type, anywhere in any body, is a 400 that changes nothing', async () => {
    const before = await storeRows(s.db);
    for (const request of valid()) {
      // Only objects are bodies: the others are refused as a whole, as they were.
      const bodies = mutations(request.body).filter(
        ({ body }) => typeof body === 'object' && body !== null && !Array.isArray(body),
      );
      const answers = await Promise.all(bodies.map(({ body }) => call(c, request.method, request.path, page, body)));
      answers.forEach((answer, i) =>
        expectRefusedAtTheEdge(answer, `${request.method} ${request.path} ${bodies[i]!.what}`),
      );
    }
    // A body where a route takes none.
    expectRefusedAtTheEdge(await call(c, 'POST', '/organizations/org1/restore', page, { force: true }), 'restore');
    expect(await storeRows(s.db)).toEqual(before);
    // The bodies they were made of are taken.
    for (const { method, path, body } of valid()) {
      const answer = await call(c, method, path, page, body);
      expect(answer.status, `${method} ${path}: ${JSON.stringify(answer.body)}`).toBeLessThan(300);
    }
  }, 120_000); // about a thousand requests

  test('{"user_id": ["alice"]} leaves org1 and app1 their owner, and no event holds an array', async () => {
    for (const path of ['/organizations/org1/collaborators', '/applications/application1/collaborators']) {
      const answer = await call(c, 'PUT', path, page, {
        collaborator: { ids: { user_ids: { user_id: ['alice'] } }, rights: ['RIGHT_ORGANIZATION_INFO'] },
      });
      expectRefusedAtTheEdge(answer, path);
      expect(errorNameOf(answer)).toBe('invalid_body');
    }
    expect((await s.ok(['collaborators', 'get', 'org1', '--user-id', 'alice'])).json.rights).toEqual(['RIGHT_ALL']);
    expect(
      (await s.ok(['applications', 'collaborators', 'get', 'application1', '--user-id', 'alice'])).json.rights,
    ).toEqual(['RIGHT_ALL']);
    const events = (await s.ok(['events'])).stdout;
    expect(events).not.toMatch(/"user_id":\s*\[/);
  });

  test('a right of another group or of no group is a 400 that changes nothing, for the cookie and a key', async () => {
    // The key authenticates (the Console checks it before reading the body): its last use may be recorded.
    const before = await storeRowsBesidesKeyUse(s.db);
    const refused: Array<[string, string, (rights: string[]) => unknown, string[]]> = [
      [
        'PUT',
        '/organizations/org1/collaborators',
        collaborator,
        ['RIGHT_USER_ALL', 'RIGHT_USER_INFO', 'RIGHT_LABEL_ALL'],
      ],
      ['POST', '/organizations/org1/api-keys', (rights) => ({ rights }), ['RIGHT_USER_ALL', 'RIGHT_USER_INFO']],
      ['PUT', `/organizations/org1/api-keys/${keyId}`, (rights) => ({ api_key: { rights } }), ['RIGHT_USER_ALL']],
      ...KINDS.map(([plural, kind]): [string, string, (rights: string[]) => unknown, string[]] => [
        'PUT',
        `/${plural}/${kind}1/collaborators`,
        collaborator,
        ['RIGHT_USER_ALL', 'RIGHT_ORGANIZATION_INFO', kind === 'gateway' ? 'RIGHT_CLIENT_INFO' : 'RIGHT_GATEWAY_INFO'],
      ]),
    ];
    for (const [method, path, body, wrong] of refused) {
      for (const right of [...wrong, 'RIGHT_NOPE', 'right_organization_info', '']) {
        for (const headers of [page, bearer]) {
          const answer = await call(c, method, path, headers, body([right]));
          expectRefusedAtTheEdge(answer, `${method} ${path} ${right}`);
          expect(errorNameOf(answer)).toBe('invalid_rights');
        }
      }
    }
    expect(await storeRowsBesidesKeyUse(s.db)).toEqual(before);
  });

  test('query parameters: wrong values, repeated single values and unknown names are a 400', async () => {
    const get = [
      '/organizations',
      '/search/organizations',
      '/users/alice/organizations',
      '/organizations/org1',
      '/organizations/org1/collaborators',
      '/organizations/org1/api-keys',
      ...KINDS.flatMap(([plural, kind]) => [`/${plural}`, `/search/${plural}`, `/${plural}/${kind}1`]),
      ...KINDS.map(([plural, kind]) => `/${plural}/${kind}1/rights`),
      '/events',
      '/registry/export',
    ];
    const wrong: Record<string, string[]> = {
      format: ['xml', 'YAML', 'yaml&format=json'],
      api_keys: ['no'],
      limit: ['x', '-1', '1.5', '1&limit=2'],
      page: ['0x1', ''],
      tail: ['ten'],
      deleted: ['no', 'yes', 'tru', 'true&deleted=false'],
      explain: ['no', 'maybe'],
      user_id: ['alice&user_id=bob'],
      organization_id: ['org1&organization_id=org2'],
      field_mask: ['name&field_mask=description'],
      order: ['name&order=-name'],
      names: ['a&names=b'],
      after: ['x&after=y'],
      query: ['a&query=b'],
      name_contains: ['a&name_contains=b'],
    };
    // What each route takes (beyond that, a parameter is unknown to it).
    const takes = (path: string): string[] => {
      if (path === '/events') return ['tail', 'names', 'after'];
      if (path === '/registry/export') return ['format', 'deleted', 'api_keys'];
      if (path.endsWith('/rights')) return ['explain', 'user_id', 'organization_id'];
      const paging = ['limit', 'page', 'order'];
      if (path.startsWith('/search/')) return [...paging, 'deleted', 'field_mask', 'query', 'name_contains'];
      if (/^\/(organizations|applications|gateways|clients)$/.test(path)) return [...paging, 'deleted', 'field_mask'];
      if (/\/(collaborators|api-keys|organizations)$/.test(path))
        return paging.concat(path.startsWith('/users') ? ['field_mask'] : []);
      return ['field_mask'];
    };
    for (const path of get) {
      for (const parameter of takes(path)) {
        for (const value of wrong[parameter] ?? []) {
          const url = `${path}?${parameter}=${value}`;
          expectRefusedAtTheEdge(await call(c, 'GET', url, page), url);
        }
      }
      for (const unknown of ['unexpected', 'constructor', '__proto__', 'hasOwnProperty']) {
        expectRefusedAtTheEdge(await call(c, 'GET', `${path}?${unknown}=1`, page), `${path}?${unknown}=1`);
      }
    }
  });

  test('a bad %-escape in a path is a 400 on every route, never a 500', async () => {
    const bad = '%E0%A4%A';
    const routes: Array<[string, string]> = [
      ['GET', `/organizations/${bad}`],
      ['PUT', `/organizations/${bad}`],
      ['DELETE', `/organizations/${bad}`],
      ['POST', `/organizations/${bad}/restore`],
      ['DELETE', `/organizations/${bad}/purge`],
      ['GET', `/organizations/${bad}/rights`],
      ['GET', `/organizations/${bad}/collaborators`],
      ['PUT', `/organizations/${bad}/collaborators`],
      ['GET', `/organizations/org1/collaborator/user/${bad}`],
      ['DELETE', `/organizations/org1/collaborators/user/${bad}`],
      ['GET', `/organizations/${bad}/api-keys`],
      ['POST', `/organizations/${bad}/api-keys`],
      ['GET', `/organizations/org1/api-keys/${bad}`],
      ['PUT', `/organizations/org1/api-keys/${bad}`],
      ['DELETE', `/organizations/org1/api-keys/${bad}`],
      ['GET', `/users/${bad}/organizations`],
      ['POST', `/users/${bad}/organizations`],
      ...KINDS.flatMap(([plural]): Array<[string, string]> => [
        ['POST', `/users/${bad}/${plural}`],
        ['POST', `/organizations/${bad}/${plural}`],
        ['GET', `/${plural}/${bad}`],
        ['PUT', `/${plural}/${bad}`],
        ['DELETE', `/${plural}/${bad}`],
        ['POST', `/${plural}/${bad}/restore`],
        ['DELETE', `/${plural}/${bad}/purge`],
        ['GET', `/${plural}/${bad}/rights`],
        ['GET', `/${plural}/${bad}/collaborators`],
        ['PUT', `/${plural}/${bad}/collaborators`],
        ['GET', `/${plural}/x1/collaborator/user/${bad}`],
        ['DELETE', `/${plural}/x1/collaborators/organization/${bad}`],
      ]),
    ];
    for (const [method, path] of routes) {
      const answer = await call(c, method, path, page);
      expectRefusedAtTheEdge(answer, `${method} ${path}`);
      expect(errorNameOf(answer)).toBe('invalid_path');
    }
  });

  test('a client that announces a body and stalls holds no one, and is dropped at the deadlines', async () => {
    // orgs console gives the headers 3 s and the request 5 s; this Console in-process a tenth of that.
    const c = await serveConsole(s, { deadlines: { headersMs: 300, requestMs: 500, checkMs: 50 } });
    const browser = await login(c);
    const page = { cookie: browser.cookie, 'x-csrf-token': browser.csrf };
    try {
      const stalled = await rawSocket(c);
      stalled.socket.write(
        [
          'PUT /api/v3/organizations/org1/collaborators HTTP/1.1',
          `Host: 127.0.0.1:${c.port}`,
          `Cookie: ${page.cookie}`,
          `X-CSRF-Token: ${page['x-csrf-token']}`,
          'Content-Type: application/json',
          'Content-Length: 1000',
          '',
          '{"collaborator":',
        ].join('\r\n'),
      );
      // Headers that never end, too.
      const slowHeaders = await rawSocket(c);
      slowHeaders.socket.write(`GET /api/v3/organizations HTTP/1.1\r\nHost: 127.0.0.1:${c.port}\r\n`);
      // Meanwhile the owner is answered, for a read and for a change.
      expect((await call(c, 'GET', '/organizations', page)).status).toBe(200);
      expect((await call(c, 'PUT', '/organizations/org1', page, { organization: { name: 'Still here' } })).status).toBe(
        200,
      );
      // The stalled clients are dropped by the console's deadlines (the test's timeout bounds the wait).
      await stalled.closed;
      await slowHeaders.closed;
      expect(stalled.received()).not.toMatch(/^HTTP\/1\.1 2/);
    } finally {
      await c.close();
    }
  });

  test('a request target that is not a path of the console is a 400, never a 500', async () => {
    for (const target of [
      '//',
      '//attacker.example/api/v3/organizations',
      'http://attacker.example/api/v3/organizations',
      '*',
    ]) {
      const raw = await rawSocket(c);
      raw.socket.write(`GET ${target} HTTP/1.1\r\nHost: 127.0.0.1:${c.port}\r\nCookie: ${page.cookie}\r\n\r\n`);
      expect(await statusLine(raw), target).toMatch(/^HTTP\/1\.1 400 /);
      expect(raw.received(), target).toMatch(/error:console:invalid_path/);
      raw.socket.destroy();
    }
  });

  test('the credential is checked before the body is read: no cookie, a foreign Host or a bad key is answered at once', async () => {
    const announce = (headers: string[]) =>
      [
        'PUT /api/v3/organizations/org1/collaborators HTTP/1.1',
        'Content-Type: application/json',
        'Content-Length: 1000',
        ...headers,
        '',
        '{',
      ].join('\r\n');
    const cases: Array<[string[], string]> = [
      [[`Host: 127.0.0.1:${c.port}`], '401'],
      [[`Host: 127.0.0.1:${c.port}`, 'Authorization: Bearer NNSXS.NOPE.NOPE'], '401'],
      [[`Host: 127.0.0.1:${c.port}`, `Cookie: ${page.cookie}`], '403'],
      [[`Host: attacker.example:${c.port}`, `Cookie: ${page.cookie}`, `X-CSRF-Token: ${page['x-csrf-token']}`], '403'],
    ];
    for (const [headers, status] of cases) {
      const raw = await rawSocket(c);
      raw.socket.write(announce(headers));
      expect(await statusLine(raw), headers.join(', ')).toMatch(new RegExp(`^HTTP/1\\.1 ${status} `));
      raw.socket.destroy();
    }
  });
});

describe('orgs console for a person', () => {
  let s: Sandbox;
  beforeAll(() => {
    s = sandbox();
  });
  afterAll(() => s?.cleanup());

  test('the one-time link opened twice: a browser gets a page that says to run orgs console again', async () => {
    const c = await startConsole(s);
    try {
      await login(c);
      const again = await fetch(c.url, { headers: { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' } });
      expect(again.status).toBe(401);
      expect(again.headers.get('content-type')).toMatch(/^text\/html/);
      expect(again.headers.get('content-security-policy')).toMatch(/default-src 'none'/);
      const html = await again.text();
      expect(html).toMatch(/^<!doctype html>/);
      expect(html).toMatch(/run <code>orgs console<\/code> again/);
      expect(html).not.toMatch(/error:console:/);
      // A script asking for JSON still gets the error as JSON.
      const script = await fetch(c.url, { headers: { accept: 'application/json' } });
      expect(script.status).toBe(401);
      expect(errorNameOf({ body: await script.json() })).toBe('token_used');
    } finally {
      c.process.kill('SIGINT');
      await c.process;
    }
  });

  test('Ctrl-C stops it: exit 130, and no error line', async () => {
    const c = await startConsole(s);
    c.process.kill('SIGINT');
    const result = await c.process;
    expect(result.exitCode).toBe(130);
    expect(String(result.stderr)).not.toMatch(/^error:/m);
  });
});
