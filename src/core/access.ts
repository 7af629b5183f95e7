/**
 * The access questions of ACCESS.md: who can reach a target (`access`), and what a subject can
 * reach (`reach`). Not a second rights engine: the candidates come from reverse lookups of the
 * store (a target's collaborators, their members and keys; a subject's memberships and the
 * collaborations of each), and each candidate's rights are what `rights` answers for it, by the
 * same two functions: effectiveRightsOn on an entity (or, for many users on one entity and one
 * user on many entities, its usersOn and reachedEntities, the same paths from one read), and
 * organizationRights on an organization.
 */
import {
  effectiveRights,
  effectiveRightsOn,
  reachedEntities,
  usersOn,
  explanationView,
  type EffectiveRights,
  type RightsPath,
  type Subject,
} from './effective-rights.js';
import { invalidArgument } from './errors.js';
import { KINDS, type EntityKind, type EntityKindName } from './kinds.js';
import type { ApiKey, User } from './model.js';
import { organizationRights, type Holder } from './organization-rights.js';
import { everyPage, pageOf, type Listing, type PageRequest } from './paging.js';
import { ENTITY_GROUPS, groupOf, Rights } from './rights.js';
import { isOtherKey, mayListMembers, rightsOn, rightsOnUser, type Scope } from './session.js';
import { keyOwnerNamed, keyOwnerOf, type KeyOwnerKindName } from './key-owners.js';
import type { Transaction } from './store.js';
import { quote } from './validate.js';
import { identifierView } from './views.js';

export type TargetKind = 'organization' | EntityKindName;

/** Targets in the order `reach` prints them: organizations, then each kind of KINDS. */
export const TARGET_KINDS: readonly TargetKind[] = ['organization', ...KINDS.map((kind) => kind.name)];

/** `--kind` values, checked. */
export function targetKinds(values: readonly string[] | undefined): TargetKind[] | undefined {
  if (values === undefined || values.length === 0) return undefined;
  return values.map((value) => {
    const kind = TARGET_KINDS.find((k) => k === value);
    if (!kind) {
      throw invalidArgument(
        'validate',
        'invalid_kind',
        `unknown kind ${quote(value)}; use one of ${TARGET_KINDS.join(', ')}`,
      );
    }
    return kind;
  });
}

const LIST_API_KEYS = 'RIGHT_ORGANIZATION_SETTINGS_API_KEYS';

/** Who holds rights on a target, as `access` lists them; a user's key comes with its user, as whom it acts. */
export type Accessor =
  | { kind: 'user'; user: User }
  | { kind: 'api-key'; key: ApiKey; user?: User }
  /** A collaborating organization whose members the caller may not list: they stay a count. */
  | { kind: 'organization'; organizationId: string; membersHidden: number };

type HiddenOrganization = Extract<Accessor, { kind: 'organization' }>;

export interface Access extends EffectiveRights {
  who: Accessor;
}

export interface Reached extends EffectiveRights {
  target: { kind: TargetKind; id: string };
  /** A deleted target (reach --deleted). */
  deleted?: true;
}

export interface AccessRequest extends PageRequest {
  /** Only those holding every one of these rights. */
  rights?: readonly string[];
  /** Leave out the users made --admin. */
  noAdmins?: boolean;
}

export interface ReachRequest {
  /** Only targets of these kinds (default: every kind). */
  kinds?: readonly TargetKind[];
  /** Only targets holding every named right of their own group (and at least one is named). */
  rights?: readonly string[];
  /** Deleted targets too, and paths through deleted organizations, each marked `deleted`. */
  deleted?: boolean;
}

/** A user's or key's rights on an organization, as `orgs rights` prints them, with the one path they come by. */
async function onOrganization(tx: Transaction, holder: Holder, organizationId: string): Promise<EffectiveRights> {
  const rights = (await organizationRights(tx, holder, organizationId)).inGroups(ENTITY_GROUPS);
  const administrator = holder.kind === 'user' && holder.user.admin;
  return { rights, paths: [{ via: administrator ? 'administrator' : 'direct', rights }] };
}

/** Whether an API key can still authenticate: an expired one holds nothing. */
export const usable = (key: ApiKey, now: number) => key.expiresAt === undefined || key.expiresAt > now;

/** Every key of the owner, in ID order. */
export function keysOf(tx: Transaction, ownerKind: KeyOwnerKindName, ownerId: string): Promise<ApiKey[]> {
  return everyPage((page) =>
    tx.listApiKeys({ ownerKind, ownerId, order: { field: 'api_key_id', direction: 'asc' }, ...page }),
  );
}

/** Whether the caller may list the organization's API keys (as `api-keys list` would let it). */
export async function mayListApiKeys(scope: Scope, organizationId: string): Promise<boolean> {
  if (isOtherKey(scope.caller, organizationId)) return false;
  return (await rightsOn(scope, organizationId)).has(LIST_API_KEYS);
}

/** Whether the caller may list the user's API keys (as `users api-keys list` would let it): itself, or an administrator. */
export const mayListUserKeys = (scope: Scope, userId: string): boolean =>
  rightsOnUser(scope.caller, userId).has(keyOwnerNamed('user').manage);

/** Who a key is: its owner's identifiers, and its own ID. */
export const keyIds = (key: ApiKey) => ({
  api_key_id: key.id,
  ...identifierView({ kind: key.ownerKind, id: key.ownerId }),
});

/** Whose rights a key holds: a user's key its user's, within its own; any other key its own. */
export const keyHolder = (
  key: ApiKey,
  user: User | undefined,
): { kind: 'user'; user: User; key: ApiKey } | { kind: 'api-key'; key: ApiKey } =>
  user ? { kind: 'user', user, key } : { kind: 'api-key', key };

type KeyAccessor = Extract<Accessor, { kind: 'api-key' }>;

/** The usable keys of each user whose keys the caller may list, each with its user, in one read (`access`). */
async function userKeysOf(scope: Scope, users: readonly User[]): Promise<KeyAccessor[]> {
  const listable = new Map(users.filter((user) => mayListUserKeys(scope, user.id)).map((user) => [user.id, user]));
  if (listable.size === 0) return [];
  return (await scope.tx.listApiKeysOf('user', [...listable.keys()]))
    .filter((key) => usable(key, scope.now))
    .map((key) => ({ kind: 'api-key', key, user: listable.get(key.ownerId)! }));
}

/**
 * A subject's place in `access` order: users first (by ID), then API keys (by organization, then
 * ID), then hidden organizations, then administrators.
 */
function accessRank(who: Accessor): { group: number; key: string } {
  switch (who.kind) {
    case 'user':
      return { group: who.user.admin ? 3 : 0, key: who.user.id };
    case 'api-key':
      return { group: 1, key: `${who.key.ownerKind}\0${who.key.ownerId}\0${who.key.id}` };
    case 'organization':
      return { group: 2, key: who.organizationId };
  }
}

/** The items in `access` order of their subjects, each ranked once (not on every comparison). */
export function inAccessOrder<T>(items: readonly T[], whoOf: (item: T) => Accessor): T[] {
  return items
    .map((item) => ({ item, ...accessRank(whoOf(item)) }))
    .sort((a, b) => a.group - b.group || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .map(({ item }) => item);
}

/** The page of `request` of the answers holding every right asked for, in access order. */
export function pageOfAccess(all: Access[], request: AccessRequest): Listing<Access> {
  const { limit, page, offset } = pageOf(request);
  const needed = Rights.of(request.rights ?? []);
  const kept = inAccessOrder(
    all.filter((access) => access.rights.includesAll(needed)),
    (access) => access.who,
  );
  const items = kept.slice(offset, offset + limit);
  return offset + limit < kept.length ? { items, next: { limit, page: page + 1 } } : { items };
}

/**
 * `orgs access ORG`: its members and API keys (those the caller may list), and the administrators,
 * with their rights on it. The caller has been checked by the organization service.
 */
export async function organizationAccessors(scope: Scope, id: string, admins = true): Promise<Access[]> {
  const { tx } = scope;
  const found: Access[] = [];
  const add = async (who: Exclude<Accessor, { kind: 'organization' }>) => {
    const holder = who.kind === 'user' ? who : keyHolder(who.key, who.user);
    found.push({ who, ...(await onOrganization(tx, holder, id)) });
  };
  const users: User[] = [];
  for (const membership of await tx.listMemberships(id)) {
    const user = (await tx.getUser(membership.userId))!;
    if (!user.admin) users.push(user);
  }
  if (admins) users.push(...(await tx.listAdministrators()));
  for (const user of users) await add({ kind: 'user', user });
  if (await mayListApiKeys(scope, id)) {
    for (const key of await keysOf(tx, 'organization', id))
      if (usable(key, scope.now)) await add({ kind: 'api-key', key });
  }
  for (const who of await userKeysOf(scope, users)) await add(who);
  return found.filter((access) => access.rights.size > 0);
}

/**
 * `orgs applications access APP` (and the other kinds): everyone with a right on the live entity,
 * by any path: its user collaborators, the members and keys of the live organizations collaborating
 * on it (the members of one the caller may not list stay a count, the keys of one whose keys it may
 * not list are left out), and the administrators. The caller has been checked by the entity service.
 */
export async function entityAccessors(
  scope: Scope,
  kind: EntityKind,
  entityId: string,
  admins = true,
): Promise<Access[]> {
  const { tx } = scope;
  // Three reads that need nothing of each other, side by side: on PostgreSQL they share round
  // trips, and the server answers one while the others' answers are worked through.
  const [{ found, hidden }, users, administrators] = await Promise.all([
    organizationsOn(scope, kind, entityId),
    usersOn(scope, kind, entityId),
    admins ? tx.listAdministrators() : [],
  ]);
  // Its user collaborators and the members of the live organizations among the collaborators.
  for (const { user, rights, paths } of users) {
    if (user.admin) continue;
    // A path through an organization the caller may not list comes without the member's rights
    // there (effectiveRightsOn): it counts for that organization, not for the user.
    const shown = paths.filter((path) => path.via !== 'organization' || path.memberRights !== undefined);
    for (const path of paths) {
      if (path.via === 'organization' && path.memberRights === undefined && path.rights.size > 0) {
        hidden.get(path.organizationId)!.membersHidden++;
      }
    }
    found.push({
      who: { kind: 'user', user },
      rights: shown.length === paths.length ? rights : shown.reduce((all, path) => all.union(path.rights), Rights.none),
      paths: shown,
    });
  }
  for (const user of administrators) {
    found.push({
      who: { kind: 'user', user },
      ...(await effectiveRights(scope, kind, entityId, { kind: 'user', user })),
    });
  }
  // The keys of the users found, and the entity's own (an application's or a gateway's).
  const keys = await userKeysOf(scope, [...users.map(({ user }) => user), ...administrators]);
  const owner = keyOwnerOf(kind.name);
  if (owner && (await effectiveRights(scope, kind, entityId)).rights.has(owner.manage)) {
    for (const key of await keysOf(tx, owner.name, entityId))
      if (usable(key, scope.now)) keys.push({ kind: 'api-key', key });
  }
  for (const who of keys) {
    found.push({ who, ...(await effectiveRights(scope, kind, entityId, keyHolder(who.key, who.user))) });
  }
  return found.filter((access) => access.rights.size > 0);
}

/**
 * The organizations collaborating on the entity as `access` lists them: each live one whose members
 * the caller may not list as an element of its own (`hidden`, whose members are counted later),
 * and the keys of those whose keys it may list, read at once.
 */
async function organizationsOn(
  scope: Scope,
  kind: EntityKind,
  entityId: string,
): Promise<{ found: Access[]; hidden: Map<string, HiddenOrganization> }> {
  const { tx } = scope;
  const found: Access[] = [];
  const hidden = new Map<string, HiddenOrganization>();
  const organizations = (await tx.listEntityCollaborators(kind.name, entityId))
    .filter((c) => c.collaborator.kind === 'organization')
    .map((c) => c.collaborator.id);
  await tx.prefetchOrganizations(organizations);
  const withKeys: string[] = [];
  for (const organizationId of organizations) {
    if ((await tx.getOrganization(organizationId))?.deletedAt !== undefined) continue;
    if (!(await mayListMembers(scope, organizationId))) {
      const who: HiddenOrganization = { kind: 'organization', organizationId, membersHidden: 0 };
      hidden.set(organizationId, who);
      found.push({ who, ...(await effectiveRights(scope, kind, entityId, { kind: 'organization', organizationId })) });
    }
    if (await mayListApiKeys(scope, organizationId)) withKeys.push(organizationId);
  }
  for (const key of await tx.listApiKeysOf('organization', withKeys)) {
    if (usable(key, scope.now))
      found.push({
        who: { kind: 'api-key', key },
        ...(await effectiveRights(scope, kind, entityId, { kind: 'api-key', key })),
      });
  }
  return { found, hidden };
}

/** `orgs users reach USER`: every live organization and entity the user holds a right on. */
export async function userReach(scope: Scope, user: User, request: ReachRequest, key?: ApiKey): Promise<Reached[]> {
  const { tx } = scope;
  const holder: Holder = { kind: 'user', user, key };
  const reached: Reached[] = [];
  const organizations = await organizationsOf(tx, user, request.deleted);
  await tx.prefetchOrganizations(organizations);
  for (const id of organizations) {
    const deleted = (await tx.getOrganization(id))?.deletedAt !== undefined;
    if (deleted && !request.deleted) continue;
    const target = { kind: 'organization' as const, id };
    reached.push({ target, ...(deleted ? { deleted: true as const } : {}), ...(await onOrganization(tx, holder, id)) });
  }
  reached.push(...(await entitiesReachedBy(scope, user, request.deleted, key)));
  return selected(reached, request);
}

/**
 * Whether `users reach` of the user would list anything: as userReach, but done at the first
 * target found, its organizations (a few reads) before its entities.
 */
export async function userReachesAnything(scope: Scope, user: User): Promise<boolean> {
  const { tx } = scope;
  const holder: Holder = { kind: 'user', user };
  for (const id of await organizationsOf(tx, user)) {
    if ((await tx.getOrganization(id))?.deletedAt !== undefined) continue;
    if ((await onOrganization(tx, holder, id)).rights.size > 0) return true;
  }
  return (await entitiesReachedBy(scope, user)).some(({ rights }) => rights.size > 0);
}

/**
 * The organizations the user is a member of, deleted ones too, in ID order (one read, after which
 * the store knows each membership: their rights, asked next); every live one (and with
 * `withDeleted` every deleted one), for an administrator.
 */
async function organizationsOf(tx: Transaction, user: User, withDeleted = false): Promise<string[]> {
  if (user.admin) {
    return [...(await everyOrganization(tx)), ...(withDeleted ? await everyOrganization(tx, true) : [])];
  }
  return (await tx.listUserMemberships(user.id)).map((membership) => membership.organizationId);
}

/**
 * The live entities the user holds a path to, with its rights there, and with `withDeleted` the
 * deleted ones and the paths through deleted organizations; every one, for an administrator.
 */
async function entitiesReachedBy(scope: Scope, user: User, withDeleted = false, key?: ApiKey): Promise<Reached[]> {
  if (user.admin) {
    const every = await everyEntity(scope.tx);
    if (withDeleted)
      for (const [at, [, deleted]] of (await everyEntity(scope.tx, true)).entries()) every[at]![1].push(...deleted);
    return onEntities(scope, every, { kind: 'user', user, key });
  }
  return reachedEntities(scope, user, withDeleted, key);
}

/** `orgs reach ORG`: the live entities of the kinds given that the organization collaborates on, with its rights there. */
export async function organizationReach(
  scope: Scope,
  organizationId: string,
  kinds: readonly EntityKind[],
  request: ReachRequest,
): Promise<Reached[]> {
  const entities = (await collaborationsOf(scope.tx, [organizationId], request.deleted)).filter(([name]) =>
    kinds.some((kind) => kind.name === name),
  );
  return selected(await onEntities(scope, entities, { kind: 'organization', organizationId }), request);
}

/**
 * `orgs api-keys reach ORG KEY` (and the other owners'): what the key holds a right on; nothing once
 * expired. A user's key reaches what its user reaches, within the key's rights; an organization's
 * its organization and the live entities the organization collaborates on; an application's or
 * gateway's its own entity.
 */
export async function apiKeyReach(scope: Scope, key: ApiKey, request: ReachRequest): Promise<Reached[]> {
  if (!usable(key, scope.now)) return [];
  const { ownerKind, ownerId } = key;
  if (ownerKind === 'user') {
    const user = await scope.tx.getUser(ownerId);
    return user ? userReach(scope, user, request, key) : [];
  }
  const holder: Holder = { kind: 'api-key', key };
  if (ownerKind !== 'organization') return selected(await onEntities(scope, [[ownerKind, [ownerId]]], holder), request);
  return selected(
    [
      { target: { kind: 'organization', id: ownerId }, ...(await onOrganization(scope.tx, holder, ownerId)) },
      ...(await onEntities(scope, await collaborationsOf(scope.tx, [ownerId], request.deleted), holder)),
    ],
    request,
  );
}

/** Entities by kind, each kind's IDs in order. */
export type EntityIds = Array<[EntityKindName, string[]]>;

/** The live entities these accounts collaborate on directly, by kind; the deleted ones too with `withDeleted`. */
export async function collaborationsOf(
  tx: Transaction,
  accountIds: readonly string[],
  withDeleted = false,
): Promise<EntityIds> {
  const byKind = new Map<EntityKindName, Set<string>>(KINDS.map((kind) => [kind.name, new Set()]));
  for (const accountId of accountIds) {
    for (const collaboration of await tx.listAccountCollaborations(accountId)) {
      byKind.get(collaboration.entityKind)!.add(collaboration.entityId);
    }
  }
  const live: EntityIds = [];
  for (const [kind, ids] of byKind) {
    await tx.prefetchEntities(kind, [...ids]);
    const kept: string[] = [];
    for (const id of [...ids].sort()) {
      if (withDeleted || (await tx.getEntity(kind, id))?.deletedAt === undefined) kept.push(id);
    }
    live.push([kind, kept]);
  }
  return live;
}

/** The subject's effective rights on each of the entities, by the function every check uses. */
async function onEntities(scope: Scope, entities: EntityIds, subject: Subject): Promise<Reached[]> {
  const reached: Reached[] = [];
  for (const [name, ids] of entities) {
    if (ids.length === 0) continue;
    const kind = KINDS.find((k) => k.name === name)!;
    for (const [id, effective] of await effectiveRightsOn(scope, kind, ids, subject)) {
      const deleted = (await scope.tx.getEntity(name, id))?.deletedAt !== undefined ? { deleted: true as const } : {};
      reached.push({ target: { kind: name, id }, ...deleted, ...effective });
    }
  }
  return reached;
}

/** Every live organization (or every deleted one): what an administrator reaches. */
export async function everyOrganization(tx: Transaction, deleted = false): Promise<string[]> {
  const organizations = await everyPage((page) =>
    tx.listOrganizations({ deleted, order: { field: 'organization_id', direction: 'asc' }, ...page }),
  );
  return organizations.map((organization) => organization.id);
}

/** Every live entity (or every deleted one), by kind: what an administrator reaches. */
export async function everyEntity(tx: Transaction, deleted = false): Promise<EntityIds> {
  const all: EntityIds = [];
  for (const kind of KINDS) {
    const entities = await everyPage((page) =>
      tx.listEntities({ kind: kind.name, deleted, order: { field: 'id', direction: 'asc' }, ...page }),
    );
    all.push([kind.name, entities.map((entity) => entity.id)]);
  }
  return all;
}

/**
 * The targets with some right, of the kinds asked for, holding every right asked for of their own
 * group (a target of a group no asked right belongs to is left out), in reach order.
 */
function selected(reached: Reached[], request: ReachRequest): Reached[] {
  const kinds = request.kinds ?? TARGET_KINDS;
  const asked = request.rights ?? [];
  return reached
    .filter(({ target, rights }) => {
      if (rights.size === 0 || !kinds.includes(target.kind)) return false;
      if (asked.length === 0) return true;
      const own = asked.filter((right) => groupOf(right) === target.kind);
      return own.length > 0 && rights.includesAll(Rights.of(own));
    })
    .sort(
      (a, b) =>
        TARGET_KINDS.indexOf(a.target.kind) - TARGET_KINDS.indexOf(b.target.kind) ||
        (a.target.id < b.target.id ? -1 : a.target.id > b.target.id ? 1 : 0),
    );
}

/** A subject's IDs as `access` prints them (The Things Stack's identifier shapes; a key with its organization's). */
export function accessorIds(who: Accessor): Record<string, unknown> {
  switch (who.kind) {
    case 'user':
      return identifierView({ kind: 'user', id: who.user.id });
    case 'api-key':
      return keyIds(who.key);
    case 'organization':
      return identifierView({ kind: 'organization', id: who.organizationId });
  }
}

/** An element of `access`'s JSON. */
export function accessView(access: Access, explain: boolean): Record<string, unknown> {
  const { who } = access;
  const ids = accessorIds(who);
  const view: Record<string, unknown> = { ids, rights: access.rights.toArray() };
  if (who.kind === 'organization') view.members_hidden = who.membersHidden;
  if (explain) view.paths = explanationView(access).paths;
  return view;
}

/** An element of `reach`'s JSON. */
export function reachedView(reached: Reached, explain: boolean): Record<string, unknown> {
  const view: Record<string, unknown> = { ids: identifierView(reached.target), rights: reached.rights.toArray() };
  if (reached.deleted) view.deleted = true;
  if (explain) view.paths = explanationView(reached).paths;
  return view;
}

/** How a subject holds its rights, for the table: `direct`, `administrator`, or the organizations they come through. */
export function viaOf(paths: readonly RightsPath[]): string {
  const through = paths
    .filter((path) => path.rights.size > 0)
    .map((path) => {
      switch (path.via) {
        case 'organization':
          return path.organizationId;
        case 'api-key':
          return 'api-key';
        default:
          return path.via;
      }
    });
  return [...new Set(through)].join(',') || '-';
}
