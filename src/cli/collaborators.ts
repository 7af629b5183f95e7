/** `orgs collaborators list|get|set|delete`: who is in an organization, with which rights. */
import type { Command } from 'commander';
import {
  action,
  addRightFlags,
  type CommandTree,
  either,
  rightsFrom,
  examples,
  organizationIdOption,
  pagingOptions,
  DRY_RUN,
} from './command.js';

/** Every collaborators command takes the organization ID as its argument or as --organization-id. */
const organizationIdOf = (positional: string | undefined, options: { organizationId?: string }) =>
  either(positional, options.organizationId, 'organization ID');

export function addCollaboratorCommands(tree: CommandTree): void {
  tree.add('collaborators', ['collaborator', 'members', 'member'], addSubcommands);
}

function addSubcommands(group: Command): void {
  group
    .summary('manage the collaborators of an organization')
    .addHelpText(
      'after',
      examples(
        'orgs collaborators set org1 --user-id user2 --right-organization-info',
        'orgs collaborators list org1',
        'orgs collaborators delete org1 --user-id user2',
      ),
    )
    .description('List, show, set and remove the users who collaborate on an organization, with their rights.');

  pagingOptions(
    group
      .command('list [organization-id]')
      .alias('ls')
      .summary('list the collaborators of an organization')
      .addHelpText('after', examples('orgs collaborators list org1', 'orgs members ls org1 --order -rights'))
      .description('List collaborators with their rights (IDs only without RIGHT_ORGANIZATION_SETTINGS_MEMBERS).')
      .addOption(organizationIdOption()),
    'id, rights',
  ).action(
    action(async (ctx, [positional], options) => {
      const service = await ctx.collaborators();
      await ctx.output.printListing(
        await service.list({
          organizationId: organizationIdOf(positional, options),
          limit: options.limit,
          page: options.page,
          order: options.order,
        }),
      );
    }),
  );

  group
    .command('get [organization-id]')
    .alias('info')
    .summary("show a collaborator's rights")
    .description('Show the rights a user holds in an organization. Needs RIGHT_ORGANIZATION_SETTINGS_MEMBERS.')
    .addHelpText(
      'after',
      examples(
        'orgs collaborators get org1 --user-id user2',
        'orgs collaborators get --organization-id org1 --user-id user2',
      ),
    )
    .addOption(organizationIdOption())
    .option('--user-id <id>', 'the collaborator')
    .action(
      action(async (ctx, [positional], options) => {
        await ctx.output.print(
          await (
            await ctx.collaborators()
          ).get({ organizationId: organizationIdOf(positional, options), userId: options.userId }),
        );
      }),
    );

  addRightFlags(
    group
      .command('set [organization-id]')
      .option('--dry-run', DRY_RUN)
      .alias('update')
      .summary("add a collaborator or replace a collaborator's rights")
      .addHelpText(
        'after',
        examples(
          'orgs collaborators set org1 --user-id user1 --right-organization-all',
          'orgs collaborators set --organization-id org1 --user-id user2 --right-organization-info --right-organization-settings-members',
        ),
      )
      .description(
        'Make --user-id a collaborator holding exactly the rights given (at least one). Granting or removing a ' +
          'right needs holding it; the organization must keep a collaborator with RIGHT_ORGANIZATION_ALL.',
      )
      .addOption(organizationIdOption())
      .option('--user-id <id>', 'the collaborator'),
  ).action(
    action(async (ctx, [positional], options) => {
      await (
        await ctx.collaborators()
      ).set({
        organizationId: organizationIdOf(positional, options),
        userId: options.userId,
        rights: rightsFrom(options),
      });
    }),
  );

  group
    .command('delete [organization-id]')
    .option('--dry-run', DRY_RUN)
    .aliases(['del', 'remove', 'rm'])
    .summary('remove a collaborator')
    .description(
      'Remove a user from an organization. Needs RIGHT_ORGANIZATION_SETTINGS_MEMBERS and every right the user holds; an owner (RIGHT_ORGANIZATION_ALL) must remain.',
    )
    .addHelpText('after', examples('orgs collaborators delete org1 --user-id user2'))
    .addOption(organizationIdOption())
    .option('--user-id <id>', 'the collaborator')
    .action(
      action(async (ctx, [positional], options) => {
        await (
          await ctx.collaborators()
        ).delete({
          organizationId: organizationIdOf(positional, options),
          userId: options.userId,
        });
      }),
    );
}
