import { expect, test } from 'vitest';
import { storeError } from '../../src/store/errors.js';

const failure = (code: string) => Object.assign(new Error(`failed with ${code}`), { code });

test.each([
  ['SQLITE_NOTADB', 'not_a_database', 5],
  ['SQLITE_CORRUPT_VTAB', 'corrupt_database', 5],
  ['SQLITE_READONLY', 'store_not_writable', 4],
  ['SQLITE_READONLY_DBMOVED', 'store_not_writable', 4],
  ['SQLITE_CANTOPEN_ISDIR', 'store_not_writable', 4],
  ['EACCES', 'store_not_writable', 4],
  ['SQLITE_BUSY_SNAPSHOT', 'store_busy', 5],
  ['EISDIR', 'invalid_store_path', 5],
  ['SQLITE_MISUSE', 'store_failed', 1],
])('%s (extended codes as their primary code) is %s, exit %d', (code, name, exitCode) => {
  const error = storeError(failure(code), '/tmp/orgs.db');
  expect(error.errorName).toBe(name);
  expect(error.exitCode).toBe(exitCode);
  expect(error.message).toContain('/tmp/orgs.db');
});
