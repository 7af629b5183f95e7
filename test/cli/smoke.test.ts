import { afterEach, beforeEach, expect, test } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expectError, expectFails, sandbox, type Sandbox } from '../helpers.js';

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
  // expectError, not expectFails: a refused first command still creates the (empty) store file.
  expectError(await s.run(['create', 'Bad_ID', '--user-id', 'user1']), 2, 'invalid_organization_id');
});

test('config get db names the store in effect: --db, else ORGS_DB', async () => {
  expect((await s.ok(['config', 'get', 'db'])).stdout).toBe(`${s.db}\n`);
  expect((await s.ok(['--db', '/tmp/elsewhere.db', 'config', 'get', 'db'])).stdout).toBe('/tmp/elsewhere.db\n');
});

test('a bad hand-edited setting is named by every command, yet config list still shows it to fix', async () => {
  mkdirSync(s.configDir, { recursive: true });
  writeFileSync(join(s.configDir, 'config.json'), '{"restore-window":"banana"}');
  const listed = await s.ok(['config', 'list']);
  expect(listed.json['restore-window']).toBe('banana');
  const refused = await expectFails(s, ['list'], 2);
  expect(refused.stderr).toContain('config key restore-window');
  await s.ok(['config', 'unset', 'restore-window']);
  await s.ok(['list']);
});
