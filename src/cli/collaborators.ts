/** `orgs collaborators list|get|set|delete`: who is in an organization, with which rights. */
import type { Command } from 'commander';
import { action, addRightFlags, type CommandTree, either, rightsFrom } from './command.js';
import { organizationIdOption, pagingOptions } from './organizations.js';
import { printJson, printListing } from './output.js';

export function addCollaboratorCommands(tree: CommandTree): void {
  tree.add('collaborators', ['collaborator', 'members', 'member'], addSubcommands);
}

function addSubcommands(group: Command): void {
  group
    .summary('manage the collaborators of an organization')
    .description('List, show, set and remove the users who collaborate on an organization, with their rights.');

  pagingOptions(
    group
      .command('list [organization-id]')
      .alias('ls')
      .summary('list the collaborators of an organization')
      .description('List collaborators with their rights (IDs only without RIGHT_ORGANIZATION_SETTINGS_MEMBERS).')
      .addOption(organizationIdOption()),
    'id, rights',
  ).action(
    action(async (ctx, [positional], options) => {
      const service = await ctx.collaborators();
      printListing(
        await service.list({
          organizationId: either(positional, options.organizationId, 'organization ID'),
          limit: options.limit,
          page: options.page,
          order: options.order,
        }),
      );
    }),
  );

  group
    .command('get')
    .alias('info')
    .summary("show a collaborator's rights")
    .addOption(organizationIdOption())
    .option('--user-id <id>', 'the collaborator')
    .action(
      action(async (ctx, _args, options) => {
        printJson(
          await (await ctx.collaborators()).get({ organizationId: options.organizationId, userId: options.userId }),
        );
      }),
    );

  addRightFlags(
    group
      .command('set')
      .alias('update')
      .summary("add a collaborator or replace a collaborator's rights")
      .description(
        'Make --user-id a collaborator holding exactly the rights given (at least one). Granting or removing a ' +
          'right needs holding it; the organization must keep a collaborator with RIGHT_ORGANIZATION_ALL.',
      )
      .addOption(organizationIdOption())
      .option('--user-id <id>', 'the collaborator'),
  ).action(
    action(async (ctx, _args, options) => {
      await (
        await ctx.collaborators()
      ).set({
        organizationId: options.organizationId,
        userId: options.userId,
        rights: rightsFrom(options),
      });
    }),
  );

  group
    .command('delete')
    .aliases(['del', 'remove', 'rm'])
    .summary('remove a collaborator')
    .addOption(organizationIdOption())
    .option('--user-id <id>', 'the collaborator')
    .action(
      action(async (ctx, _args, options) => {
        await (await ctx.collaborators()).delete({ organizationId: options.organizationId, userId: options.userId });
      }),
    );
}
