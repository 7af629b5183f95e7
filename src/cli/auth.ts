/** `orgs login|logout|whoami`: who the caller is, remembered in the configuration file. */
import { invalidArgument } from '../core/errors.js';
import { describeCaller, type Identity } from '../core/session.js';
import * as validate from '../core/validate.js';
import { action, type CommandTree, examples } from './command.js';
import { LOGIN_KEYS, updateConfig } from '../app/settings.js';

export function addAuthCommands(tree: CommandTree): void {
  tree.add('login', [], (command) =>
    command
      .summary('act as a user from now on')
      .addHelpText('after', examples('orgs login --user-id user1', 'orgs login --api-key NNSXS.…'))
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
          // Check the credentials (registering a new user) and remember them in one write
          // transaction, committed only once the configuration is written: a failed login
          // changes nothing.
          const identity: Identity =
            options.apiKey !== undefined
              ? { kind: 'api-key', token: options.apiKey }
              : { kind: 'user', userId: validate.userId(options.userId) };
          // Not ctx.session(): the login in the file, even a bad one, is what this replaces.
          const who = await (
            await ctx.sessionAs(identity)
          ).write(async ({ caller }) => {
            await updateConfig(ctx.runtime, (values) => {
              for (const key of LOGIN_KEYS) delete values[key];
              values[identity.kind === 'api-key' ? 'api-key' : 'user-id'] =
                identity.kind === 'api-key' ? identity.token : identity.userId;
            });
            return describeCaller(caller);
          });
          ctx.output.note(`logged in as ${JSON.stringify(who)}`);
        }),
      ),
  );

  tree.add('logout', [], (command) =>
    command
      .summary('forget the login: act as the local administrator again')
      .description(
        'Forget what orgs login stored. The caller is then ORGS_API_KEY, ORGS_USER_ID, or the local administrator.',
      )
      .addHelpText('after', examples('orgs logout'))
      .action(
        action(async (ctx) => {
          await updateConfig(ctx.runtime, (values) => {
            for (const key of LOGIN_KEYS) delete values[key];
          });
        }),
      ),
  );

  tree.add('whoami', [], (command) =>
    command
      .summary('print the caller as JSON')
      .description(
        'Print who is calling: a user (and whether an administrator), an API key and its organization, or the local administrator.',
      )
      .addHelpText('after', examples('orgs whoami', 'ORGS_USER_ID=user2 orgs whoami'))
      .action(action(async (ctx) => await ctx.output.print(await (await ctx.session()).whoami()))),
  );
}
