/** `orgs config list|get|set|unset|path`: the configuration file, through `conf` when writing. */
import type { Command } from 'commander';
import { DEFAULT_RESTORE_WINDOW_MS } from '../core/organizations.js';
import { invalidArgument } from '../core/errors.js';
import { action, type CommandTree } from './command.js';
import { printJson } from './output.js';
import type { Context } from './context.js';
import { configPath, dbPathOf, LOGIN_KEYS, openConf, readConfig, SETTABLE_KEYS } from './settings.js';

const DEFAULTS: Record<string, string> = {
  'output-format': 'json',
  'restore-window': `${DEFAULT_RESTORE_WINDOW_MS / 3_600_000}h`,
};

const KNOWN_KEYS = [...Object.keys(SETTABLE_KEYS), ...LOGIN_KEYS];

function knownKey(key: string): string {
  if (!KNOWN_KEYS.includes(key)) {
    throw invalidArgument(
      'config',
      'unknown_key',
      `unknown config key ${JSON.stringify(key)}; known keys: ${KNOWN_KEYS.join(', ')}`,
    );
  }
  return key;
}

/**
 * The configured values over the defaults; `db` is the store in effect (--db and ORGS_DB
 * included), and a stored API key shows its ID, never its secret.
 */
async function effective(ctx: Context): Promise<Record<string, string>> {
  const { describeToken } = await import('../core/tokens.js');
  const config = readConfig(ctx.env);
  const values: Record<string, string> = { db: dbPathOf(ctx.flags, ctx.env, config), ...DEFAULTS };
  for (const [key, value] of Object.entries(config)) {
    if (typeof value === 'string' && key !== 'db') values[key] = key === 'api-key' ? describeToken(value) : value;
  }
  return values;
}

export function addConfigCommands(tree: CommandTree): void {
  tree.add('config', [], addSubcommands);
}

function addSubcommands(config: Command): void {
  config
    .summary('show or change the configuration')
    .description(`Show or change the configuration (keys: ${KNOWN_KEYS.join(', ')}).`);

  config
    .command('list')
    .alias('ls')
    .summary('print every setting as JSON')
    .action(action(async (ctx) => printJson(await effective(ctx))));

  config
    .command('get <key>')
    .summary('print one setting')
    .action(
      action(async (ctx, [key]) => {
        const value = (await effective(ctx))[knownKey(key!)];
        if (value !== undefined) process.stdout.write(`${value}\n`);
      }),
    );

  config
    .command('set <key> <value>')
    .summary('change one setting')
    .action(
      action(async (ctx, [key, value]) => {
        const check = SETTABLE_KEYS[knownKey(key!)];
        if (!check) throw invalidArgument('config', 'not_settable', `${key} is set by orgs login`);
        check(value!);
        (await openConf(ctx.env)).set(key!, value!);
      }),
    );

  config
    .command('unset <key>')
    .summary('return one setting to its default')
    .action(action(async (ctx, [key]) => (await openConf(ctx.env)).delete(knownKey(key!))));

  config
    .command('path')
    .summary('print the path of the configuration file')
    .action(action(async (ctx) => void process.stdout.write(`${configPath(ctx.env)}\n`)));
}
