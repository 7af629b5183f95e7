/** The commander tree, and the one place where errors become a stderr line and an exit code. */
import { Command, CommanderError } from 'commander';
import packageJson from '../../package.json' with { type: 'json' };
import { CommandTree, firstWord, withoutGroupName } from './command.js';
import { invalidArgument, OrgsError, toOrgsError } from '../core/errors.js';
import { addApiKeyCommands } from './api-keys.js';
import { addAuthCommands } from './auth.js';
import { addBackupCommand } from './backup.js';
import { addCollaboratorCommands } from './collaborators.js';
import { addCompletionCommands } from './completion.js';
import { addConfigCommands } from './config.js';
import { addEntityCommands } from './entities.js';
import { addOrganizationCommands } from './organizations.js';
import { addUserCommands } from './users.js';

const REGISTRARS = [
  addOrganizationCommands,
  addCollaboratorCommands,
  addApiKeyCommands,
  addEntityCommands,
  addUserCommands,
  addAuthCommands,
  addConfigCommands,
  addBackupCommand,
  addCompletionCommands,
];

/** The program for these arguments: only the command they name is built, unless they name none. */
export function buildProgram(args: readonly string[] = []): Command {
  const at = firstWord(args);
  const program = build(at >= 0 ? args[at] : undefined);
  return program.commands.length > 0 ? program : build(undefined);
}

function build(only: string | undefined): Command {
  const program = new Command('orgs')
    .description("The Things Stack's organization management (ttn-lw-cli organizations) on your own machine")
    .version(packageJson.version, '-v, --version', 'print the version')
    .option('--db <path>', 'the store (default: $ORGS_DB, config key db, ~/.local/share/orgs/orgs.db)')
    .option('--output-format <format>', 'json (the default) or table (default: config key output-format)')
    .showSuggestionAfterError(true);
  const tree = new CommandTree(program, only, () => build(undefined));
  for (const register of REGISTRARS) register(tree);
  configureRecursively(program);
  return program;
}

/** Every command reports usage errors through main instead of printing and exiting itself. */
function configureRecursively(command: Command): void {
  command.exitOverride().configureOutput({ outputError: () => {} });
  command.commands.forEach(configureRecursively);
}

/** commander's usage errors in our format; help and version are not errors. */
function fromCommander(error: CommanderError): OrgsError | undefined {
  if (['commander.helpDisplayed', 'commander.version'].includes(error.code)) return undefined;
  if (error.code === 'commander.help' && error.exitCode === 0) return undefined;
  const name =
    error.code === 'commander.help'
      ? 'missing_command'
      : error.code.replace(/^commander\./, '').replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
  const message =
    error.code === 'commander.help'
      ? 'a subcommand is missing; see the help above'
      : error.message.replace(/^error: /, '').replace(/\s*\n\s*/g, ' ');
  return invalidArgument('cli', name, message);
}

/** Runs one command line; resolves to the exit code. */
export async function main(args: readonly string[]): Promise<number> {
  try {
    const words = withoutGroupName(args);
    await buildProgram(words).parseAsync(words, { from: 'user' });
    return 0;
  } catch (error) {
    const orgsError = error instanceof CommanderError ? fromCommander(error) : toOrgsError(error);
    if (!orgsError) return 0;
    process.stderr.write(`${orgsError.format()}\n`);
    return orgsError.exitCode;
  }
}
