/** `orgs api-keys list|get|create|set|delete`: organization API keys. */
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
import type { Context } from './context.js';
import { printReach, reachOptions, reachRequest } from './access.js';
import { confirm } from './prompt.js';

type Options = Record<string, any>;

/** `[organization-id] [api-key-id]` as positionals or flags. */
function keyIds(args: (string | undefined)[], options: Options) {
  return {
    organizationId: either(args[0], options.organizationId, 'organization ID'),
    apiKeyId: either(args[1], options.apiKeyId, 'API key ID'),
  };
}

export function addApiKeyCommands(tree: CommandTree): void {
  tree.add('api-keys', ['api-key'], addSubcommands);
}

function addSubcommands(group: Command): void {
  group
    .summary('manage the API keys of an organization')
    .addHelpText(
      'after',
      examples(
        'orgs api-keys create org1 --name ci --right-organization-info',
        'orgs api-keys list org1',
        'orgs api-keys delete org1 <api-key-id>',
      ),
    )
    .description(
      'Create, list, show, change and delete organization API keys. A key acts on its own organization only.',
    );

  pagingOptions(
    group
      .command('list [organization-id]')
      .alias('ls')
      .summary("list an organization's API keys (never their secrets)")
      .description(
        'List the API keys of an organization with their names, rights and expiry; never their secrets. Needs RIGHT_ORGANIZATION_SETTINGS_API_KEYS.',
      )
      .addHelpText(
        'after',
        examples('orgs api-keys list org1', 'orgs api-keys list org1 --order -created_at --limit 10'),
      )
      .addOption(organizationIdOption()),
    'api_key_id, name, created_at, expires_at',
  ).action(
    action(async (ctx, [positional], options) => {
      await ctx.output.printListing(
        await (
          await ctx.apiKeys()
        ).list({
          organizationId: either(positional, options.organizationId, 'organization ID'),
          limit: options.limit,
          page: options.page,
          order: options.order,
        }),
      );
    }),
  );

  group
    .command('get [organization-id] [api-key-id]')
    .alias('info')
    .summary('show an API key (never its secret)')
    .description('Show one API key of an organization: its name, rights and expiry; never its secret.')
    .addHelpText(
      'after',
      examples(
        'orgs api-keys get org1 <api-key-id>',
        'orgs api-keys get --organization-id org1 --api-key-id <api-key-id>',
      ),
    )
    .addOption(organizationIdOption())
    .option('--api-key-id <id>', 'the API key ID')
    .action(
      action(
        async (ctx, args, options) => await ctx.output.print(await (await ctx.apiKeys()).get(keyIds(args, options))),
      ),
    );

  addRightFlags(
    group
      .command('create [organization-id]')
      .aliases(['add', 'generate'])
      .summary('create an API key; its secret is shown this once')
      .addHelpText(
        'after',
        examples(
          'orgs api-keys create org1 --name "API key for my organization" --right-organization-all',
          'orgs api-keys create org1 --right-organization-info --api-key-expiry 2030-01-31T12:00:00Z',
          'KEY=$(orgs api-keys create org1 --right-organization-info | jq -r .key)',
        ),
      )
      .description(
        'Create an API key holding the rights given (at least one, each held by the caller). The key is printed ' +
          'once, in the "key" field: store it safely, it cannot be shown again.',
      )
      .addOption(organizationIdOption())
      .option('--name <name>', 'name of the key')
      .option(
        '--api-key-expiry <time>',
        'expiry in the future, RFC 3339 (2030-01-31T12:00:00Z) or a date (2030-01-31: its start, UTC)',
      ),
  ).action(
    action(async (ctx, [positional], options) => {
      const created = await (
        await ctx.apiKeys()
      ).create({
        organizationId: either(positional, options.organizationId, 'organization ID'),
        name: options.name,
        rights: rightsFrom(options),
        expiresAt: options.apiKeyExpiry,
      });
      await ctx.output.print(created);
      ctx.output.note('The key above is shown only now: copy it to a safe place. It cannot be shown again.');
    }),
  );

  addRightFlags(
    group
      .command('set [organization-id] [api-key-id]')
      .option('--dry-run', DRY_RUN)
      .alias('update')
      .summary("change an API key's name, expiry or rights")
      .addHelpText(
        'after',
        examples(
          'orgs api-keys set org1 <api-key-id> --name reader',
          'orgs api-keys set org1 <api-key-id> --right-organization-info --right-organization-settings-members',
        ),
      )
      .description(
        'Change an API key. --right-* flags replace its rights; adding or removing a right needs holding it.',
      )
      .addOption(organizationIdOption())
      .option('--api-key-id <id>', 'the API key ID')
      .option('--name <name>', 'new name')
      .option('--api-key-expiry <time>', 'new expiry in the future, RFC 3339 or a date (its start, UTC)'),
  ).action(
    action(async (ctx, args, options) => {
      const rights = rightsFrom(options);
      await (
        await ctx.apiKeys()
      ).update({
        ...keyIds(args, options),
        name: options.name,
        rights: rights.length > 0 ? rights : undefined,
        expiresAt: options.apiKeyExpiry,
      });
    }),
  );

  group
    .command('delete [organization-id] [api-key-id]')
    .option('--dry-run', DRY_RUN)
    .aliases(['remove', 'del', 'rm'])
    .summary('delete an API key: it authenticates nobody from now on')
    .description('Delete an API key of an organization. Scripts holding it are refused from now on.')
    .addHelpText('after', examples('orgs api-keys delete org1 <api-key-id>'))
    .addOption(organizationIdOption())
    .option('--api-key-id <id>', 'the API key ID')
    .option('--force', 'do not ask for confirmation when the key is the one orgs login uses')
    .action(
      action(async (ctx, args, options) => {
        const ids = keyIds(args, options);
        const loginKey = options.force ? undefined : await loginKeyId(ctx);
        await (
          await ctx.apiKeys()
        ).delete(
          ids,
          loginKey === undefined || ids.apiKeyId !== loginKey
            ? undefined
            : (id) => confirm(ctx, `API key ${id} is the one orgs login uses; delete it and lose that login?`),
        );
      }),
    );

  addReachCommand(group);
}

/** `api-keys reach`: the organization and entities a key holds rights on. */
function addReachCommand(group: Command): void {
  reachOptions(
    group
      .command('reach [organization-id] [api-key-id]')
      .summary('what an API key holds rights on')
      .description(
        'List the organization and the applications, gateways and clients an API key holds a right on, with ' +
          'its effective rights there. Needs RIGHT_ORGANIZATION_SETTINGS_API_KEYS; an expired key reaches nothing.',
      )
      .addHelpText(
        'after',
        examples('orgs api-keys reach org1 <api-key-id>', 'orgs api-keys reach org1 <api-key-id> --explain'),
      )
      .addOption(organizationIdOption())
      .option('--api-key-id <id>', 'the API key ID'),
  ).action(
    action(async (ctx, args, options) => {
      const request = { ...keyIds(args, options), ...(await reachRequest(options)) };
      await printReach(ctx, await (await ctx.apiKeys()).reach(request), options);
    }),
  );
}

/** The ID of the API key that `orgs login --api-key` stored, if any. */
async function loginKeyId(ctx: Context): Promise<string | undefined> {
  const stored = ctx.config['api-key'];
  if (typeof stored !== 'string') return undefined;
  const { parseToken } = await import('../core/tokens.js');
  return parseToken(stored)?.id;
}
