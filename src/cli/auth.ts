/** `orgs login|logout|whoami`: who the caller is, remembered in the configuration file. */
import type { Command } from 'commander';
import { invalidArgument } from '../core/errors.js';
import { action } from './command.js';
import { note, printJson } from './output.js';
import { LOGIN_KEYS, openConf } from './settings.js';

export function addAuthCommands(program: Command): void {
  program
    .command('login')
    .summary('act as a user from now on')
    .description('Remember the caller in the configuration file; ORGS_USER_ID still wins when set.')
    .option('--user-id <id>', 'act as this user (registered if new)')
    .action(
      action(async (ctx, _args, options) => {
        if (options.userId === undefined) throw invalidArgument('cli', 'no_credentials', 'give --user-id');
        await (await ctx.session()).register(options.userId);
        const conf = await openConf(ctx.env);
        for (const key of LOGIN_KEYS) conf.delete(key);
        conf.set('user-id', options.userId);
        note(`logged in as ${options.userId}`);
      }),
    );

  program
    .command('logout')
    .summary('forget the login: act as the local administrator again')
    .action(
      action(async (ctx) => {
        const conf = await openConf(ctx.env);
        for (const key of LOGIN_KEYS) conf.delete(key);
      }),
    );

  program
    .command('whoami')
    .summary('print the caller as JSON')
    .action(action(async (ctx) => printJson(await (await ctx.session()).whoami())));
}
