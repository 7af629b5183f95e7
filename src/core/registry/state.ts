/**
 * The store's records in the registry file's shape, as far as the caller may see them (what
 * `get --all`, `collaborators list` and `api-keys list` would show it; REGISTRY.md, "orgs
 * export"): `export` prints them and `plan` compares a file with them.
 */
import { keysOf, mayListApiKeys } from '../access.js';
import { effectiveRightsOn } from '../effective-rights.js';
import type { EntityKind } from '../kinds.js';
import type { Entity, EntityCollaborator, Membership, Organization, User } from '../model.js';
import { Rights } from '../rights.js';
import { isAdministrator, isOtherKey, mayListMembers, rightsOn, type Scope } from '../session.js';
import type { EntityRecord, Holders, OrganizationRecord, UserRecord } from './document.js';

/** Rights as a file holds them: unique, sorted by name (as the commands store them: kept as they are then). */
export function normalRights(rights: readonly string[]): readonly string[] {
  for (let i = 1; i < rights.length; i++) if (!(rights[i - 1]! < rights[i]!)) return Rights.of(rights).toArray();
  return rights;
}

/** Holders by ID, each with its rights as a file holds them. */
export const holdersOf = (entries: Array<[string, readonly string[]]>): Holders =>
  new Map(entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([id, rights]) => [id, normalRights(rights)]));

/** The fields every record shares; empty ones are absent, as the commands print them. */
function fieldsOf(record: Organization | Entity) {
  return {
    name: record.name,
    description: record.description,
    attributes: Object.keys(record.attributes).length > 0 ? record.attributes : undefined,
    administrativeContact: record.administrativeContact,
    technicalContact: record.technicalContact,
    deleted: record.deletedAt !== undefined,
  };
}

/** A user as the caller sees it: the administrator its name and flag, anyone else its ID alone. */
export function userRecord(user: User | string, scope: Scope): UserRecord {
  if (typeof user === 'string' || !isAdministrator(scope.caller)) {
    return { userId: typeof user === 'string' ? user : user.id };
  }
  return { userId: user.id, name: user.name, admin: user.admin };
}

/**
 * The organization as the caller sees it, or undefined where it may not read it
 * (RIGHT_ORGANIZATION_INFO): members and API keys only where it may list them.
 */
export async function organizationRecord(
  scope: Scope,
  organization: Organization,
  withApiKeys: boolean,
): Promise<OrganizationRecord | undefined> {
  const { caller, tx } = scope;
  const id = organization.id;
  if (!isAdministrator(caller)) {
    if (isOtherKey(caller, id)) return undefined;
    if (!(await rightsOn(scope, id)).has('RIGHT_ORGANIZATION_INFO')) return undefined;
  }
  const members = (await mayListMembers(scope, id)) ? await tx.listMemberships(id) : undefined;
  const apiKeys = withApiKeys && (await mayListApiKeys(scope, id)) ? await keysOf(tx, 'organization', id) : undefined;
  return {
    organizationId: id,
    ...fieldsOf(organization),
    fanoutNotifications: organization.fanoutNotifications,
    members: members && holdersOf(members.map((m: Membership) => [m.userId, m.rights])),
    apiKeys: apiKeys?.map((key) => ({
      id: key.id,
      name: key.name,
      rights: normalRights(key.rights),
      expiresAt: key.expiresAt,
    })),
  };
}

/**
 * These entities of the kind as the caller sees them, in the order given: those it may not read
 * (the kind's INFO right) left out, collaborators only where it may list them. Collaborations of
 * deleted organizations belong to those organizations' records: only with `withDeleted`.
 */
export async function entityRecords(
  scope: Scope,
  kind: EntityKind,
  entities: readonly Entity[],
  withDeleted: boolean,
): Promise<EntityRecord[]> {
  const rights = await effectiveRightsOn(
    scope,
    kind,
    entities.map((e) => e.id),
  );
  const records: EntityRecord[] = [];
  for (const entity of entities) {
    const held = rights.get(entity.id)!.rights;
    if (!held.has(kind.rights.info)) continue;
    const collaborators = held.has(kind.rights.settingsCollaborators)
      ? await collaboratorsOf(scope, await scope.tx.listEntityCollaborators(kind.name, entity.id), withDeleted)
      : undefined;
    records.push({ kind: kind.name, entityId: entity.id, ...fieldsOf(entity), collaborators });
  }
  return records;
}

async function collaboratorsOf(scope: Scope, collaborators: EntityCollaborator[], withDeleted: boolean) {
  const users: Array<[string, string[]]> = [];
  const organizations: Array<[string, string[]]> = [];
  for (const { collaborator, rights } of collaborators) {
    if (collaborator.kind === 'user') users.push([collaborator.id, rights]);
    else if (withDeleted || (await scope.tx.getOrganization(collaborator.id))?.deletedAt === undefined)
      organizations.push([collaborator.id, rights]);
  }
  return { users: holdersOf(users), organizations: holdersOf(organizations) };
}
