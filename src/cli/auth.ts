/** `orgs login|logout|whoami`: who the caller is, remembered in the configuration file. */
import type { Command } from 'commander';
import { invalidArgument } from '../core/errors.js';
import type { Identity } from '../core/session.js';
import * as validate from '../core/validate.js';
import { action, type CommandTree } from './command.js';
import { note, printJson } from './output.js';
import { LOGIN_KEYS, openConf } from './settings.js';

export function addAuthCommands(tree: CommandTree): void {
  tree.add('login', [], (command) =>
    command
      .summary('act as a user from now on')
      .description(
        'Remember the caller in the configuration file (mode 0600); ORGS_API_KEY and ORGS_USER_ID still win when set.',
      )
      .option('--user-id <id>', 'act as this user (registered if new)')
      .option('--api-key <key>', 'act with this organization API key')
      .action(
        action(async (ctx, _args, options) => {
          if ((options.userId === undefined) === (options.apiKey === undefined)) {
            throw invalidArgument('cli', 'no_credentials', 'give either --user-id or --api-key');
          }
          // Check the credentials (registering a new user) before remembering them.
          const identity: Identity =
            options.apiKey !== undefined
              ? { kind: 'api-key', token: options.apiKey }
              : { kind: 'user', userId: validate.userId(options.userId) };
          const who = await (await ctx.session()).withIdentity(identity).whoami();
          const conf = await openConf(ctx.env);
          for (const key of LOGIN_KEYS) conf.delete(key);
          if (identity.kind === 'api-key') conf.set('api-key', identity.token);
          else conf.set('user-id', options.userId);
          note(`logged in as ${JSON.stringify(who)}`);
        }),
      ),
  );

  tree.add('logout', [], (command) =>
    command.summary('forget the login: act as the local administrator again').action(
      action(async (ctx) => {
        const conf = await openConf(ctx.env);
        for (const key of LOGIN_KEYS) conf.delete(key);
      }),
    ),
  );

  tree.add('whoami', [], (command) =>
    command
      .summary('print the caller as JSON')
      .action(action(async (ctx) => printJson(await (await ctx.session()).whoami()))),
  );
}
