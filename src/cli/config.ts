/** `orgs config list|get|set|unset|path`: the configuration file, through `conf` when writing. */
import type { Command } from 'commander';
import { DEFAULT_RESTORE_WINDOW_MS } from '../core/records.js';
import { invalidArgument } from '../core/errors.js';
import { action, type CommandTree, examples } from './command.js';

import type { Context } from './context.js';
import { Output } from './output.js';
import { describeLocation } from '../store/location.js';
import {
  configPath,
  DEFAULT_CONNECT_TIMEOUT,
  LOGIN_KEYS,
  SETTABLE_KEYS,
  storeLocationOf,
  updateConfig,
} from '../app/settings.js';

const DEFAULTS: Record<string, string> = {
  'output-format': 'json',
  'restore-window': `${DEFAULT_RESTORE_WINDOW_MS / 3_600_000}h`,
  'connect-timeout': DEFAULT_CONNECT_TIMEOUT,
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
 * included), a PostgreSQL URL without its password, and a stored API key shows its ID, never
 * its secret. A bad value is shown as it is (a bad API key as malformed), so that it can be seen
 * and fixed.
 */
async function effective(ctx: Context): Promise<Record<string, unknown>> {
  const { describeToken } = await import('../core/tokens.js');
  const config = ctx.config;
  let db: unknown;
  try {
    db = storeLocationOf(ctx.flags, ctx.runtime, config);
  } catch {
    db = config.db;
  }
  if (typeof db === 'string') db = describeLocation(db);
  const values: Record<string, unknown> = { db, ...DEFAULTS };
  for (const [key, value] of Object.entries(config)) {
    if (key === 'db') continue;
    values[key] = key !== 'api-key' ? value : typeof value === 'string' ? describeToken(value) : 'a malformed key';
  }
  return values;
}

export function addConfigCommands(tree: CommandTree): void {
  tree.add('config', [], addSubcommands);
}

function addSubcommands(config: Command): void {
  config
    .summary('show or change the configuration')
    .addHelpText(
      'after',
      examples('orgs config list', 'orgs config set restore-window 30m', 'orgs config unset restore-window'),
    )
    .description(`Show or change the configuration (keys: ${KNOWN_KEYS.join(', ')}).`);

  config
    .command('list')
    .alias('ls')
    .summary('print every setting as JSON')
    .description('Print every setting, configured or default, as a JSON object. A stored API key shows its ID only.')
    .addHelpText('after', examples('orgs config list', 'orgs config list | jq -r .db'))
    // JSON whatever output-format says: it is documented so, and scripts read it with jq.
    .action(action(async (ctx) => await new Output('json', ctx.env, ctx.streams).print(await effective(ctx))));

  config
    .command('get <key>')
    .summary('print one setting')
    .description('Print one setting, configured or default, as a plain line.')
    .addHelpText('after', examples('orgs config get db', 'orgs config get restore-window'))
    .action(
      action(async (ctx, [key]) => {
        const value = (await effective(ctx))[knownKey(key!)];
        if (value !== undefined)
          await ctx.stdout.write(`${typeof value === 'string' ? value : JSON.stringify(value)}\n`);
      }),
    );

  config
    .command('set <key> <value>')
    .summary('change one setting')
    .description(
      'Change one setting in the configuration file. Keys: db (a file path or a postgres:// URL), output-format, restore-window, connect-timeout.',
    )
    .addHelpText(
      'after',
      examples(
        'orgs config set db ~/orgs/work.db',
        'orgs config set db postgres://orgs@db.example.com/registry',
        'orgs config set restore-window 48h',
      ),
    )
    .action(
      action(async (ctx, [key, value]) => {
        const check = SETTABLE_KEYS[knownKey(key!)];
        if (!check) throw invalidArgument('config', 'not_settable', `${key} is set by orgs login`);
        const stored = check(value!, ctx.runtime.cwd);
        await updateConfig(ctx.runtime, (values) => void (values[key!] = stored));
      }),
    );

  config
    .command('unset <key>')
    .summary('return one setting to its default')
    .description('Remove one setting from the configuration file, returning it to its default.')
    .addHelpText('after', examples('orgs config unset db'))
    .action(
      action(async (ctx, [key]) => {
        const known = knownKey(key!);
        await updateConfig(ctx.runtime, (values) => void delete values[known]);
      }),
    );

  config
    .command('path')
    .summary('print the path of the configuration file')
    .description('Print where the configuration file is (ORGS_CONFIG_DIR moves it).')
    .addHelpText('after', examples('orgs config path'))
    .action(action(async (ctx) => await ctx.stdout.write(`${configPath(ctx.runtime)}\n`)));
}
