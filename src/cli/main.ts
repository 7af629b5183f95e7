/** The commander tree, and the one place where errors become a stderr line and an exit code. */
import { Command, CommanderError } from 'commander';
import packageJson from '../../package.json' with { type: 'json' };
import { CommandTree, firstWord, QuietExit, runProgramIn, withoutGroupName } from './command.js';
import { invalidArgument, OrgsError, toOrgsError } from '../core/errors.js';
import { shorten } from '../core/validate.js';
import { addApiKeyCommands } from './api-keys.js';
import { addAuthCommands } from './auth.js';
import { addBackupCommand } from './backup.js';
import { addCollaboratorCommands } from './collaborators.js';
import { addCompletionCommands } from './completion.js';
import { addConfigCommands } from './config.js';
import { addConsoleCommand } from './console.js';
import { addEntityCommands } from './entities.js';
import { addEventCommands } from './events.js';
import { addOrganizationCommands } from './organizations.js';
import { addRegistryCommands } from './registry.js';
import { addReviewCommand } from './review.js';
import { addServeCommand } from './serve.js';
import { hintFor } from './suggest.js';
import { addUserCommands } from './users.js';
import type { Runtime } from '../app/runtime.js';

/** bin/orgs.js runs main against the real process. */
export { processRuntime } from '../app/runtime.js';
import { READER_GONE_EXIT_CODE, type Streams, streamsOf } from '../app/streams.js';

const REGISTRARS = [
  addOrganizationCommands,
  addCollaboratorCommands,
  addApiKeyCommands,
  addEntityCommands,
  addEventCommands,
  addReviewCommand,
  addRegistryCommands,
  addUserCommands,
  addAuthCommands,
  addConfigCommands,
  addBackupCommand,
  addConsoleCommand,
  addServeCommand,
  addCompletionCommands,
];

/** The program for these arguments: only the command they name is built, unless they name none. */
export function buildProgram(
  args: readonly string[],
  runtime: Runtime,
  streams: Streams = streamsOf(runtime),
): Command {
  const at = firstWord(args);
  const program = build(at >= 0 ? args[at] : undefined, runtime, streams);
  return program.commands.length > 0 ? program : build(undefined, runtime, streams);
}

function build(only: string | undefined, runtime: Runtime, streams: Streams): Command {
  const program = new Command('orgs')
    .description("The Things Stack's organization management (ttn-lw-cli organizations) on your own machine")
    .version(packageJson.version, '-v, --version', 'print the version')
    .option('--db <path>', 'the store (default: $ORGS_DB, config key db, ~/.local/share/orgs/orgs.db)')
    .option('--output-format <format>', 'json (the default) or table (default: config key output-format)')
    .showSuggestionAfterError(true);
  const tree = new CommandTree(program, only, () => build(undefined, runtime, streams));
  for (const register of REGISTRARS) register(tree);
  configureRecursively(program, streams);
  runProgramIn(program, runtime, streams);
  return program;
}

/**
 * Every command reports usage errors through main instead of printing and exiting itself, prints
 * through streams.ts, and has a `help [command]` that knows an unknown command when it sees one.
 */
function configureRecursively(command: Command, streams: Streams): void {
  command.exitOverride().configureOutput({
    writeOut: (text) => void streams.stdout.write(text),
    writeErr: (text) => void streams.stderr.write(text),
    outputError: () => {},
  });
  if (command.commands.length > 0) addHelpCommand(command);
  for (const sub of command.commands) configureRecursively(sub, streams);
}

/** commander's own `help nosuch` shows the parent's help and reports a missing subcommand. */
function addHelpCommand(parent: Command): void {
  parent
    .helpCommand(false)
    .command('help [command]')
    .description('display help for command')
    .action((name: string | undefined) => {
      if (name === undefined) parent.help();
      const command = parent.commands.find((c) => c.name() === name || c.aliases().includes(name));
      if (!command) throw invalidArgument('cli', 'unknown_command', `unknown command '${shorten(name)}'`);
      command.help();
    });
}

/** commander's usage errors in our format, with a hint of ours; help and version are not errors. */
function fromCommander(error: CommanderError, program: Command, words: readonly string[]): OrgsError | undefined {
  if (['commander.helpDisplayed', 'commander.version'].includes(error.code)) return undefined;
  if (error.code === 'commander.help' && error.exitCode === 0) return undefined;
  const name =
    error.code === 'commander.help'
      ? 'missing_command'
      : error.code.replace(/^commander\./, '').replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
  const hint = hintFor(error, program, words);
  const message =
    error.code === 'commander.help'
      ? 'a subcommand is missing; see the help above'
      : `${error.message}${hint === undefined ? '' : `\n${hint}`}`
          .replace(/^error: /, '')
          .replace(/\s*\n\s*/g, ' ')
          // commander quotes what was typed, 'like this', however long it is.
          .replace(/'(.*?)'(?=[\s.,;:)]|$)/g, (_, quoted: string) => `'${shorten(quoted)}'`);
  return invalidArgument('cli', name, message);
}

/** Runs one command line against the runtime; resolves to the exit code. */
export async function main(args: readonly string[], runtime: Runtime): Promise<number> {
  const { stdout, stderr } = streamsOf(runtime);
  const words = withoutGroupName(args);
  const program = buildProgram(words, runtime, { stdout, stderr });
  try {
    await program.parseAsync(words, { from: 'user' });
    return stdout.gone ? READER_GONE_EXIT_CODE : 0;
  } catch (error) {
    // The reader went away: whatever came of it (a bulk create stopped early), stop quietly.
    if (stdout.gone) return READER_GONE_EXIT_CODE;
    if (error instanceof QuietExit) return error.exitCode;
    const orgsError = error instanceof CommanderError ? fromCommander(error, program, words) : toOrgsError(error);
    if (!orgsError) return 0;
    await stderr.write(`${orgsError.format()}\n`);
    return orgsError.exitCode;
  }
}
