/**
 * What commander cannot guess from spelling distance alone: abbreviated words in a flag
 * (`--right-org-info`), British spellings of a command (`organisations`), and a name of several
 * words that the shell split (`--name $API_KEY_NAME` unquoted).
 */
import type { Command, CommanderError } from 'commander';
import { GROUP_NAMES } from './command.js';

/** The abbreviations users of The Things Stack write for the entity kinds. */
const ABBREVIATIONS: Readonly<Record<string, string>> = {
  org: 'organization',
  orgs: 'organizations',
  app: 'application',
  apps: 'applications',
  gtw: 'gateway',
  gtws: 'gateways',
};

/** The flags whose value is free text, which the shell splits at spaces when it is not quoted. */
const TEXT_FLAGS = new Set(['--name', '--description']);

/** A hint to add to commander's message for this error, if there is a better one than its own. */
export function hintFor(error: CommanderError, program: Command, words: readonly string[]): string | undefined {
  switch (error.code) {
    case 'commander.unknownOption':
      return flagHint(error, program, words);
    case 'commander.unknownCommand':
      return commandHint(error, program, words);
    case 'commander.excessArguments':
      return quotingHint(words);
    default:
      return undefined;
  }
}

function flagHint(error: CommanderError, program: Command, words: readonly string[]): string | undefined {
  const flag = /unknown option '(--[^']*)'/.exec(error.message)?.[1];
  if (!flag || /Did you mean/.test(error.message)) return undefined;
  const expanded = `--${flag
    .slice(2)
    .split('-')
    .map((word) => ABBREVIATIONS[word] ?? word)
    .join('-')}`;
  if (expanded === flag) return undefined;
  for (let command: Command | null = commandOf(program, words); command; command = command.parent) {
    if (command.options.some((option) => option.long === expanded)) return `(Did you mean ${expanded}?)`;
  }
  return undefined;
}

function commandHint(error: CommanderError, program: Command, words: readonly string[]): string | undefined {
  const name = /unknown command '([^']*)'/.exec(error.message)?.[1];
  if (!name || /Did you mean/.test(error.message)) return undefined;
  const american = name.replace(/isation/g, 'ization');
  if (american === name) return undefined;
  const parent = commandOf(program, words.slice(0, words.indexOf(name)));
  const known =
    (parent === program && GROUP_NAMES.has(american)) ||
    parent.commands.some((c) => c.name() === american || c.aliases().includes(american));
  return known ? `(Did you mean ${american}?)` : undefined;
}

/** `--name My Org`: the words after the flag's value that made too many arguments. */
function quotingHint(words: readonly string[]): string | undefined {
  for (const [at, word] of words.entries()) {
    if (!TEXT_FLAGS.has(word)) continue;
    let end = at + 1;
    while (end < words.length && !words[end]!.startsWith('-')) end++;
    if (end - at > 2) return `(quote a name with spaces: ${word} "${words.slice(at + 1, end).join(' ')}")`;
  }
  return undefined;
}

/** The deepest command these words name. */
function commandOf(program: Command, words: readonly string[]): Command {
  let command = program;
  for (const word of words) {
    const sub = command.commands.find((c) => c.name() === word || c.aliases().includes(word));
    if (sub) command = sub;
  }
  return command;
}
