/**
 * `orgs applications|gateways|clients …`: one set of commands, built for each kind of the table in
 * src/core/kinds.ts. Only the command named on the command line is built, as for the others.
 */
import type { Command } from 'commander';
import type { EntityCollaboratorRequest } from '../core/entities.js';
import { KINDS, type EntityKind } from '../core/kinds.js';
import { keyOwnerOf } from '../core/key-owners.js';
import { withArticle } from '../core/validate.js';
import { addOwnerApiKeyCommands } from './api-keys.js';
import { ENTITY_FIELDS } from '../core/views.js';
import {
  action,
  addFieldSelectors,
  addRightFlags,
  attributeOf,
  changeFrom,
  changeOptions,
  type CommandTree,
  either,
  examples,
  pagingOptions,
  recordFieldOptions,
  recordFieldsFrom,
  rightsFrom,
  searchFrom,
  searchOptions,
  selectedFields,
  DRY_RUN,
} from './command.js';
import type { Context } from './context.js';
import { accessOptions, accessRequest, printAccess } from './access.js';
import { confirm } from './prompt.js';

type Options = Record<string, any>;

/** The IDs the examples use. */
const EXAMPLE_IDS: Record<EntityKind['name'], string> = { application: 'app1', gateway: 'gtw1', client: 'client1' };

export function addEntityCommands(tree: CommandTree): void {
  for (const kind of KINDS) tree.add(kind.command, [...kind.aliases], (group) => addSubcommands(group, kind));
}

/** What every command of a kind needs: its examples' names, its ID, its service, its collaborator flags. */
function helpersFor(kind: EntityKind) {
  const idOf = (args: (string | undefined)[], options: Options) =>
    either(args[0], options[attributeOf(kind.idFlag)], `${kind.name} ID`);
  return {
    /** `orgs applications`, for the examples. */
    orgs: `orgs ${kind.command}`,
    /** The ID the examples use. */
    id: EXAMPLE_IDS[kind.name],
    idOf,
    service: (ctx: Context) => ctx.entities(kind),
    collaboratorOf: (args: (string | undefined)[], options: Options): EntityCollaboratorRequest => ({
      entityId: idOf(args, options),
      userId: options.userId,
      organizationId: options.organizationId,
    }),
    collaboratorOptions: (command: Command) =>
      command
        .option('--user-id <id>', 'the user collaborator')
        .option('--organization-id <id>', 'the organization collaborator'),
    withId: (command: Command) => command.option(`--${kind.idFlag} <id>`, `the ${kind.name} ID`),
  };
}

function addSubcommands(group: Command, kind: EntityKind): void {
  const { name, command: groupName, idFlag } = kind;
  const { orgs, id, idOf, service, collaboratorOf, collaboratorOptions, withId } = helpersFor(kind);

  group
    .summary(`manage ${groupName}, their collaborators and rights`)
    .description(
      `Create, list, search, show, change, delete, restore and purge ${groupName}; manage their collaborators ` +
        `(users or organizations) and see the rights that reach them.`,
    )
    .addHelpText(
      'after',
      examples(
        `${orgs} create ${id} --organization-id org1`,
        `${orgs} collaborators set ${id} --organization-id org1 --right-${name}-info`,
        `ORGS_USER_ID=user2 ${orgs} rights ${id} --explain`,
      ),
    );

  const keyOwner = keyOwnerOf(name);
  if (keyOwner) addOwnerApiKeyCommands(group, keyOwner.name);

  const create = withId(group.command(`create [${idFlag}]`))
    .aliases(['add', 'register'])
    .summary(`create ${withArticle(name)}`)
    .description(
      `Create ${withArticle(name)}; the collaborator named (--user-id or --organization-id; default: the caller) ` +
        `gets all rights on it. For an organization this needs ${kind.organizationRights.create}.`,
    )
    .addHelpText(
      'after',
      examples(
        `${orgs} create ${id} --user-id user1`,
        `${orgs} create ${id} --organization-id org1 --name "My ${name}"`,
      ),
    )
    .option('--user-id <id>', 'the user who gets all rights (default: the calling user)')
    .option('--organization-id <id>', 'the organization that gets all rights');
  recordFieldOptions(create, name).action(
    action(async (ctx, args, options) => {
      const entityId = idOf(args, options);
      const collaborator = { userId: options.userId, organizationId: options.organizationId };
      const fields = recordFieldsFrom(options);
      const entities = await service(ctx);
      if (entityId !== undefined || ctx.runtime.stdin.isTTY) {
        await ctx.output.print(await entities.create({ entityId, ...collaborator, ...fields }));
        return;
      }
      const { bulkCreate } = await import('./bulk.js');
      await bulkCreate(ctx, entities.bulkTarget(collaborator), fields);
    }),
  );

  const listing = (command: Command) =>
    addFieldSelectors(pagingOptions(command, `${kind.idKey}, name, created_at`), ENTITY_FIELDS);

  listing(
    group
      .command('list')
      .alias('ls')
      .summary(`list ${groupName}`)
      .description(
        `List the ${groupName} the caller has rights on (directly or through organizations; the administrator sees all), ` +
          `or those of --user-id or --organization-id.`,
      )
      .addHelpText('after', examples(`${orgs} list`, `${orgs} list --organization-id org1 --all`))
      .option('--user-id <id>', `the ${groupName} of this user`)
      .option('--organization-id <id>', `the ${groupName} this organization collaborates on`)
      .option('--deleted', `list deleted ${groupName} instead`),
  ).action(
    action(async (ctx, _args, options) => {
      await ctx.output.printListing(
        await (
          await service(ctx)
        ).list({ userId: options.userId, organizationId: options.organizationId, ...listOptions(options) }),
      );
    }),
  );

  listing(
    searchOptions(
      group
        .command('search')
        .summary(`search ${groupName}`)
        .description(`Search the ${groupName} the caller can see; every filter given must match.`)
        .addHelpText(
          'after',
          examples(`${orgs} search --id-contains ${id.slice(0, 3)}`, `${orgs} search --query radio --all`),
        ),
      groupName,
    ),
  ).action(
    action(async (ctx, _args, options) => {
      await ctx.output.printListing(
        await (await service(ctx)).search({ ...searchFrom(options), ...listOptions(options) }),
      );
    }),
  );

  addFieldSelectors(
    withId(group.command(`get [${idFlag}]`))
      .alias('info')
      .summary(`show ${withArticle(name)}`)
      .description(`Show ${withArticle(name)}; without ${kind.rights.info} only its public fields.`)
      .addHelpText('after', examples(`${orgs} get ${id}`, `${orgs} get ${id} --all`)),
    ENTITY_FIELDS,
  ).action(
    action(async (ctx, args, options) => {
      await ctx.output.print(
        await (await service(ctx)).get(idOf(args, options), selectedFields(options, ENTITY_FIELDS)),
      );
    }),
  );

  const set = withId(group.command(`set [${idFlag}]`))
    .alias('update')
    .summary(`change ${withArticle(name)}`)
    .description(
      `Change the fields given; --attributes are merged (key= removes one). Needs ${kind.rights.settingsBasic}.`,
    )
    .addHelpText('after', examples(`${orgs} set ${id} --name "New name"`, `${orgs} set ${id} --unset description`));
  changeOptions(set).action(
    action(async (ctx, args, options) => {
      await ctx.output.print(
        await (
          await service(ctx)
        ).update({
          entityId: idOf(args, options),
          ...changeFrom(options),
        }),
      );
    }),
  );

  withId(group.command(`delete [${idFlag}]`).option('--dry-run', DRY_RUN))
    .aliases(['del', 'remove', 'rm'])
    .summary(`delete ${withArticle(name)} (its ID stays reserved)`)
    .description(
      `Delete ${withArticle(name)}; it can be restored within the restore window. Needs ${kind.rights.delete}.`,
    )
    .addHelpText('after', examples(`${orgs} delete ${id}`))
    .action(action(async (ctx, args, options) => (await service(ctx)).delete(idOf(args, options))));

  withId(group.command(`restore [${idFlag}]`).option('--dry-run', DRY_RUN))
    .summary(`restore a deleted ${name}`)
    .description(`Restore ${withArticle(name)} deleted within the restore window (config key restore-window).`)
    .addHelpText('after', examples(`${orgs} restore ${id}`))
    .action(action(async (ctx, args, options) => (await service(ctx)).restore(idOf(args, options))));

  withId(group.command(`purge [${idFlag}]`).option('--dry-run', DRY_RUN))
    .aliases(['permanent-delete', 'hard-delete'])
    .summary(`remove ${withArticle(name)} for good and free its ID`)
    .description(`Remove ${withArticle(name)} and its collaborators for good. Administrators only.`)
    .addHelpText('after', examples(`${orgs} purge ${id}`, `${orgs} purge ${id} --force`))
    .option('--force', 'do not ask for confirmation')
    .action(
      action(async (ctx, args, options) => {
        const ask = (entityId: string) =>
          confirm(ctx, `Purge ${name} ${entityId} for good? Its collaborators go with it.`);
        await (await service(ctx)).purge(idOf(args, options), options.force ? undefined : ask);
      }),
    );

  addRightFlags(
    collaboratorOptions(
      withId(group.command(`rights [${idFlag}]`))
        .summary(`the rights on ${withArticle(name)}, and why`)
        .description(
          `Print the caller's effective rights on ${withArticle(name)} (or those of --user-id or --organization-id, ` +
            `which needs ${kind.rights.settingsCollaborators}). --explain shows every path they come by. Given ` +
            `--right-* flags, print nothing and exit 0 if all are held, else exit 4 naming the missing ones.`,
        )
        .addHelpText(
          'after',
          examples(
            `${orgs} rights ${id}`,
            `ORGS_USER_ID=user2 ${orgs} rights ${id} --explain`,
            `${orgs} rights ${id} --user-id user2 --right-${name}-info && echo yes`,
          ),
        )
        .option('--explain', 'show every path the rights come by, the empty ones too'),
    ),
    [kind.group],
  ).action(
    action(async (ctx, args, options) => {
      const entities = await service(ctx);
      const request = collaboratorOf(args, options);
      const needed = rightsFrom(options);
      if (needed.length > 0) return entities.check(request, needed);
      const effective = await entities.rights(request);
      if (!options.explain) return ctx.output.print(effective.rights.toArray());
      const { explanationView } = await import('../core/effective-rights.js');
      const view = explanationView(effective);
      await ctx.output.printAs(view, () => explanationTree(view));
    }),
  );

  accessOptions(
    withId(group.command(`access [${idFlag}]`))
      .summary(`who holds rights on ${withArticle(name)}, by any path`)
      .description(
        `List everyone with a right on ${withArticle(name)}: its collaborators, the members and API keys of the ` +
          `organizations that collaborate on it, and the administrators, with their effective rights. ` +
          `Needs ${kind.rights.settingsCollaborators}.`,
      )
      .addHelpText('after', examples(`${orgs} access ${id}`, `${orgs} access ${id} --right-${name}-info --explain`)),
    kind.group,
  ).action(
    action(async (ctx, args, options) => {
      await printAccess(ctx, await (await service(ctx)).access(idOf(args, options), accessRequest(options)), options);
    }),
  );

  addCollaboratorCommands(group.command('collaborators'), kind);
}

function addCollaboratorCommands(group: Command, kind: EntityKind): void {
  const { name, idFlag } = kind;
  const h = helpersFor(kind);
  group
    .aliases(['collaborator', 'members', 'member'])
    .summary(`manage the collaborators of ${withArticle(name)}`)
    .description(
      `List, show, set and remove the users and organizations that collaborate on ${withArticle(name)}. ` +
        `Needs ${kind.rights.settingsCollaborators}.`,
    )
    .addHelpText(
      'after',
      examples(
        `${h.orgs} collaborators list ${h.id}`,
        `${h.orgs} collaborators set ${h.id} --organization-id org1 --right-${name}-info`,
      ),
    );

  pagingOptions(
    h
      .withId(group.command(`list [${idFlag}]`))
      .alias('ls')
      .summary(`list the collaborators of ${withArticle(name)}`)
      .description('List the users and organizations that collaborate, with their rights.')
      .addHelpText(
        'after',
        examples(`${h.orgs} collaborators list ${h.id}`, `${h.orgs} collaborators list ${h.id} --order -rights`),
      ),
    'id, rights',
  ).action(
    action(async (ctx, args, options) => {
      await ctx.output.printListing(
        await (
          await h.service(ctx)
        ).listCollaborators({
          entityId: h.idOf(args, options),
          limit: options.limit,
          page: options.page,
          order: options.order,
        }),
      );
    }),
  );

  h.collaboratorOptions(h.withId(group.command(`get [${idFlag}]`)))
    .alias('info')
    .summary("show a collaborator's rights")
    .description(`Show the rights a user or organization holds on ${withArticle(name)}.`)
    .addHelpText('after', examples(`${h.orgs} collaborators get ${h.id} --organization-id org1`))
    .action(
      action(async (ctx, args, options) => {
        await ctx.output.print(await (await h.service(ctx)).getCollaborator(h.collaboratorOf(args, options)));
      }),
    );

  addRightFlags(
    h
      .collaboratorOptions(h.withId(group.command(`set [${idFlag}]`).option('--dry-run', DRY_RUN)))
      .alias('update')
      .summary("add a collaborator or replace a collaborator's rights")
      .description(
        'Make the user or organization a collaborator holding exactly the rights given (at least one). Granting or ' +
          'removing a right needs holding it; naming an organization needs its RIGHT_ORGANIZATION_ADD_AS_COLLABORATOR; ' +
          `a collaborator with ${kind.rights.all} must remain.`,
      )
      .addHelpText(
        'after',
        examples(
          `${h.orgs} collaborators set ${h.id} --organization-id org1 --right-${name}-info`,
          `${h.orgs} collaborators set ${h.id} --user-id user2 --right-${name}-all`,
        ),
      ),
    [kind.group],
  ).action(
    action(async (ctx, args, options) => {
      await (await h.service(ctx)).setCollaborator({ ...h.collaboratorOf(args, options), rights: rightsFrom(options) });
    }),
  );

  h.collaboratorOptions(h.withId(group.command(`delete [${idFlag}]`).option('--dry-run', DRY_RUN)))
    .aliases(['del', 'remove', 'rm'])
    .summary('remove a collaborator')
    .description(`Remove a user or organization from ${withArticle(name)}; needs every right it holds.`)
    .addHelpText('after', examples(`${h.orgs} collaborators delete ${h.id} --organization-id org1`))
    .action(
      action(async (ctx, args, options) => (await h.service(ctx)).deleteCollaborator(h.collaboratorOf(args, options))),
    );
}

function listOptions(options: Options) {
  return {
    deleted: options.deleted,
    limit: options.limit,
    page: options.page,
    order: options.order,
    fields: selectedFields(options, ENTITY_FIELDS),
  };
}

/** `--explain` for a person: each path as a branch, with what it contributed. */
function explanationTree(view: Record<string, any>): string {
  const list = (rights: string[]) => (rights.length > 0 ? rights.join(', ') : '(none)');
  const lines = [`rights: ${list(view.rights)}`];
  view.paths.forEach((path: Record<string, any>, i: number) => {
    const last = i === view.paths.length - 1;
    const [branch, stem] = last ? ['└─ ', '   '] : ['├─ ', '│  '];
    const via =
      typeof path.via === 'string'
        ? path.via
        : path.via.organization_ids
          ? `organization ${path.via.organization_ids.organization_id}`
          : `API key ${path.via.api_key_id}`;
    lines.push(`${branch}${via}: ${list(path.rights)}`);
    const parts: Array<[string, string[] | undefined]> = [
      ['member rights', path.member_rights],
      ['key rights', path.key_rights],
      ['organization rights', path.organization_rights],
    ];
    for (const [label, rights] of parts) if (rights) lines.push(`${stem}   ${label}: ${list(rights)}`);
    if (path.members_hidden) lines.push(`${stem}   member rights: hidden (you may not list its members)`);
  });
  return lines.map((line) => `${line}\n`).join('');
}
