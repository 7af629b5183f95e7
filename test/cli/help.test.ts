/** Help: every command and group explains itself, with examples; typos get a suggestion. */
import type { Command } from 'commander';
import { expect, test } from 'vitest';
import { buildProgram } from '../../src/cli/main.js';
import { expectError, sandbox } from '../helpers.js';
import { testRuntime } from '../runtime.js';

function* walk(command: Command, path: string[] = []): Generator<[string, Command]> {
  for (const sub of command.commands) {
    if ((sub as unknown as { _hidden?: boolean })._hidden || sub.name() === 'help') continue;
    const subPath = [...path, sub.name()];
    yield [subPath.join(' '), sub];
    yield* walk(sub, subPath);
  }
}

function helpOf(command: Command): string {
  let text = '';
  command.configureOutput({ writeOut: (s) => (text += s), writeErr: (s) => (text += s) });
  command.outputHelp();
  return text;
}

const commands = [...walk(buildProgram([], testRuntime().runtime))];

test('the tree has every command of the contract', () => {
  const names = commands.map(([path]) => path);
  for (const expected of [
    'create',
    'list',
    'search',
    'get',
    'set',
    'delete',
    'restore',
    'purge',
    'rights',
    'collaborators set',
    'api-keys create',
    'users delete',
    'login',
    'logout',
    'whoami',
    'config set',
    'backup',
    'completion',
  ]) {
    expect(names).toContain(expected);
  }
});

test.each(commands)('orgs %s --help has a summary, a description and examples', (_path, command) => {
  expect(command.summary()).toMatch(/\w/);
  expect(command.description()).toMatch(/\w/);
  const help = helpOf(command);
  expect(help).toMatch(/\nExamples:\n {2}\$ .*\borgs /);
});

test('orgs help <command> and orgs --version work; typos get the closest command', async () => {
  const s = sandbox();
  try {
    const help = await s.ok(['help', 'create']);
    expect(help.stdout).toContain('Usage: orgs create');
    expect(help.stdout).toContain('Examples:');
    expect((await s.ok(['--version'])).stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
    const typo = await s.run(['colaborators', 'list']);
    expectError(typo, 2, 'unknown_command');
    expect(typo.stderr).toContain('Did you mean collaborators?');
    const flag = await s.run(['list', '--limt', '5']);
    expectError(flag, 2, 'unknown_option');
    expect(flag.stderr).toContain('Did you mean --limit?');
  } finally {
    await s.cleanup();
  }
});
