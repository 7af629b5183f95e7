/** `orgs users create|list|get|set|delete|reach`: the users of the local registry. */
import type { Command } from 'commander';
import { printReach, reachOptions, reachRequest } from './access.js';
import { addOwnerApiKeyCommands } from './api-keys.js';
import { action, type CommandTree, either, examples, pageOptions, DRY_RUN } from './command.js';

export function addUserCommands(tree: CommandTree): void {
  tree.add('users', ['user'], addSubcommands);
}

function addSubcommands(group: Command): void {
  group
    .summary('manage users')
    .addHelpText(
      'after',
      examples('orgs users create user2 --name "User Two"', 'orgs users set user2 --admin', 'orgs users list'),
    )
    .description('Users are registered the first time they are named; these commands manage them explicitly.');

  const userIdOption = (command: Command) => command.option('--user-id <id>', 'the user ID');
  addOwnerApiKeyCommands(group, 'user');

  userIdOption(
    group
      .command('create [user-id]')
      .aliases(['add', 'register'])
      .summary('register a user')
      .description(
        'Register a user explicitly (users are also registered the first time they are named). Administrators only.',
      )
      .addHelpText('after', examples('orgs users create user2 --name "User Two"', 'orgs users create admin2 --admin')),
  )
    .option('--name <name>', 'name of the user')
    .option('--admin', 'make the user an administrator (all rights on everything)')
    .action(
      action(async (ctx, [positional], options) => {
        await ctx.output.print(
          await (
            await ctx.users()
          ).create({
            userId: either(positional, options.userId, 'user ID'),
            name: options.name,
            admin: options.admin,
          }),
        );
      }),
    );

  pageOptions(
    group
      .command('list')
      .alias('ls')
      .summary('list users (administrators only)')
      .description('List the registered users. Administrators only.')
      .addHelpText('after', examples('orgs users list')),
  ).action(
    action(async (ctx, _args, options) => {
      await ctx.output.printListing(await (await ctx.users()).list({ limit: options.limit, page: options.page }));
    }),
  );

  userIdOption(
    group
      .command('get [user-id]')
      .alias('info')
      .summary('show a user')
      .description('Show a user: yourself, or anyone for an administrator.')
      .addHelpText('after', examples('orgs users get user2')),
  ).action(
    action(async (ctx, [positional], options) => {
      await ctx.output.print(await (await ctx.users()).get(either(positional, options.userId, 'user ID')));
    }),
  );

  userIdOption(
    group
      .command('set [user-id]')
      .option('--dry-run', DRY_RUN)
      .alias('update')
      .summary('change a user')
      .description("Change a user's name (yourself) or administrator flag (administrators only).")
      .addHelpText('after', examples('orgs users set user2 --name "User 2"', 'orgs users set user2 --no-admin')),
  )
    .option('--name <name>', 'new name')
    .option('--admin', 'make the user an administrator')
    .option('--no-admin', 'make the user an ordinary user')
    .action(
      action(async (ctx, [positional], options) => {
        await ctx.output.print(
          await (
            await ctx.users()
          ).update({
            userId: either(positional, options.userId, 'user ID'),
            name: options.name,
            admin: options.admin,
          }),
        );
      }),
    );

  userIdOption(
    group
      .command('delete [user-id]')
      .option('--dry-run', DRY_RUN)
      .aliases(['del', 'remove', 'rm'])
      .summary('delete a user and free the ID')
      .description(
        'Delete a user and their memberships, freeing the ID. Administrators only; no organization may lose its last owner.',
      )
      .addHelpText('after', examples('orgs users delete user2')),
  ).action(
    action(async (ctx, [positional], options) => {
      await (await ctx.users()).delete(either(positional, options.userId, 'user ID'));
    }),
  );

  reachOptions(
    userIdOption(
      group
        .command('reach [user-id]')
        .summary('every organization and entity a user holds a right on')
        .description(
          'List every organization, application, gateway and client the user holds a right on, by any path, ' +
            'with its effective rights there. Asked by the user itself or an administrator.',
        )
        .addHelpText(
          'after',
          examples(
            'orgs users reach user2',
            'orgs users reach user2 --kind application',
            'orgs users reach user2 --right-application-devices-write --explain',
          ),
        ),
    ),
  ).action(
    action(async (ctx, [positional], options) => {
      const id = either(positional, options.userId, 'user ID');
      await printReach(ctx, await (await ctx.users()).reach(id, await reachRequest(options)), options);
    }),
  );
}
