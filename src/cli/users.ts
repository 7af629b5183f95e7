/** `orgs users create|list|get|set|delete`: the users of the local registry. */
import type { Command } from 'commander';
import { action, type CommandTree, either, integer } from './command.js';
import { printJson, printListing } from './output.js';

export function addUserCommands(tree: CommandTree): void {
  tree.add('users', ['user'], addSubcommands);
}

function addSubcommands(group: Command): void {
  group
    .summary('manage users')
    .description('Users are registered the first time they are named; these commands manage them explicitly.');

  const userIdOption = (command: Command) => command.option('--user-id <id>', 'the user ID');

  userIdOption(group.command('create [user-id]').aliases(['add', 'register']).summary('register a user'))
    .option('--name <name>', 'name of the user')
    .option('--admin', 'make the user an administrator (all rights on everything)')
    .action(
      action(async (ctx, [positional], options) => {
        printJson(
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

  group
    .command('list')
    .alias('ls')
    .summary('list users (administrators only)')
    .option('--limit <n>', 'results per page (at most 1000)', integer, 50)
    .option('--page <n>', 'page of results, from 1', integer, 1)
    .action(
      action(async (ctx, _args, options) => {
        printListing(await (await ctx.users()).list({ limit: options.limit, page: options.page }));
      }),
    );

  userIdOption(group.command('get [user-id]').alias('info').summary('show a user')).action(
    action(async (ctx, [positional], options) => {
      printJson(await (await ctx.users()).get(either(positional, options.userId, 'user ID')));
    }),
  );

  userIdOption(group.command('set [user-id]').alias('update').summary('change a user'))
    .option('--name <name>', 'new name')
    .option('--admin', 'make the user an administrator')
    .option('--no-admin', 'make the user an ordinary user')
    .action(
      action(async (ctx, [positional], options) => {
        printJson(
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
    group.command('delete [user-id]').aliases(['del', 'remove', 'rm']).summary('delete a user and free the ID'),
  ).action(
    action(async (ctx, [positional], options) => {
      await (await ctx.users()).delete(either(positional, options.userId, 'user ID'));
    }),
  );
}
