/** File-system and SQLite failures, told in the user's terms: which file, what went wrong, what to do. */
import { failedPrecondition, internal, notFound, type OrgsError, permissionDenied } from '../core/errors.js';

/** The files orgs touches; each names its errors (`store_not_writable`, `invalid_backup_path`, …). */
export type FileSubject = 'store' | 'backup' | 'config' | 'registry' | 'tls';

/** What Node's file-system error codes mean for a path that should be (or become) a regular file. */
const WRONG_KIND: Record<string, string> = {
  EISDIR: 'is a folder',
  ENOTEMPTY: 'is a folder',
  ENOTDIR: 'has a file where a folder should be',
  // mkdir over something that is not a folder.
  EEXIST: 'has a file where a folder should be',
  ELOOP: 'leads into a loop of symbolic links',
  ENXIO: 'is not a regular file (a pipe, socket or device)',
  ENODEV: 'is not a regular file (a pipe, socket or device)',
  ENAMETOOLONG: 'is too long a name',
};

/**
 * The one mapping from Node's file-system error codes to OrgsErrors naming `path` (the user's
 * path, not the temporary file beside it that failed); undefined for a code that is not about
 * the file (a bug, then). Used by the store, backup and the configuration alike:
 * missing folder → not found (3), permission → permission denied (4), anything else wrong with
 * what is at the path → failed precondition (5).
 */
export function fileError(
  error: unknown,
  path: string,
  subject: FileSubject,
  access: 'read' | 'write' = 'write',
): OrgsError | undefined {
  const code = (error as { code?: unknown }).code;
  if (typeof code !== 'string') return undefined;
  const wrongKind = WRONG_KIND[code];
  if (wrongKind) return notRegularFile(path, subject, wrongKind);
  switch (code) {
    case 'ENOENT':
      return notFound(
        subject,
        `${subject}_path_not_found`,
        access === 'read'
          ? `${path} does not exist`
          : `${path} cannot be reached: a folder on its way, or a symbolic link's target, does not exist`,
      );
    case 'EACCES':
    case 'EPERM':
    case 'EROFS':
      return permissionDenied(
        subject,
        `${subject}_not_${access === 'write' ? 'writable' : 'readable'}`,
        `cannot ${access} ${path} or its folder (${code === 'EROFS' ? 'read-only file system' : 'permission denied'}); check its permissions`,
      );
    case 'ENOSPC':
    case 'EDQUOT':
      return failedPrecondition(subject, `${subject}_disk_full`, `no space left to write ${path}; free some and retry`);
    default:
      return undefined;
  }
}

/** `path` is (or leads through) something that cannot be the regular file it should be. */
export function notRegularFile(path: string, subject: FileSubject, what = 'is not a regular file'): OrgsError {
  return failedPrecondition(subject, `invalid_${subject}_path`, `${path} ${what}; choose another path`);
}

/**
 * A store that lacks what orgs made in it (a table or column dropped by hand), or holds more than
 * its version says (its version mark changed): not a bug of orgs, and nothing orgs should mend.
 */
export function damagedDatabase(where: string, what: string): OrgsError {
  return failedPrecondition('store', 'damaged_database', `${where} is damaged: ${what}; restore it from a backup`);
}

/** SQLite's messages for an object orgs made that is missing, or one a migration makes that is there already. */
const DAMAGED_SCHEMA =
  /^(no such (table|column|index|function)|(table|index|trigger) \S+ already exists|duplicate column name)\b/;

export function storeError(error: unknown, path: string): OrgsError {
  const code = (error as { code?: string }).code ?? '';
  const message = error instanceof Error ? error.message : String(error);
  // Extended result codes (SQLITE_READONLY_DBMOVED, SQLITE_CORRUPT_VTAB, …) mean what their
  // primary code means.
  const primary = code.startsWith('SQLITE_') ? code.split('_').slice(0, 2).join('_') : code;
  if (primary === 'SQLITE_ERROR' && DAMAGED_SCHEMA.test(message)) {
    return damagedDatabase(path, `its tables are not those orgs made (${message})`);
  }
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
    case 'SQLITE_CANTOPEN':
      return permissionDenied(
        'store',
        'store_not_writable',
        `cannot write ${path} or its folder (${message}); check its permissions`,
      );
    case 'SQLITE_BUSY':
      return failedPrecondition('store', 'store_busy', `${path} stayed locked by another process; try again`);
    case 'SQLITE_FULL':
      return failedPrecondition('store', 'store_disk_full', `no space left to write ${path}; free some and retry`);
    default:
      return (
        fileError(error, path, 'store') ??
        internal('store', 'store_failed', `the store ${path} failed, this is a bug: ${message}`)
      );
  }
}
