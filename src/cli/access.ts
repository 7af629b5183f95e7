/**
 * The flags and output of the access questions (ACCESS.md), shared by `orgs access`, `orgs
 * applications|gateways|clients access`, `orgs reach`, `orgs users reach` and `orgs api-keys reach`.
 */
import type { Command } from 'commander';
import type { Access, AccessRequest, ReachRequest, Reached } from '../core/access.js';
import type { Listing } from '../core/paging.js';
import { ENTITY_GROUPS, type RightGroup } from '../core/rights.js';
import { addRightFlags, collect, pageOptions, rightsFrom } from './command.js';
import type { Context } from './context.js';

type Options = Record<string, any>;

const explainOption = (command: Command) =>
  command.option('--explain', 'show every path the rights come by, as rights --explain does');

/** `access`'s flags: paging, --explain, --no-admins, and the --right-* flags of the target's group. */
export function accessOptions(command: Command, group: RightGroup): Command {
  return addRightFlags(explainOption(pageOptions(command)).option('--no-admins', 'leave out the users made --admin'), [
    group,
  ]);
}

export const accessRequest = (options: Options): AccessRequest => ({
  rights: rightsFrom(options),
  noAdmins: options.admins === false,
  limit: options.limit,
  page: options.page,
});

/** `reach`'s flags: --kind, --deleted, --explain, and the --right-* flags of every group. */
export function reachOptions(command: Command): Command {
  return addRightFlags(
    explainOption(
      command
        .option(
          '--kind <kind>',
          'only targets of this kind: organization, application, gateway or client (repeatable)',
          collect,
        )
        .option('--deleted', 'deleted targets too, and paths through deleted organizations, marked "deleted"'),
    ),
    ENTITY_GROUPS,
  );
}

export async function reachRequest(options: Options): Promise<ReachRequest> {
  const { targetKinds } = await import('../core/access.js');
  return { kinds: targetKinds(options.kind), rights: rightsFrom(options), deleted: options.deleted === true };
}

/** The subjects with their rights: JSON as ACCESS.md has it, or a table `SUBJECT  VIA  RIGHTS`. */
export async function printAccess(ctx: Context, listing: Listing<Access>, options: Options): Promise<void> {
  const { accessView, viaOf } = await import('../core/access.js');
  await ctx.output.printListingOf(
    listing,
    (access) => accessView(access, options.explain === true),
    (access) => ({ subject: subjectOf(access), via: viaOf(access.paths), rights: access.rights.toArray() }),
  );
}

/** The targets with their rights: JSON as ACCESS.md has it, or a table `TARGET  VIA  RIGHTS`. */
export async function printReach(ctx: Context, reached: Reached[], options: Options): Promise<void> {
  const { reachedView, viaOf } = await import('../core/access.js');
  await ctx.output.printListingOf(
    { items: reached },
    (item) => reachedView(item, options.explain === true),
    (item) => ({
      target: `${item.target.kind} ${item.target.id}`,
      via: viaOf(item.paths),
      rights: item.rights.toArray(),
    }),
  );
}

function subjectOf({ who }: Access): string {
  switch (who.kind) {
    case 'user':
      return `user ${who.user.id}`;
    case 'api-key':
      return `api-key ${who.key.id} (${who.key.ownerId})`;
    case 'organization':
      return `organization ${who.organizationId} (${who.membersHidden} members hidden)`;
  }
}
