/**
 * `orgs backup DEST`: a consistent copy of the live store, safe while other processes write, to
 * an SQLite file or into an empty PostgreSQL database, from either engine.
 */
import { statSync, type Stats } from 'node:fs';
import { resolve } from 'node:path';
import { alreadyExists, failedPrecondition } from '../core/errors.js';
import { replaceFile, replacementOf } from '../store/files.js';
import { isPostgresUrl, redactUrl } from '../store/location.js';
import type { PostgresStore } from '../store/postgres.js';
import type { SqliteStore } from '../store/sqlite.js';
import { action, type CommandTree, examples } from './command.js';
import type { Context } from './context.js';
import { connectTimeoutMsOf } from '../app/settings.js';

export function addBackupCommand(tree: CommandTree): void {
  tree.add('backup <destination>', [], (command) =>
    command
      .summary('copy the store, consistently, to a file or an empty PostgreSQL database')
      .addHelpText(
        'after',
        examples(
          'orgs backup ~/orgs-backup.db',
          'orgs backup ~/orgs-backup.db --force',
          'orgs backup postgres://orgs@db.example.com/registry    # moves a local store to a team',
        ),
      )
      .description(
        'Copy the store, consistent even while other orgs processes write, with every record (deleted ' +
          'organizations, API key hashes, events): to an SQLite file, or into a PostgreSQL database that ' +
          'holds no orgs store yet. To restore a file, copy it over the store file (with no orgs running) ' +
          'or point --db at it.',
      )
      .option('--force', 'replace the file if it exists (only a regular file; a symbolic link is written through)')
      .action(
        action(async (ctx, [destination], options) => {
          // The store first: its -wal and -shm exist only while it is open.
          const store = await ctx.store();
          const target = isPostgresUrl(destination!)
            ? await backupToDatabase(ctx, store, destination!)
            : await backupToFile(store, resolve(destination!), options.force === true);
          ctx.output.note(`backed up ${store.location} to ${target}`);
        }),
      ),
  );
}

/** Into an empty PostgreSQL database: the schema and every record in one transaction. */
async function backupToDatabase(ctx: Context, store: SqliteStore | PostgresStore, url: string): Promise<string> {
  const [{ backupToPostgres }, { copyRecords }, { POSTGRES }] = await Promise.all([
    import('../store/postgres.js'),
    import('../store/copy.js'),
    import('../store/dialect.js'),
  ]);
  await store.read(() =>
    backupToPostgres(url, { connectTimeoutMs: connectTimeoutMsOf(ctx.config) }, (to) =>
      copyRecords(store.executor, to, POSTGRES),
    ),
  );
  return redactUrl(url);
}

/** To an SQLite file, written beside it and renamed over it: SQLite's online backup, or a copy of a database's records. */
async function backupToFile(store: SqliteStore | PostgresStore, destination: string, force: boolean): Promise<string> {
  const replacement = replacementOf(destination, 'backup');
  if (replacement.existing && !force) {
    throw alreadyExists('cli', 'backup_exists', `${destination} exists; add --force to overwrite it`);
  }
  const isSqlite = 'backup' in store;
  if (isSqlite && replacement.existing && isPartOfStore(replacement.existing, store.path)) {
    throw failedPrecondition(
      'backup',
      'backup_is_store',
      `${destination} is the store itself (or its -wal or -shm); choose another file`,
    );
  }
  await replaceFile(destination, 'backup', replacement, async (partial) => {
    if (isSqlite) return store.backup(partial);
    const { copyToSqliteFile } = await import('../store/copy.js');
    await copyToSqliteFile(store, partial);
  });
  return destination;
}

/** The same file (through any link) as the open store or its -wal and -shm, which exist while it is open. */
function isPartOfStore(file: Stats, storePath: string): boolean {
  return ['', '-wal', '-shm'].some((suffix) => {
    const part = statSync(storePath + suffix, { throwIfNoEntry: false });
    return part !== undefined && part.dev === file.dev && part.ino === file.ino;
  });
}
