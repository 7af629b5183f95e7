/** `orgs api-keys list|get|create|set|delete`: organization API keys. */
import type { Command } from 'commander';
import { action, addRightFlags, type CommandTree, either, rightsFrom } from './command.js';
import { organizationIdOption, pagingOptions } from './organizations.js';
import { note, printJson, printListing } from './output.js';

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
    .description(
      'Create, list, show, change and delete organization API keys. A key acts on its own organization only.',
    );

  pagingOptions(
    group
      .command('list [organization-id]')
      .alias('ls')
      .summary("list an organization's API keys (never their secrets)")
      .addOption(organizationIdOption()),
    'api_key_id, name, created_at, expires_at',
  ).action(
    action(async (ctx, [positional], options) => {
      printListing(
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
    .addOption(organizationIdOption())
    .option('--api-key-id <id>', 'the API key ID')
    .action(action(async (ctx, args, options) => printJson(await (await ctx.apiKeys()).get(keyIds(args, options)))));

  addRightFlags(
    group
      .command('create [organization-id]')
      .aliases(['add', 'generate'])
      .summary('create an API key; its secret is shown this once')
      .description(
        'Create an API key holding the rights given (at least one, each held by the caller). The key is printed ' +
          'once, in the "key" field: store it safely, it cannot be shown again.',
      )
      .addOption(organizationIdOption())
      .option('--name <name>', 'name of the key')
      .option('--api-key-expiry <time>', 'expiry, RFC 3339 in the future (e.g. 2030-01-31T12:00:00Z)'),
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
      printJson(created);
      note('The key above is shown only now: copy it to a safe place. It cannot be shown again.');
    }),
  );

  addRightFlags(
    group
      .command('set [organization-id] [api-key-id]')
      .alias('update')
      .summary("change an API key's name, expiry or rights")
      .description(
        'Change an API key. --right-* flags replace its rights; adding or removing a right needs holding it.',
      )
      .addOption(organizationIdOption())
      .option('--api-key-id <id>', 'the API key ID')
      .option('--name <name>', 'new name')
      .option('--api-key-expiry <time>', 'new expiry, RFC 3339 in the future'),
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
    .aliases(['remove', 'del', 'rm'])
    .summary('delete an API key: it authenticates nobody from now on')
    .addOption(organizationIdOption())
    .option('--api-key-id <id>', 'the API key ID')
    .action(action(async (ctx, args, options) => (await ctx.apiKeys()).delete(keyIds(args, options))));
}
