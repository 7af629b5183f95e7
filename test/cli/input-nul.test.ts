/**
 * U+0000 in text (issue 18, "One behaviour on both stores"): SQLite can store it and PostgreSQL
 * cannot, so the core refuses it before any store sees it, on the CLI (exit 2) and on the Console
 * (400). A bulk document that holds it costs only itself.
 */
import type { ResultPromise } from 'execa';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { storeRows, storeQuery, sandbox, type Sandbox } from '../helpers.js';
import { startConsole } from './console-client.js';

const NUL = '\u0000';

describe('bulk create: a document holding NUL fails alone, on either store', () => {
  let s: Sandbox;
  beforeAll(() => {
    s = sandbox();
  });
  afterAll(() => s.cleanup());

  test.each([
    ['name', { name: `a${NUL}b` }, 'invalid_name'],
    ['description', { description: `${NUL}` }, 'invalid_description'],
    ['attribute value', { attributes: { key: `v${NUL}` } }, 'invalid_attribute_value'],
    ['attribute key', { attributes: { [`k${NUL}ey`]: 'v' } }, 'invalid_attribute_key'],
    ['ID', { ids: { organization_id: `bad${NUL}` } }, 'invalid_organization_id'],
  ])('in its %s', async (field, fields, name) => {
    const prefix = field.toLowerCase().replace(/ /g, '-');
    const input = [
      { ids: { organization_id: `${prefix}-before` } },
      { ids: { organization_id: `${prefix}-bad` }, ...fields },
      { ids: { organization_id: `${prefix}-after` } },
    ]
      .map((doc) => JSON.stringify(doc))
      .join('\n');
    const result = await s.run(['create', '--user-id', 'user1'], { input });
    expect(result.exitCode, result.stderr).toBe(2);
    const [failure, summary, ...rest] = result.stderr.trimEnd().split('\n');
    expect(failure).toMatch(new RegExp(`^error:[a-z]+:${name} \\(item 2 .*(U\\+0000|\\\\u0000).*\\)$`));
    expect(summary).toBe('error:bulk:items_failed (1 of 3 organizations failed, 2 created)');
    expect(rest).toEqual([]);
    expect(await storeQuery(s.db, `SELECT id FROM organizations WHERE id LIKE '${prefix}-%' ORDER BY id`)).toEqual([
      `${prefix}-after`,
      `${prefix}-before`,
    ]);
  });
});

interface Console {
  origin: string;
  process: ResultPromise;
  headers: Record<string, string>;
}

/** `orgs console` for the sandbox, opened as its page is: the cookie and the CSRF token. */
async function openConsole(s: Sandbox): Promise<Console> {
  const { url, process: child } = await startConsole(s);
  const { origin } = new URL(url);
  const cookie = (await fetch(url, { redirect: 'manual' })).headers.get('set-cookie')!.split(';')[0]!;
  const page = await (await fetch(`${origin}/`, { headers: { cookie } })).text();
  const csrf = /<meta name="csrf-token" content="([^"]+)">/.exec(page)![1]!;
  return { origin, process: child, headers: { cookie, 'x-csrf-token': csrf } };
}

describe('the Console answers NUL with 400, whatever the store', () => {
  let s: Sandbox;
  let c: Console;
  beforeAll(async () => {
    s = sandbox();
    await s.ok(['create', 'org1', '--user-id', 'user1', '--name', 'Org One']);
    c = await openConsole(s);
  });
  afterAll(async () => {
    c?.process.kill('SIGINT');
    await c?.process;
    await s?.cleanup();
  });

  async function expect400(method: string, path: string, name: string, body?: unknown): Promise<void> {
    const before = await storeRows(s.db);
    const response = await fetch(`${c.origin}/api/v3${path}`, {
      method,
      headers: { ...c.headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const answer = (await response.json()) as { message: string };
    expect(response.status, JSON.stringify(answer)).toBe(400);
    expect(answer).toMatchObject({ code: 3, details: [{ name }] });
    expect(answer.message).toMatch(/U\+0000|\\u0000/);
    expect(await storeRows(s.db)).toEqual(before);
  }

  test.each([
    ['name_contains', 'invalid_search'],
    ['description_contains', 'invalid_search'],
    ['query', 'invalid_search'],
    ['id_contains', 'invalid_search'],
  ])('a search filter: %s', async (filter, name) => {
    await expect400('GET', `/search/organizations?${filter}=a%00b`, name);
  });

  test.each([
    ['names', 'names=org%00.create', 'invalid_names'],
    ['an exact name among several', 'names=organization.create,x%00', 'invalid_names'],
    ['an organization ID', 'organization_id=org1%00', 'invalid_organization_id'],
    ['a user ID', 'user_id=user1%00', 'invalid_user_id'],
  ])('an events filter: %s', async (_, query, name) => {
    await expect400('GET', `/events?${query}`, name);
  });

  test('a new organization and an API key name', async () => {
    await expect400('POST', '/users/user1/organizations', 'invalid_name', {
      organization: { ids: { organization_id: 'org2' }, name: `x${NUL}` },
    });
    await expect400('POST', '/organizations/org1/api-keys', 'invalid_name', {
      name: `key${NUL}`,
      rights: ['RIGHT_ORGANIZATION_INFO'],
    });
  });

  test('an API key ID in a path', async () => {
    await expect400('GET', '/organizations/org1/api-keys/AB%00CD', 'invalid_api_key_id');
  });
});
