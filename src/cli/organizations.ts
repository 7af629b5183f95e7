/** The organization commands: create, list, search, get, set, delete, restore, purge. */
import { accessOptions, accessRequest, printAccess, printReach, reachOptions, reachRequest } from './access.js';
import { confirm } from './prompt.js';
import {
  action,
  addFieldSelectors,
  type CommandTree,
  either,
  recordFieldOptions,
  recordFieldsFrom,
  changeOptions,
  changeFrom,
  searchOptions,
  searchFrom,
  selectedFields,
  examples,
  flagBoolean,
  organizationIdOption,
  pagingOptions,
  DRY_RUN,
} from './command.js';

export function addOrganizationCommands(tree: CommandTree): void {
  tree.add('create [organization-id]', ['add', 'register'], (command) =>
    recordFieldOptions(
      command
        .summary('create an organization')
        .addHelpText(
          'after',
          examples(
            'orgs create org1 --user-id user1',
            'orgs create org2 --name "Org 2" --attributes team=radio --user-id user1',
            'printf \'{"ids":{"organization_id":"bulk-1"}}\\n\' | orgs create --user-id user1',
          ),
        )
        .description(
          'Create an organization and make --user-id a collaborator with all rights. With no ID and JSON ' +
            'organizations on stdin, create each of them (bulk mode).',
        )
        .addOption(organizationIdOption())
        .option('--user-id <id>', 'the collaborator who gets all rights (default: the calling user)'),
      'organization',
    )
      .option(
        '--fanout-notifications [bool]',
        'send notifications to every collaborator (=false: to the owners only)',
        flagBoolean,
      )
      .action(
        action(async (ctx, [positional], options) => {
          const organizationId = either(positional, options.organizationId, 'organization ID');
          const fields = { ...recordFieldsFrom(options), fanoutNotifications: options.fanoutNotifications };
          const service = await ctx.organizations();
          if (organizationId !== undefined || ctx.runtime.stdin.isTTY) {
            await ctx.output.print(await service.create({ organizationId, userId: options.userId, ...fields }));
            return;
          }
          const { bulkCreate } = await import('./bulk.js');
          await bulkCreate(ctx, service.bulkTarget(options.userId), fields);
        }),
      ),
  );

  tree.add('list', ['ls'], (command) =>
    addFieldSelectors(
      pagingOptions(
        command
          .summary('list organizations')
          .addHelpText(
            'after',
            examples(
              'orgs list',
              'orgs list --all --order -created_at --limit 10 --page 2',
              'orgs list --deleted',
              'orgs list --user-id user1',
            ),
          )
          .description('List the organizations the caller is a member of (the administrator sees all).')
          .option('--user-id <id>', 'list the organizations of this user')
          .option('--deleted', 'list deleted organizations instead'),
        'organization_id, name, created_at',
      ),
    ).action(
      action(async (ctx, _args, options) => {
        const service = await ctx.organizations();
        await ctx.output.printListing(
          await service.list({
            userId: options.userId,
            deleted: options.deleted,
            limit: options.limit,
            page: options.page,
            order: options.order,
            fields: selectedFields(options),
          }),
        );
      }),
    ),
  );

  tree.add('search', [], (command) =>
    addFieldSelectors(
      pagingOptions(
        searchOptions(
          command
            .summary('search organizations')
            .addHelpText(
              'after',
              examples(
                'orgs search --id-contains org1',
                'orgs search --query radio --all',
                'orgs search --attributes-contain team=radio',
              ),
            )
            .description('Search the organizations the caller can see; every filter given must match.'),
          'organizations',
        ),
        'organization_id, name, created_at',
      ),
    ).action(
      action(async (ctx, _args, options) => {
        const service = await ctx.organizations();
        await ctx.output.printListing(
          await service.search({
            ...searchFrom(options),
            deleted: options.deleted,
            limit: options.limit,
            page: options.page,
            order: options.order,
            fields: selectedFields(options),
          }),
        );
      }),
    ),
  );

  tree.add('get [organization-id]', ['info'], (command) =>
    addFieldSelectors(
      command
        .summary('show an organization')
        .addHelpText(
          'after',
          examples('orgs get org1', 'orgs get --organization-id org1 --name --attributes', 'orgs get org1 --all'),
        )
        .description('Show an organization; without RIGHT_ORGANIZATION_INFO only its public fields.')
        .addOption(organizationIdOption()),
    ).action(
      action(async (ctx, [positional], options) => {
        const service = await ctx.organizations();
        await ctx.output.print(
          await service.get(either(positional, options.organizationId, 'organization ID'), selectedFields(options)),
        );
      }),
    ),
  );

  tree.add('set [organization-id]', ['update'], (command) =>
    changeOptions(
      command
        .summary('change an organization')
        .addHelpText(
          'after',
          examples(
            'orgs set org1 --name "New name"',
            'orgs set org1 --attributes team=radio --attributes old=',
            'orgs set org1 --unset description',
          ),
        )
        .description('Change the fields given; --attributes are merged (key= removes one).')
        .addOption(organizationIdOption()),
    )
      .option(
        '--fanout-notifications [bool]',
        'send notifications to every collaborator (=false: to the owners only)',
        flagBoolean,
      )
      .option('--no-fanout-notifications', 'send notifications to the owners only')
      .action(
        action(async (ctx, [positional], options) => {
          const service = await ctx.organizations();
          await ctx.output.print(
            await service.update({
              organizationId: either(positional, options.organizationId, 'organization ID'),
              ...changeFrom(options),
              fanoutNotifications: options.fanoutNotifications,
            }),
          );
        }),
      ),
  );

  tree.add('delete [organization-id]', ['del', 'remove', 'rm'], (command) =>
    command
      .option('--dry-run', DRY_RUN)
      .summary('delete an organization (its ID stays reserved)')
      .addHelpText('after', examples('orgs delete org1', 'orgs delete --organization-id org1'))
      .description(
        'Delete an organization. It can be restored within the restore window; its ID stays reserved until purged.',
      )
      .addOption(organizationIdOption())
      .action(
        action(async (ctx, [positional], options) => {
          await (await ctx.organizations()).delete(either(positional, options.organizationId, 'organization ID'));
        }),
      ),
  );

  tree.add('restore [organization-id]', [], (command) =>
    command
      .option('--dry-run', DRY_RUN)
      .summary('restore a deleted organization')
      .addHelpText('after', examples('orgs restore org1'))
      .description(
        'Restore an organization deleted within the restore window (config key restore-window, default 24h).',
      )
      .addOption(organizationIdOption())
      .action(
        action(async (ctx, [positional], options) => {
          await (await ctx.organizations()).restore(either(positional, options.organizationId, 'organization ID'));
        }),
      ),
  );

  tree.add('rights [organization-id]', [], (command) =>
    command
      .summary("list the caller's rights on an organization")
      .addHelpText('after', examples('orgs rights org1', 'ORGS_USER_ID=user2 orgs rights org1'))
      .description("Print the caller's rights on an organization, expanded (RIGHT_*_ALL included), as a JSON array.")
      .addOption(organizationIdOption())
      .action(
        action(async (ctx, [positional], options) => {
          await ctx.output.print(
            await (await ctx.organizations()).rights(either(positional, options.organizationId, 'organization ID')),
          );
        }),
      ),
  );

  tree.add('access [organization-id]', [], (command) =>
    accessOptions(
      command
        .summary('who holds rights on an organization')
        .addHelpText(
          'after',
          examples(
            'orgs access org1',
            'orgs access org1 --right-organization-settings-api-keys',
            'orgs access org1 --explain',
          ),
        )
        .description(
          'List the members and API keys of an organization and the administrators, with their rights on it. ' +
            'Needs RIGHT_ORGANIZATION_SETTINGS_MEMBERS; API keys are listed with RIGHT_ORGANIZATION_SETTINGS_API_KEYS.',
        )
        .addOption(organizationIdOption()),
      'organization',
    ).action(
      action(async (ctx, [positional], options) => {
        const id = either(positional, options.organizationId, 'organization ID');
        await printAccess(ctx, await (await ctx.organizations()).access(id, accessRequest(options)), options);
      }),
    ),
  );

  tree.add('reach [organization-id]', [], (command) =>
    reachOptions(
      command
        .summary('what an organization collaborates on, with its rights there')
        .addHelpText('after', examples('orgs reach org1', 'orgs reach org1 --kind application --explain'))
        .description(
          'List the applications, gateways and clients an organization collaborates on, with its rights on each. ' +
            'Each kind needs the organization right that lists it (RIGHT_ORGANIZATION_APPLICATIONS_LIST, …).',
        )
        .addOption(organizationIdOption()),
    ).action(
      action(async (ctx, [positional], options) => {
        const id = either(positional, options.organizationId, 'organization ID');
        const { items, unlisted } = await (await ctx.organizations()).reach(id, await reachRequest(options));
        if (unlisted.length > 0)
          ctx.output.note(`left out: ${unlisted.join(', ')} (the caller may not list them for ${id})`);
        await printReach(ctx, items, options);
      }),
    ),
  );

  tree.add('purge [organization-id]', ['permanent-delete', 'hard-delete'], (command) =>
    command
      .option('--dry-run', DRY_RUN)
      .summary('remove an organization for good and free its ID')
      .addHelpText('after', examples('orgs purge org1', 'orgs purge org1 --force'))
      .description('Remove an organization, its collaborators and API keys for good. Administrators only.')
      .addOption(organizationIdOption())
      .option('--force', 'do not ask for confirmation')
      .action(
        action(async (ctx, [positional], options) => {
          const service = await ctx.organizations();
          await service.purge(
            either(positional, options.organizationId, 'organization ID'),
            options.force
              ? undefined
              : (id) => confirm(ctx, `Purge organization ${id} for good? Its collaborators and API keys go with it.`),
          );
        }),
      ),
  );
}
