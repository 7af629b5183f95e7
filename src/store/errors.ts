/** SQLite's failures, told in the user's terms: which file, what went wrong, what to do. */
import { failedPrecondition, internal, type OrgsError, permissionDenied } from '../core/errors.js';

export function storeError(error: unknown, path: string): OrgsError {
  const code = (error as { code?: string }).code ?? '';
  const message = error instanceof Error ? error.message : String(error);
  // Extended result codes (SQLITE_READONLY_DBMOVED, SQLITE_CORRUPT_VTAB, …) mean what their
  // primary code means.
  const primary = code.startsWith('SQLITE_') ? code.split('_').slice(0, 2).join('_') : code;
  switch (primary) {
    case 'SQLITE_NOTADB':
      return failedPrecondition(
        'store',
        'not_a_database',
        `${path} is not an orgs database; move it away or choose another file with --db`,
      );
    case 'SQLITE_CORRUPT':
      return failedPrecondition(
        'store',
        'corrupt_database',
        `${path} is damaged (${message}); restore it from a backup`,
      );
    case 'SQLITE_READONLY':
    case 'EACCES':
    case 'EPERM':
    case 'EROFS':
    case 'SQLITE_CANTOPEN':
      return permissionDenied(
        'store',
        'store_not_writable',
        `cannot write ${path} or its folder (${message}); check its permissions`,
      );
    case 'SQLITE_BUSY':
      return failedPrecondition('store', 'store_busy', `${path} stayed locked by another process; try again`);
    case 'ENOTDIR':
    case 'EISDIR':
      return failedPrecondition(
        'store',
        'invalid_store_path',
        `${path} cannot be a database file (${message}); choose another with --db`,
      );
    default:
      return internal('store', 'store_failed', `the store ${path} failed, this is a bug: ${message}`);
  }
}
