/**
 * `export --from URL --api-key KEY` (API.md, "Reading a real The Things Stack"), against a stand-in
 * for The Things Stack on 127.0.0.1 that answers in its shapes: wrapped lists (`{}` when empty),
 * pages smaller than asked for with X-Total-Count, 403 where the key may not list. The file it
 * prints applies to an empty store and exports back the same; only GETs reach the server; every
 * fault of the server is one error line, nothing on stdout, the key never printed.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { expectError, sandbox } from '../helpers.js';

const KEY = 'NNSXS.REMOTEKEYID.SECRETSECRETSECRETSECRET';

type Answer = { status?: number; body?: unknown; total?: number; headers?: Record<string, string>; raw?: string };

/** The Things Stack's registry, as its API answers for KEY: org-a and org-b, app1, gtw1. */
const REGISTRY: Record<string, Answer | Answer[]> = {
  '/api/v3/organizations': [
    {
      body: {
        organizations: [
          { ids: { organization_id: 'org-b' }, name: 'B', ...contacts('user1') },
          { ids: { organization_id: 'org-a' }, ...contacts('user1') },
        ],
      },
      total: 3,
    },
    { body: { organizations: [{ ids: { organization_id: 'org-c' }, description: 'seen, not listed' }] }, total: 3 },
  ],
  '/api/v3/organizations/org-a/collaborators': {
    body: { collaborators: [{ ids: { user_ids: { user_id: 'user1' } }, rights: ['RIGHT_ALL'] }] },
    total: 1,
  },
  '/api/v3/organizations/org-a/api-keys': {
    body: {
      api_keys: [{ id: 'KEY2', name: 'ci', rights: ['RIGHT_ORGANIZATION_INFO'], expires_at: '2030-01-01T00:00:00Z' }],
    },
    total: 1,
  },
  '/api/v3/organizations/org-b/collaborators': {
    body: {
      collaborators: [
        { ids: { user_ids: { user_id: 'user2' } }, rights: ['RIGHT_ORGANIZATION_INFO', 'RIGHT_APPLICATION_INFO'] },
        { ids: { user_ids: { user_id: 'user1' } }, rights: ['RIGHT_ALL'] },
      ],
    },
    total: 2,
  },
  '/api/v3/organizations/org-b/api-keys': { body: {}, total: 0 },
  '/api/v3/organizations/org-c/collaborators': forbidden(),
  '/api/v3/organizations/org-c/api-keys': forbidden(),
  '/api/v3/applications': {
    body: {
      applications: [
        {
          ids: { application_id: 'app1' },
          name: 'Tracker',
          attributes: { team: 'radio' },
          administrative_contact: { user_ids: { user_id: 'user1' } },
          technical_contact: { organization_ids: { organization_id: 'org-b' } },
        },
      ],
    },
    total: 1,
  },
  '/api/v3/applications/app1/collaborators': {
    body: {
      collaborators: [
        { ids: { organization_ids: { organization_id: 'org-b' } }, rights: ['RIGHT_APPLICATION_INFO'] },
        { ids: { user_ids: { user_id: 'user1' } }, rights: ['RIGHT_ALL'] },
      ],
    },
    total: 2,
  },
  '/api/v3/gateways': { body: { gateways: [{ ids: { gateway_id: 'gtw1' }, ...contacts('user2') }] }, total: 1 },
  '/api/v3/gateways/gtw1/collaborators': {
    body: { collaborators: [{ ids: { user_ids: { user_id: 'user2' } }, rights: ['RIGHT_GATEWAY_ALL'] }] },
    total: 1,
  },
  '/api/v3/clients': { body: {}, total: 0 },
};

/** Both contacts: the user who created the record, as The Things Stack sets them. */
function contacts(userId: string) {
  const ids = { user_ids: { user_id: userId } };
  return { administrative_contact: ids, technical_contact: ids };
}

function forbidden(): Answer {
  return {
    status: 403,
    body: {
      code: 7,
      message: 'error:pkg/auth/rights:no_organization_rights (no rights for organization `org-c`)',
      details: [{ namespace: 'pkg/auth/rights', name: 'no_organization_rights', code: 7 }],
    },
  };
}

let server: Server;
let base: string;
/** What the stand-in answers now, by path; a test may replace it. */
let answers: Record<string, Answer | Answer[]> = REGISTRY;
const requests: string[] = [];

function answer(request: IncomingMessage, response: ServerResponse): void {
  const url = new URL(request.url ?? '/', 'http://stand-in');
  requests.push(
    `${request.method} ${url.pathname} ${request.headers.authorization === `Bearer ${KEY}` ? 'key' : 'no key'}`,
  );
  const found = answers[url.pathname];
  const page = Number(url.searchParams.get('page') ?? 1);
  const one = Array.isArray(found)
    ? found[page - 1]
    : page === 1
      ? found
      : { body: {}, total: (found as Answer)?.total };
  if (one?.raw !== undefined) {
    response.writeHead(one.status ?? 200, one.headers ?? {});
    response.end(one.raw);
    return;
  }
  if (!one) {
    response.writeHead(404, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ code: 5, message: 'error:pkg/web:not_found (not found)' }));
    return;
  }
  response.writeHead(one.status ?? 200, {
    'content-type': 'application/json',
    ...(one.total === undefined ? {} : { 'x-total-count': String(one.total) }),
    ...one.headers,
  });
  response.end(JSON.stringify(one.body));
}

beforeAll(async () => {
  server = createServer(answer);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}/api/v3`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('export --from', () => {
  test('reads the registry the key sees, page by page, into the file export prints; it applies and exports back the same', async () => {
    answers = REGISTRY;
    requests.length = 0;
    const s = sandbox();
    try {
      const result = await s.ok(['export', '--from', base, '--api-key', KEY]);
      expect(requests.every((line) => line.startsWith('GET ') && line.endsWith(' key'))).toBe(true);
      expect(requests.filter((line) => line.includes('/organizations '))).toHaveLength(2);
      const document = parse(result.stdout);
      expect(document.users).toEqual([{ user_id: 'user1' }, { user_id: 'user2' }]);
      expect(document.organizations).toEqual([
        {
          organization_id: 'org-a',
          ...contacts('user1'),
          fanout_notifications: false,
          members: { user1: ['RIGHT_ALL'] },
          api_keys: [
            { id: 'KEY2', name: 'ci', rights: ['RIGHT_ORGANIZATION_INFO'], expires_at: '2030-01-01T00:00:00.000Z' },
          ],
        },
        {
          organization_id: 'org-b',
          name: 'B',
          ...contacts('user1'),
          fanout_notifications: false,
          members: { user1: ['RIGHT_ALL'], user2: ['RIGHT_APPLICATION_INFO', 'RIGHT_ORGANIZATION_INFO'] },
          api_keys: [],
        },
        { organization_id: 'org-c', description: 'seen, not listed', fanout_notifications: false },
      ]);
      expect(document.applications).toEqual([
        {
          application_id: 'app1',
          name: 'Tracker',
          attributes: { team: 'radio' },
          administrative_contact: { user_ids: { user_id: 'user1' } },
          technical_contact: { organization_ids: { organization_id: 'org-b' } },
          collaborators: { users: { user1: ['RIGHT_ALL'] }, organizations: { 'org-b': ['RIGHT_APPLICATION_INFO'] } },
        },
      ]);
      expect(document.gateways[0]).toEqual({
        gateway_id: 'gtw1',
        ...contacts('user2'),
        collaborators: { users: { user2: ['RIGHT_GATEWAY_ALL'] }, organizations: {} },
      });
      expect(document.clients).toEqual([]);
      expect(result.stderr).not.toContain(KEY.split('.')[2]);

      // Brought home: org-c (its members unseen, nobody to create it for) left out, the rest applied and exported back.
      const file = join(s.dir, 'remote.yaml');
      const withoutHidden = (
        await s.ok([
          'export',
          '--from',
          base,
          '--api-key',
          KEY,
          '--no-api-keys',
          '--organization-id',
          'org-a',
          '--organization-id',
          'org-b',
          '--application-id',
          'app1',
          '--gateway-id',
          'gtw1',
        ])
      ).stdout;
      writeFileSync(file, withoutHidden);
      await s.ok(['apply', file]);
      const local = parse((await s.ok(['export', '--no-api-keys'])).stdout);
      // The administrator's export names its users' admin flags; The Things Stack's lists do not carry them.
      local.users = local.users.map(({ user_id }: { user_id: string }) => ({ user_id }));
      expect(local).toEqual(parse(withoutHidden));
    } finally {
      await s.cleanup();
    }
  });

  const FAULTS: Array<[string, Answer, number, string]> = [
    [
      'an error of The Things Stack',
      {
        status: 401,
        body: {
          code: 16,
          message: 'error:pkg/auth:token_expired (the token expired)',
          details: [{ name: 'token_expired', code: 16 }],
        },
      },
      4,
      'token_expired',
    ],
    [
      'HTML',
      { raw: '<html><body>Sign in</body></html>', headers: { 'content-type': 'text/html' } },
      6,
      'invalid_response',
    ],
    [
      'a redirect',
      { status: 302, raw: '', headers: { location: 'https://elsewhere.example/login' } },
      6,
      'invalid_response',
    ],
    ['garbage', { raw: '{"organizations": [', headers: { 'content-type': 'application/json' } }, 6, 'invalid_response'],
    ['a list that is not one', { body: { organizations: 'many' } }, 6, 'invalid_response'],
  ];
  for (const [what, fault, exitCode, name] of FAULTS) {
    test(`a server answering ${what} is one error line, exit ${exitCode}, nothing on stdout`, async () => {
      answers = { ...REGISTRY, '/api/v3/organizations': fault };
      const s = sandbox();
      try {
        const result = await s.run(['export', '--from', base, '--api-key', KEY]);
        expectError(result, exitCode, name);
        expect(result.stderr).toMatch(/^error:remote:/);
        expect(result.stderr).not.toContain(KEY.split('.')[2]);
      } finally {
        await s.cleanup();
      }
    });
  }

  test('a server that cannot be reached, or never answers within connect-timeout, is unavailable (exit 6)', async () => {
    const s = sandbox();
    const silent = createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const closed = await s.run(['export', '--from', 'http://127.0.0.1:9/api/v3', '--api-key', KEY]);
      expectError(closed, 6, 'unavailable');
      await s.ok(['config', 'set', 'connect-timeout', '50ms']);
      const url = `http://127.0.0.1:${(silent.address() as { port: number }).port}/api/v3`;
      const result = await s.run(['export', '--from', url, '--api-key', KEY]);
      expectError(result, 6, 'unavailable');
      expect(result.stderr).toContain('no answer within 50 ms');
    } finally {
      silent.closeAllConnections();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
      await s.cleanup();
    }
  });

  test('an answer above 64 MiB is refused as it arrives, not read whole', async () => {
    const s = sandbox();
    const endless = createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.write('{"organizations": [');
      const piece = `${'"x",'.repeat(16_384)}`;
      const more = () => {
        while (!response.destroyed && response.write(piece));
        if (!response.destroyed) response.once('drain', more);
      };
      more();
    });
    await new Promise<void>((resolve) => endless.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(endless.address() as { port: number }).port}/api/v3`;
      const result = await s.run(['export', '--from', url, '--api-key', KEY]);
      expectError(result, 6, 'invalid_response');
      expect(result.stderr).toContain('larger than 64 MiB');
    } finally {
      endless.closeAllConnections();
      await new Promise<void>((resolve) => endless.close(() => resolve()));
      await s.cleanup();
    }
  });

  test('--from needs --api-key and an http(s) URL', async () => {
    const s = sandbox();
    try {
      expectError(await s.run(['export', '--from', base]), 2, 'no_api_key');
      expectError(await s.run(['export', '--from', 'file:///etc/passwd', '--api-key', KEY]), 2, 'invalid_url');
    } finally {
      await s.cleanup();
    }
  });
});
