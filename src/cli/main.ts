/** The commander tree, and the one place where errors become a stderr line and an exit code. */
import { Command, CommanderError } from 'commander';
import { invalidArgument, OrgsError, toOrgsError } from '../core/errors.js';
import { addApiKeyCommands } from './api-keys.js';
import { addAuthCommands } from './auth.js';
import { addBackupCommand } from './backup.js';
import { addCollaboratorCommands } from './collaborators.js';
import { addConfigCommands } from './config.js';
import { addOrganizationCommands } from './organizations.js';
import { addUserCommands } from './users.js';

/** `orgs organizations create …` is `orgs create …`: the group name means nothing more. */
const GROUP_NAMES = new Set(['organizations', 'organization', 'org', 'o']);
/** Global options that take a value, to find the first word of the command after them. */
const GLOBAL_OPTIONS_WITH_VALUE = new Set(['--db']);

export function withoutGroupName(args: readonly string[]): string[] {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (GLOBAL_OPTIONS_WITH_VALUE.has(arg)) {
      i++;
      continue;
    }
    if (arg.startsWith('-')) continue;
    return GROUP_NAMES.has(arg) ? [...args.slice(0, i), ...args.slice(i + 1)] : [...args];
  }
  return [...args];
}

export function buildProgram(): Command {
  const program = new Command('orgs')
    .description("The Things Stack's organization management (ttn-lw-cli organizations) on your own machine")
    .option('--db <path>', 'the store (default: $ORGS_DB, config key db, ~/.local/share/orgs/orgs.db)')
    .showSuggestionAfterError(true);
  addOrganizationCommands(program);
  addCollaboratorCommands(program);
  addApiKeyCommands(program);
  addUserCommands(program);
  addAuthCommands(program);
  addConfigCommands(program);
  addBackupCommand(program);
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
  const name = error.code === 'commander.help' ? 'missing_command' : error.code.replace(/^commander\./, '').replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
  const message = error.code === 'commander.help' ? 'a subcommand is missing; see the help above' : error.message.replace(/^error: /, '').replace(/\s*\n\s*/g, ' ');
  return invalidArgument('cli', name, message);
}

/** Runs one command line; resolves to the exit code. */
export async function main(args: readonly string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(withoutGroupName(args), { from: 'user' });
    return 0;
  } catch (error) {
    const orgsError = error instanceof CommanderError ? fromCommander(error) : toOrgsError(error);
    if (!orgsError) return 0;
    process.stderr.write(`${orgsError.format()}\n`);
    return orgsError.exitCode;
  }
}
