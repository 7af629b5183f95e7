/**
 * `orgs api-keys …` (an organization's), `orgs users api-keys …`, `orgs applications api-keys …`
 * and `orgs gateways api-keys …`: one set of commands over the table of owner kinds.
 */
import type { Command } from 'commander';
import { Option } from 'commander';
import {
  action,
  addRightFlags,
  attributeOf,
  type CommandTree,
  either,
  rightsFrom,
  examples,
  pagingOptions,
  DRY_RUN,
} from './command.js';
import type { Context } from './context.js';
import { printReach, reachOptions, reachRequest } from './access.js';
import { confirm } from './prompt.js';
import { keyOwnerNamed, type KeyOwnerKindName } from '../core/key-owners.js';
import { withArticle } from '../core/validate.js';

type Options = Record<string, any>;

/** The owner the examples name, and the command group that holds its keys. */
const EXAMPLES: Record<KeyOwnerKindName, { id: string; group: string; right: string }> = {
  organization: { id: 'org1', group: 'api-keys', right: 'organization-info' },
  user: { id: 'user1', group: 'users api-keys', right: 'user-all' },
  application: { id: 'app1', group: 'applications api-keys', right: 'application-traffic-read' },
  gateway: { id: 'gtw1', group: 'gateways api-keys', right: 'gateway-info' },
};

export function addApiKeyCommands(tree: CommandTree): void {
  tree.add('api-keys', ['api-key'], (group) => addApiKeySubcommands(group, 'organization'));
}

/** `<group> api-keys`, under the command group of an owner kind (`orgs users`, …). */
export function addOwnerApiKeyCommands(parent: Command, owner: KeyOwnerKindName): void {
  addApiKeySubcommands(parent.command('api-keys').aliases(['api-key']), owner);
}

function addApiKeySubcommands(group: Command, ownerName: KeyOwnerKindName): void {
  const owner = keyOwnerNamed(ownerName);
  const { id, group: groupName, right } = EXAMPLES[ownerName];
  const orgs = `orgs ${groupName}`;
  const ownerIdOption = () => new Option(`--${owner.idFlag} <id>`, `the ${owner.name} ID`);
  const ownerIdOf = (positional: string | undefined, options: Options) =>
    either(positional, options[attributeOf(owner.idFlag)], `${owner.name} ID`);
  /** `[owner-id] [api-key-id]` as positionals or flags. */
  const keyIds = (args: (string | undefined)[], options: Options) => ({
    ownerId: ownerIdOf(args[0], options),
    apiKeyId: either(args[1], options.apiKeyId, 'API key ID'),
  });
  const service = (ctx: Context) => ctx.apiKeys(ownerName);
  const ownerArg = `[${owner.name}-id]`;
  const rightFlags = (command: Command) => addRightFlags(command, owner.groups);
  const acts =
    ownerName === 'user'
      ? 'A key acts as its user, within its own rights.'
      : `A key acts on its own ${owner.name} only.`;
  group
    .summary(`manage the API keys of ${withArticle(owner.name)}`)
    .addHelpText(
      'after',
      examples(
        `${orgs} create ${id} --name ci --right-${right}`,
        `${orgs} list ${id}`,
        `${orgs} delete ${id} <api-key-id>`,
      ),
    )
    .description(`Create, list, show, change and delete the API keys of ${withArticle(owner.name)}. ${acts}`);

  pagingOptions(
    group
      .command(`list ${ownerArg}`)
      .alias('ls')
      .summary(`list the API keys of ${withArticle(owner.name)} (never their secrets)`)
      .description(
        `List the API keys of ${withArticle(owner.name)} with their names, rights and expiry; never their secrets. Needs ${owner.manage}.`,
      )
      .addHelpText('after', examples(`${orgs} list ${id}`, `${orgs} list ${id} --order -created_at --limit 10`))
      .addOption(ownerIdOption()),
    'api_key_id, name, created_at, expires_at',
  ).action(
    action(async (ctx, [positional], options) => {
      await ctx.output.printListing(
        await (
          await service(ctx)
        ).list({
          ownerId: ownerIdOf(positional, options),
          limit: options.limit,
          page: options.page,
          order: options.order,
        }),
      );
    }),
  );

  group
    .command(`get ${ownerArg} [api-key-id]`)
    .alias('info')
    .summary('show an API key (never its secret)')
    .description(`Show one API key of ${withArticle(owner.name)}: its name, rights and expiry; never its secret.`)
    .addHelpText(
      'after',
      examples(`${orgs} get ${id} <api-key-id>`, `${orgs} get --${owner.idFlag} ${id} --api-key-id <api-key-id>`),
    )
    .addOption(ownerIdOption())
    .option('--api-key-id <id>', 'the API key ID')
    .action(
      action(
        async (ctx, args, options) => await ctx.output.print(await (await service(ctx)).get(keyIds(args, options))),
      ),
    );

  rightFlags(
    group
      .command(`create ${ownerArg}`)
      .aliases(['add', 'generate'])
      .summary('create an API key; its secret is shown this once')
      .addHelpText(
        'after',
        examples(
          `${orgs} create ${id} --name "API key for my ${owner.name}" --right-${right}`,
          `${orgs} create ${id} --right-${right} --api-key-expiry 2030-01-31T12:00:00Z`,
          `KEY=$(${orgs} create ${id} --right-${right} | jq -r .key)`,
        ),
      )
      .description(
        'Create an API key holding the rights given (at least one, each held by the caller). The key is printed ' +
          'once, in the "key" field: store it safely, it cannot be shown again.',
      )
      .addOption(ownerIdOption())
      .option('--name <name>', 'name of the key')
      .option(
        '--api-key-expiry <time>',
        'expiry in the future, RFC 3339 (2030-01-31T12:00:00Z) or a date (2030-01-31: its start, UTC)',
      ),
  ).action(
    action(async (ctx, [positional], options) => {
      const created = await (
        await service(ctx)
      ).create({
        ownerId: ownerIdOf(positional, options),
        name: options.name,
        rights: rightsFrom(options),
        expiresAt: options.apiKeyExpiry,
      });
      await ctx.output.print(created);
      ctx.output.note('The key above is shown only now: copy it to a safe place. It cannot be shown again.');
    }),
  );

  rightFlags(
    group
      .command(`set ${ownerArg} [api-key-id]`)
      .option('--dry-run', DRY_RUN)
      .alias('update')
      .summary("change an API key's name, expiry or rights")
      .addHelpText(
        'after',
        examples(`${orgs} set ${id} <api-key-id> --name reader`, `${orgs} set ${id} <api-key-id> --right-${right}`),
      )
      .description(
        'Change an API key. --right-* flags replace its rights; adding or removing a right needs holding it.',
      )
      .addOption(ownerIdOption())
      .option('--api-key-id <id>', 'the API key ID')
      .option('--name <name>', 'new name')
      .option('--api-key-expiry <time>', 'new expiry in the future, RFC 3339 or a date (its start, UTC)'),
  ).action(
    action(async (ctx, args, options) => {
      const rights = rightsFrom(options);
      await (
        await service(ctx)
      ).update({
        ...keyIds(args, options),
        name: options.name,
        rights: rights.length > 0 ? rights : undefined,
        expiresAt: options.apiKeyExpiry,
      });
    }),
  );

  group
    .command(`delete ${ownerArg} [api-key-id]`)
    .option('--dry-run', DRY_RUN)
    .aliases(['remove', 'del', 'rm'])
    .summary('delete an API key: it authenticates nobody from now on')
    .description(`Delete an API key of ${withArticle(owner.name)}. Scripts holding it are refused from now on.`)
    .addHelpText('after', examples(`${orgs} delete ${id} <api-key-id>`))
    .addOption(ownerIdOption())
    .option('--api-key-id <id>', 'the API key ID')
    .option('--force', 'do not ask for confirmation when the key is the one orgs login uses')
    .action(
      action(async (ctx, args, options) => {
        const ids = keyIds(args, options);
        const loginKey = options.force ? undefined : await loginKeyId(ctx);
        await (
          await service(ctx)
        ).delete(
          ids,
          loginKey === undefined || ids.apiKeyId !== loginKey
            ? undefined
            : (id) => confirm(ctx, `API key ${id} is the one orgs login uses; delete it and lose that login?`),
        );
      }),
    );

  reachOptions(
    group
      .command(`reach ${ownerArg} [api-key-id]`)
      .summary('what an API key holds rights on')
      .description(
        'List the organizations, applications, gateways and clients an API key holds a right on, with ' +
          `its effective rights there. Needs ${owner.manage}; an expired key reaches nothing.`,
      )
      .addHelpText('after', examples(`${orgs} reach ${id} <api-key-id>`, `${orgs} reach ${id} <api-key-id> --explain`))
      .addOption(ownerIdOption())
      .option('--api-key-id <id>', 'the API key ID'),
  ).action(
    action(async (ctx, args, options) => {
      const request = { ...keyIds(args, options), ...(await reachRequest(options)) };
      await printReach(ctx, await (await service(ctx)).reach(request), options);
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
