/** `orgs backup PATH`: a consistent copy of the live store, safe while other processes write. */
import { closeSync, existsSync, openSync, renameSync, rmSync } from 'node:fs';
import { dirname, join, basename, resolve } from 'node:path';
import { alreadyExists } from '../core/errors.js';
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
      .option('--force', 'overwrite the file if it exists')
      .action(
        action(async (ctx, [path], options) => {
          const destination = resolve(path!);
          if (existsSync(destination) && !options.force) {
            throw alreadyExists('cli', 'backup_exists', `${destination} exists; add --force to overwrite it`);
          }
          const store = await ctx.store();
          // Copy beside the destination, then rename: the destination is whole or untouched.
          const partial = join(dirname(destination), `.${basename(destination)}.partial-${process.pid}`);
          try {
            closeSync(openSync(partial, 'w', 0o600));
            await store.backup(partial);
            renameSync(partial, destination);
          } finally {
            rmSync(partial, { force: true });
          }
          note(`backed up ${store.path} to ${destination}`);
        }),
      ),
  );
}
