/** `orgs backup PATH`: a consistent copy of the live store, safe while other processes write. */
import { statSync, type Stats } from 'node:fs';
import { resolve } from 'node:path';
import { alreadyExists, failedPrecondition } from '../core/errors.js';
import { replaceFile, replacementOf } from '../store/files.js';
import { action, type CommandTree, examples } from './command.js';
import { note } from './output.js';

export function addBackupCommand(tree: CommandTree): void {
  tree.add('backup <path>', [], (command) =>
    command
      .summary('copy the store, consistently, to a file')
      .addHelpText('after', examples('orgs backup ~/orgs-backup.db', 'orgs backup ~/orgs-backup.db --force'))
      .description(
        "Copy the store through SQLite's online backup: consistent even while other orgs processes write. " +
          'To restore, copy the backup over the store file (with no orgs running) or point --db at it.',
      )
      .option('--force', 'replace the file if it exists (only a regular file; a symbolic link is written through)')
      .action(
        action(async (ctx, [path], options) => {
          const destination = resolve(path!);
          // The store first: its -wal and -shm exist only while it is open.
          const store = await ctx.store();
          const replacement = replacementOf(destination, 'backup');
          if (replacement.existing && !options.force) {
            throw alreadyExists('cli', 'backup_exists', `${destination} exists; add --force to overwrite it`);
          }
          if (replacement.existing && isPartOfStore(replacement.existing, store.path)) {
            throw failedPrecondition(
              'backup',
              'backup_is_store',
              `${destination} is the store itself (or its -wal or -shm); choose another file`,
            );
          }
          await replaceFile(destination, 'backup', replacement, (partial) => store.backup(partial));
          note(`backed up ${store.path} to ${destination}`);
        }),
      ),
  );
}

/** The same file (through any link) as the open store or its -wal and -shm, which exist while it is open. */
function isPartOfStore(file: Stats, storePath: string): boolean {
  return ['', '-wal', '-shm'].some((suffix) => {
    const part = statSync(storePath + suffix, { throwIfNoEntry: false });
    return part !== undefined && part.dev === file.dev && part.ino === file.ino;
  });
}
