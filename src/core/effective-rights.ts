/**
 * Effective rights on an application, gateway or client (ENTITIES.md, "Effective rights"): the
 * one function every check on an entity calls, and the paths that explain its answer.
 */
import { kindNamed, type EntityKind, type EntityKindName } from './kinds.js';
import type { ApiKey, RightsSources, User } from './model.js';
import { Rights } from './rights.js';
import { isAdministrator, mayListMembers, type Scope } from './session.js';

/**
 * One way rights reach the subject; `rights` is what it contributes (possibly nothing). A member's
 * rights in an organization are left out (undefined) for a caller who may not list its members.
 */
export type RightsPath =
  | { via: 'administrator'; rights: Rights }
  | { via: 'direct'; rights: Rights }
  | {
      via: 'organization';
      organizationId: string;
      memberRights: Rights | undefined;
      organizationRights: Rights;
      rights: Rights;
      /** Through a deleted organization: what would count again on its restore (reach --deleted). */
      deleted?: true;
    }
  /** An organization's key (through its organization's collaboration), or an application's or gateway's on itself. */
  | { via: 'api-key'; apiKeyId: string; keyRights: Rights; organizationRights?: Rights; rights: Rights };

export interface EffectiveRights {
  /** Expanded and limited to the kind's group. */
  rights: Rights;
  paths: RightsPath[];
  /** The user's API key the subject acts through, which limits every path to its rights. */
  key?: { apiKeyId: string; keyRights: Rights };
}

/**
 * Whose rights: the caller, a user (through one of its API keys, when `key` is set), an
 * organization, or the API key of an organization, application or gateway (ACCESS.md).
 */
export type Subject =
  | { kind: 'caller' }
  | { kind: 'user'; user: User; key?: ApiKey }
  | { kind: 'organization'; organizationId: string }
  | { kind: 'api-key'; key: ApiKey };

/**
 * `rights`, expanded and limited to the kind's group: what they mean on an entity of the kind (the
 * creator's RIGHT_ALL is the kind's whole group, which a holder of the kind's _ALL may take away).
 */
export function within(kind: EntityKind, rights: readonly string[]): Rights {
  // The same few sets of rights come back on every path of every entity: each is expanded once.
  // The store hands out one array per distinct text in a read, so the array itself is the first
  // key (no join per path); its text the second, across reads.
  let byGroup = withinByArray.get(rights);
  if (byGroup === undefined) withinByArray.set(rights, (byGroup = new Map()));
  let found = byGroup.get(kind.group);
  if (found === undefined) {
    const key = `${kind.group}:${rights.join()}`;
    found = expandedWithin.get(key);
    if (found === undefined) expandedWithin.set(key, (found = Rights.of(rights).expand().inGroups([kind.group])));
    byGroup.set(kind.group, found);
  }
  return found;
}
const expandedWithin = new Map<string, Rights>();
const withinByArray = new WeakMap<readonly string[], Map<string, Rights>>();

/** What an administrator holds on an entity of the kind, and how. */
const administratorRights = (kind: EntityKind) =>
  combine([{ via: 'administrator', rights: within(kind, ['RIGHT_ALL']) }]);

function combine(paths: RightsPath[]): EffectiveRights {
  // A single path (the usual case) gives its own rights: no set is copied.
  const rights =
    paths.length === 1 ? paths[0]!.rights : paths.reduce((all, path) => all.union(path.rights), Rights.none);
  return { rights, paths };
}

/** The user's paths from what the store found: direct rights, then each organization's. */
function userPaths(kind: EntityKind, sources: RightsSources): RightsPath[] {
  const paths: RightsPath[] = [];
  if (sources.direct) paths.push({ via: 'direct', rights: within(kind, sources.direct) });
  for (const source of sources.organizations) {
    const memberRights = within(kind, source.memberRights);
    const organizationRights = within(kind, source.organizationRights);
    const rights = intersection(memberRights, organizationRights);
    const { organizationId, deleted } = source;
    // No spread of an optional part: this runs for every path of thousands of entities.
    paths.push(
      deleted
        ? { via: 'organization', organizationId, memberRights, organizationRights, rights, deleted }
        : { via: 'organization', organizationId, memberRights, organizationRights, rights },
    );
  }
  return paths;
}

/** `a.intersect(b)` of two sets `within` made, once per pair: paths repeat the same few pairs. */
function intersection(a: Rights, b: Rights): Rights {
  let withA = intersections.get(a);
  if (withA === undefined) intersections.set(a, (withA = new Map()));
  let found = withA.get(b);
  if (found === undefined) withA.set(b, (found = a.intersect(b)));
  return found;
}
const intersections = new Map<Rights, Map<Rights, Rights>>();

/**
 * The subject's effective rights on each of the entities (which the caller has already found), in
 * a handful of indexed reads whatever their number: an administrator (the local one, or a user
 * made --admin, whoever asks) holds everything; a user the union of its direct rights and, per
 * live organization collaborating on the entity of which it is a member, the intersection of both;
 * an organization (or its API key) what it holds directly (intersected with the key's rights).
 */
export async function effectiveRightsOn(
  scope: Scope,
  kind: EntityKind,
  entityIds: readonly string[],
  subject: Subject = { kind: 'caller' },
): Promise<Map<string, EffectiveRights>> {
  const result = new Map<string, EffectiveRights>();
  const { caller, tx } = scope;
  const asUser =
    subject.kind === 'user' ? subject : subject.kind === 'caller' && caller.kind === 'user' ? caller : undefined;
  // An administrator holds everything; through its key, what the key holds (organizationRights alike).
  if ((subject.kind === 'caller' && caller.kind === 'admin') || asUser?.user.admin) {
    for (const id of entityIds) result.set(id, limited(kind, administratorRights(kind), asUser?.key));
    return result;
  }
  if (asUser !== undefined) {
    const { user, key } = asUser;
    const sources = await tx.rightsSources(kind.name, entityIds, user.id);
    for (const id of entityIds) result.set(id, limited(kind, combine(userPaths(kind, sources.get(id)!)), key));
    if (!seesMembersOf(scope, user)) await hideUnlistedMembers(scope, result.values());
    return result;
  }
  // An organization, named or behind an API key (the caller's or one asked about): its own collaborations only.
  const key =
    subject.kind === 'api-key'
      ? subject.key
      : subject.kind === 'caller' && caller.kind === 'api-key'
        ? caller.key
        : undefined;
  if (key !== undefined && key.ownerKind !== 'organization') {
    // An application's or gateway's key: its rights on its own entity, nothing elsewhere.
    const keyRights = within(kind, key.rights);
    for (const id of entityIds) {
      const own = key.ownerKind === kind.name && key.ownerId === id;
      result.set(id, combine(own ? [{ via: 'api-key', apiKeyId: key.id, keyRights, rights: keyRights }] : []));
    }
    return result;
  }
  const organizationId = subject.kind === 'organization' ? subject.organizationId : key!.ownerId;
  for (const id of entityIds) {
    const collaboration = await tx.getEntityCollaborator(kind.name, id, organizationId);
    const organizationRights = within(kind, collaboration?.rights ?? []);
    if (!key) {
      result.set(id, combine(collaboration ? [{ via: 'direct', rights: organizationRights }] : []));
      continue;
    }
    const keyRights = within(kind, key.rights);
    result.set(
      id,
      combine([
        {
          via: 'api-key',
          apiKeyId: key.id,
          keyRights,
          organizationRights,
          rights: keyRights.intersect(organizationRights),
        },
      ]),
    );
  }
  return result;
}

/** A user's effective rights through one of its keys: each path's contribution within the key's rights. */
function limited(kind: EntityKind, effective: EffectiveRights, key: ApiKey | undefined): EffectiveRights {
  if (key === undefined) return effective;
  const keyRights = within(kind, key.rights);
  const paths = effective.paths.map((path) => ({ ...path, rights: intersection(path.rights, keyRights) }));
  return { ...combine(paths), key: { apiKeyId: key.id, keyRights } };
}

/** A user and its effective rights on an entity. */
export interface UserRights extends EffectiveRights {
  user: User;
}

/**
 * Every user holding a path to the entity (its user collaborators, the members of the live
 * organizations collaborating on it), each with what effectiveRightsOn answers for it, from one
 * read of the store whatever their number (who may reach an entity: `access`).
 */
export async function usersOn(scope: Scope, kind: EntityKind, entityId: string): Promise<UserRights[]> {
  const { tx } = scope;
  const found: UserRights[] = [];
  const hidden: EffectiveRights[] = [];
  for (const { user, sources } of (await tx.entityRightsSources(kind.name, entityId)).values()) {
    const effective = user.admin ? administratorRights(kind) : combine(userPaths(kind, sources));
    found.push({ user, ...effective });
    if (!user.admin && !seesMembersOf(scope, user)) hidden.push(effective);
  }
  await hideUnlistedMembers(scope, hidden);
  return found;
}

/** An entity a subject reaches (`reach`), with what effectiveRightsOn answers for it there. */
export interface ReachedEntity extends EffectiveRights {
  target: { kind: EntityKindName; id: string };
  /** A deleted entity (reach --deleted). */
  deleted?: true;
}

/**
 * Every live entity the user (no administrator: that one holds everything) holds a path to, by
 * kind, each with what effectiveRightsOn answers for it (through `key`, when given), from one read
 * of the store whatever their number (what a user reaches: `reach`).
 */
export async function reachedEntities(
  scope: Scope,
  user: User,
  withDeleted = false,
  key?: ApiKey,
): Promise<ReachedEntity[]> {
  const found: ReachedEntity[] = [];
  for (const [name, sources] of await scope.tx.userRightsSources(user.id, withDeleted)) {
    const kind = kindNamed(name);
    for (const [id, source] of sources) {
      const effective = limited(kind, combine(userPaths(kind, source)), key);
      const target = { kind: name, id };
      found.push(source.entityDeleted ? { target, deleted: true, ...effective } : { target, ...effective });
    }
  }
  if (!seesMembersOf(scope, user)) await hideUnlistedMembers(scope, found);
  return found;
}

/** Whether the caller sees every member right of `user` anyway: its own, or the administrator's view. */
const seesMembersOf = (scope: Scope, user: User) =>
  isAdministrator(scope.caller) || (scope.caller.kind === 'user' && scope.caller.user.id === user.id);

/**
 * Leaves out another subject's member rights on each organization path whose members the caller
 * may not list (ACCESS.md, members_hidden): nothing is learnt about a membership that
 * `collaborators list` would not show it. What each path contributes stays: it is the subject's
 * rights on the entity, which the caller may ask about.
 */
async function hideUnlistedMembers(scope: Scope, explained: Iterable<EffectiveRights>): Promise<void> {
  const listable = new Map<string, Promise<boolean>>();
  for (const { paths } of explained) {
    for (const path of paths) {
      if (path.via !== 'organization') continue;
      if (!listable.has(path.organizationId))
        listable.set(path.organizationId, mayListMembers(scope, path.organizationId));
      if (!(await listable.get(path.organizationId))) path.memberRights = undefined;
    }
  }
}

/** The subject's effective rights on one entity. */
export async function effectiveRights(
  scope: Scope,
  kind: EntityKind,
  entityId: string,
  subject?: Subject,
): Promise<EffectiveRights> {
  return (await effectiveRightsOn(scope, kind, [entityId], subject)).get(entityId)!;
}

/** `--explain`'s JSON: the rights, and every path with what it contributed. */
export function explanationView(effective: EffectiveRights): Record<string, unknown> {
  return {
    rights: effective.rights.toArray(),
    paths: effective.paths.map((path) => {
      switch (path.via) {
        case 'administrator':
        case 'direct':
          return { via: path.via, rights: path.rights.toArray() };
        case 'organization':
          return {
            via: { organization_ids: { organization_id: path.organizationId } },
            ...(path.memberRights ? { member_rights: path.memberRights.toArray() } : { members_hidden: true }),
            organization_rights: path.organizationRights.toArray(),
            rights: path.rights.toArray(),
            ...(path.deleted ? { deleted: true } : {}),
          };
        case 'api-key':
          return {
            via: { api_key_id: path.apiKeyId },
            key_rights: path.keyRights.toArray(),
            ...(path.organizationRights ? { organization_rights: path.organizationRights.toArray() } : {}),
            rights: path.rights.toArray(),
          };
      }
    }),
    ...(effective.key
      ? { api_key: { api_key_id: effective.key.apiKeyId, key_rights: effective.key.keyRights.toArray() } }
      : {}),
  };
}
