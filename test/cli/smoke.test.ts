import { afterEach, beforeEach, expect, test } from 'vitest';
import { errorName, sandbox, type Sandbox } from '../helpers.js';

let s: Sandbox;
beforeEach(() => {
  s = sandbox();
});
afterEach(() => s.cleanup());

test('the README command prints the org1 JSON', async () => {
  const result = await s.ok(['create', 'org1', '--user-id', 'user1']);
  expect(Object.keys(result.json)).toEqual(['ids', 'created_at', 'updated_at']);
  expect(result.json.ids).toEqual({ organization_id: 'org1' });
  expect(result.stderr).toBe('');
});

test('an invalid ID is one error line and exit 2', async () => {
  const result = await s.run(['create', 'Bad_ID', '--user-id', 'user1']);
  expect(result.exitCode).toBe(2);
  expect(result.stdout).toBe('');
  expect(errorName(result)).toBe('invalid_organization_id');
});

test('config get db names the store in effect: --db, else ORGS_DB', async () => {
  expect((await s.ok(['config', 'get', 'db'])).stdout).toBe(`${s.db}\n`);
  expect((await s.ok(['--db', '/tmp/elsewhere.db', 'config', 'get', 'db'])).stdout).toBe('/tmp/elsewhere.db\n');
});
