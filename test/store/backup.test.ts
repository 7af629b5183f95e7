/** `orgs backup`: a consistent copy, even while another process writes; restoring is copying back. */
import { copyFileSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { execa } from 'execa';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { BIN, expectFails, sandbox, untilOutput, type Sandbox } from '../helpers.js';

let s: Sandbox;
beforeEach(() => {
  s = sandbox();
});
afterEach(() => s.cleanup());

const documents = (from: number, count: number) =>
  Array.from({ length: count }, (_, i) => `{"ids":{"organization_id":"bulk-${from + i}"}}\n`).join('');

test('a backup taken during a bulk create is sound, and restoring it is copying it back', async () => {
  await s.ok(['create', 'org1', '--user-id', 'user1', '--name', 'Before']);
  const writer = execa('node', [BIN, 'create', '--user-id', 'user1'], {
    env: s.env,
    input: documents(0, 20_000),
    reject: false,
  });
  const backup = join(s.dir, 'backup.db');
  // Wait until the writer has committed something (it prints each batch once committed), then copy while it goes on.
  let printed = '';
  writer.stdout!.on('data', (chunk: Buffer) => (printed += chunk.toString()));
  await untilOutput(writer.stdout!, () => printed.includes('"bulk-0"'), 'the first committed batch');
  const result = await s.ok(['backup', backup]);
  expect(result.stdout).toBe('');
  expect(statSync(backup).mode & 0o777).toBe(0o600);
  expect((await writer).exitCode).toBe(0);

  const copy = new Database(backup, { readonly: true });
  expect(copy.pragma('integrity_check', { simple: true })).toBe('ok');
  expect(copy.prepare('SELECT name FROM organizations WHERE id = ?').pluck().get('org1')).toBe('Before');
  copy.close();

  // Restore, with no orgs running: copy the backup over the store, without the old WAL beside it.
  await s.ok(['set', 'org1', '--name', 'After']);
  copyFileSync(backup, s.db);
  rmSync(s.db + '-wal', { force: true });
  rmSync(s.db + '-shm', { force: true });
  const restored = await s.ok(['get', 'org1', '--name']);
  expect(restored.json.name).toBe('Before');
});

test('an existing file is not overwritten without --force', async () => {
  await s.ok(['create', 'org1', '--user-id', 'user1']);
  const backup = join(s.dir, 'backup.db');
  writeFileSync(backup, 'precious');
  await expectFails(s, ['backup', backup], 5, 'backup_exists');
  expect(readFileSync(backup, 'utf8')).toBe('precious');
  await s.ok(['backup', backup, '--force']);
  const copy = new Database(backup, { readonly: true });
  expect(copy.prepare('SELECT id FROM organizations').pluck().all()).toEqual(['org1']);
  copy.close();
});
