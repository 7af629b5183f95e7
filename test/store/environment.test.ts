/**
 * Files that are not ours, and ordinary trouble with the file system: each is one plain error
 * naming the path, with the exit code the README gives (never "this is a bug"), and nothing that
 * is not a regular file of ours is ever replaced.
 */
import { execFileSync } from 'node:child_process';
import {
  existsSync,
  linkSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  readlinkSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { fileError } from '../../src/store/errors.js';
import { expectError, expectFails, type Result, sandbox, type Sandbox } from '../helpers.js';

let s: Sandbox;
beforeEach(async () => {
  s = sandbox();
  await s.ok(['create', 'org1', '--user-id', 'user1']);
});
afterEach(() => s.cleanup());

const organizationsIn = (path: string) => {
  const copy = new Database(path, { readonly: true, fileMustExist: true });
  try {
    return copy.prepare('SELECT id FROM organizations').pluck().all();
  } finally {
    copy.close();
  }
};

/**
 * For paths where the old code never returned (Node's recursive mkdir loops under /proc): a
 * regression fails the test instead of leaving a process spinning.
 */
const runBounded = (args: string[], env: Record<string, string> = {}): Promise<Result> =>
  s.spawn(args, { env, timeout: 20_000 });

describe('backup --force replaces only a regular file', () => {
  test('a FIFO is refused and stays a FIFO (it was replaced by a regular file)', async () => {
    const fifo = join(s.dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    const result = await expectFails(s, ['backup', fifo, '--force'], 5, 'invalid_backup_path');
    expect(result.stderr).toContain(fifo);
    expect(lstatSync(fifo).isFIFO()).toBe(true);
  });

  test('a folder is refused, with or without --force (it was "unexpected error, this is a bug")', async () => {
    const folder = join(s.dir, 'folder');
    mkdirSync(folder);
    for (const args of [
      ['backup', folder],
      ['backup', folder, '--force'],
    ]) {
      const result = await expectFails(s, args, 5, 'invalid_backup_path');
      expect(result.stderr).toContain(`${folder} is a folder`);
    }
    expect(statSync(folder).isDirectory()).toBe(true);
  });

  test('a symbolic link is written through: the link stays, the file it leads to becomes the backup', async () => {
    const target = join(s.dir, 'target.db');
    const link = join(s.dir, 'link.db');
    writeFileSync(target, 'old backup');
    symlinkSync(target, link);
    await expectFails(s, ['backup', link], 5, 'backup_exists');
    await s.ok(['backup', link, '--force']);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readlinkSync(link)).toBe(target);
    expect(organizationsIn(target)).toEqual(['org1']);
  });

  test('a symbolic link to a folder, to nothing, or into a loop is refused and left as it was', async () => {
    const toFolder = join(s.dir, 'to-folder');
    mkdirSync(join(s.dir, 'folder'));
    symlinkSync(join(s.dir, 'folder'), toFolder);
    expect((await expectFails(s, ['backup', toFolder, '--force'], 5, 'invalid_backup_path')).stderr).toContain(
      toFolder,
    );
    const dangling = join(s.dir, 'dangling');
    symlinkSync(join(s.dir, 'nothing-here'), dangling);
    expect((await expectFails(s, ['backup', dangling], 3, 'backup_path_not_found')).stderr).toContain(dangling);
    const loop = join(s.dir, 'loop');
    symlinkSync(loop, loop);
    expect((await expectFails(s, ['backup', loop, '--force'], 5, 'invalid_backup_path')).stderr).toContain(loop);
    expect(readlinkSync(dangling)).toBe(join(s.dir, 'nothing-here'));
    expect(existsSync(join(s.dir, 'nothing-here'))).toBe(false);
  });

  test('the store itself, its -wal and -shm, by any name, are refused (the store was replaced by its copy)', async () => {
    const hardLink = join(s.dir, 'same-inode.db');
    linkSync(s.db, hardLink);
    const symbolic = join(s.dir, 'store-link.db');
    symlinkSync(s.db, symbolic);
    for (const path of [s.db, `${s.db}-wal`, `${s.db}-shm`, hardLink, symbolic]) {
      const result = await expectFails(s, ['backup', path, '--force'], 5, 'backup_is_store');
      expect(result.stderr).toContain(path);
    }
    expect(lstatSync(symbolic).isSymbolicLink()).toBe(true);
    await s.ok(['get', 'org1']);
  });
});

describe('trouble with the file system is a plain error naming the path', () => {
  test('backup into a missing folder is not found (3), and leaves nothing behind', async () => {
    const path = join(s.dir, 'missing', 'backup.db');
    const result = await expectFails(s, ['backup', path], 3, 'backup_path_not_found');
    expect(result.stderr).toContain(path);
    expect(existsSync(join(s.dir, 'missing'))).toBe(false);
  });

  test('backup under a regular file is a failed precondition (5)', async () => {
    writeFileSync(join(s.dir, 'notes.txt'), 'notes');
    const path = join(s.dir, 'notes.txt', 'backup.db');
    const result = await expectFails(s, ['backup', path], 5, 'invalid_backup_path');
    expect(result.stderr).toContain(`${path} has a file where a folder should be`);
    expect(readFileSync(join(s.dir, 'notes.txt'), 'utf8')).toBe('notes');
  });

  test('--db /dev/null is not a regular file (5; it was SQLite\'s "disk I/O error", a bug)', async () => {
    const result = await expectFails(s, ['--db', '/dev/null', 'list'], 5, 'invalid_store_path');
    expect(result.stderr).toContain('/dev/null is not a regular file');
    expect(statSync('/dev/null').isCharacterDevice()).toBe(true);
  });

  test('--db a FIFO is refused at once, not waited on', async () => {
    const fifo = join(s.dir, 'store-fifo');
    execFileSync('mkfifo', [fifo]);
    const result = await runBounded(['--db', fifo, 'list']);
    expectError(result, 5, 'invalid_store_path');
    expect(lstatSync(fifo).isFIFO()).toBe(true);
  });

  test('--db under a regular file, at a folder, or through a symbolic link loop is a failed precondition (5)', async () => {
    writeFileSync(join(s.dir, 'notes.txt'), 'notes');
    mkdirSync(join(s.dir, 'folder.db'));
    symlinkSync(join(s.dir, 'loop.db'), join(s.dir, 'loop.db'));
    for (const [name, what] of [
      [join('notes.txt', 'orgs.db'), 'has a file where a folder should be'],
      [join('notes.txt', 'deeper', 'orgs.db'), 'has a file where a folder should be'],
      ['folder.db', 'is a folder'],
      ['loop.db', 'leads into a loop of symbolic links'],
    ]) {
      const path = join(s.dir, name!);
      const result = await expectFails(s, ['--db', path, 'list'], 5, 'invalid_store_path');
      expect(result.stderr).toContain(`${path} ${what}`);
    }
  });

  // Tests run as root, where permission bits stop nothing: /proc is a folder nothing can be
  // created in, whoever runs. The old code never returned here (Node's recursive mkdir loops).
  test.skipIf(!existsSync('/proc/self'))('--db in a folder that cannot be made is not found (3)', async () => {
    const result = await runBounded(['--db', '/proc/orgs-test/orgs.db', 'list']);
    expectError(result, 3, 'store_path_not_found');
    expect(result.stderr).toContain('/proc/orgs-test/orgs.db');
  });
});

test.each([
  ['ENOENT', 'backup_path_not_found', 3],
  ['ENOTDIR', 'invalid_backup_path', 5],
  ['EISDIR', 'invalid_backup_path', 5],
  ['ELOOP', 'invalid_backup_path', 5],
  ['ENXIO', 'invalid_backup_path', 5],
  ['EACCES', 'backup_not_writable', 4],
  ['EROFS', 'backup_not_writable', 4],
  ['ENOSPC', 'backup_disk_full', 5],
])('the file-system error %s is %s, exit %d, naming the path', (code, name, exitCode) => {
  const error = fileError(Object.assign(new Error(`${code}: failed`), { code }), '/tmp/b.db', 'backup');
  expect(error?.errorName).toBe(name);
  expect(error?.exitCode).toBe(exitCode);
  expect(error?.message).toContain('/tmp/b.db');
});

test('a file-system error code that says nothing about the path is left to be reported as a bug', () => {
  expect(fileError(Object.assign(new Error('EMFILE'), { code: 'EMFILE' }), '/tmp/b.db', 'backup')).toBeUndefined();
});
