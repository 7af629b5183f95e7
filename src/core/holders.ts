/**
 * Every record keeps someone who can manage it: an organization a member holding
 * RIGHT_ORGANIZATION_ALL (its owner), an application, gateway or client a collaborator holding its
 * kind's _ALL right that is a user or an organization that is not deleted (a deleted one manages
 * nothing until it is restored). Each change that removes a holder, whatever the command, checks
 * here first, and fails with the record kind's `…_needs_collaborator` naming every record it
 * would leave without one.
 */
import { failedPrecondition, type OrgsError } from './errors.js';
import { kindNamed, type EntityKind, type EntityKindName } from './kinds.js';
import { RIGHT_ORGANIZATION_ALL, Rights } from './rights.js';
import type { Transaction } from './store.js';

/** A record that needs a holder: an organization or an entity, by kind and ID. */
export interface HeldRecord {
  kind: 'organization' | EntityKindName;
  id: string;
}

const holds = (held: readonly string[], allRight: string) => Rights.of(held).expand().has(allRight);

/**
 * Whether someone among `collaborators` holds `allRight` (expanded) once `changedId`'s rights
 * become `rights` (undefined: no longer a collaborator).
 */
function holderRemains(
  collaborators: ReadonlyArray<{ id: string; rights: readonly string[] }>,
  changedId: string,
  rights: readonly string[] | undefined,
  allRight: string,
): boolean {
  // The changed one may be new: its rights count whether or not it was a collaborator before.
  if (rights !== undefined && holds(rights, allRight)) return true;
  return collaborators.some((c) => c.id !== changedId && holds(c.rights, allRight));
}

/** Whether the organization keeps an owner once `userId`'s rights in it become `rights`. */
export async function organizationKeepsOwner(
  tx: Transaction,
  organizationId: string,
  userId: string,
  rights: readonly string[] | undefined,
): Promise<boolean> {
  const memberships = await tx.listMemberships(organizationId);
  return holderRemains(
    memberships.map((m) => ({ id: m.userId, rights: m.rights })),
    userId,
    rights,
    RIGHT_ORGANIZATION_ALL,
  );
}

/**
 * Whether the entity keeps a holder of its kind's _ALL right once `accountId`'s rights on it become
 * `rights`; collaborating organizations that are deleted do not count.
 */
export async function entityKeepsHolder(
  tx: Transaction,
  kind: EntityKind,
  entityId: string,
  accountId: string,
  rights: readonly string[] | undefined,
): Promise<boolean> {
  return holderRemains(await countedCollaborators(tx, kind, entityId), accountId, rights, kind.rights.all);
}

/** Whether the entity has a holder of its kind's _ALL right now (review's orphaned_entity when not). */
export async function entityHasHolder(tx: Transaction, kind: EntityKind, entityId: string): Promise<boolean> {
  return (await countedCollaborators(tx, kind, entityId)).some((c) => holds(c.rights, kind.rights.all));
}

/** The entity's collaborators that can hold it: users, and organizations that are not deleted. */
async function countedCollaborators(
  tx: Transaction,
  kind: EntityKind,
  entityId: string,
): Promise<Array<{ id: string; rights: readonly string[] }>> {
  const collaborators = await tx.listEntityCollaborators(kind.name, entityId);
  await tx.prefetchOrganizations(
    collaborators.filter((c) => c.collaborator.kind === 'organization').map((c) => c.collaborator.id),
  );
  const counted = [];
  for (const c of collaborators) {
    if (
      c.collaborator.kind === 'organization' &&
      (await tx.getOrganization(c.collaborator.id))?.deletedAt !== undefined
    )
      continue;
    counted.push({ id: c.collaborator.id, rights: c.rights });
  }
  return counted;
}

/** `<kind>_needs_collaborator` (of the first record's kind), naming every record and what it needs. */
export function needsCollaborator(records: readonly HeldRecord[], advice: string): OrgsError {
  const [first] = records;
  const needs = records.map(({ kind, id }) => {
    const allRight = kind === 'organization' ? RIGHT_ORGANIZATION_ALL : kindNamed(kind).rights.all;
    return `${kind} ${id} needs a collaborator with ${allRight}`;
  });
  return failedPrecondition(
    first!.kind === 'organization' ? 'collaborators' : kindNamed(first!.kind).namespace,
    `${first!.kind}_needs_collaborator`,
    `${needs.join('; ')}; ${advice}`,
  );
}

/**
 * Fails unless every record the account (a user being deleted, an organization being purged)
 * holds rights on keeps a holder once the account is gone.
 */
export async function requireHoldersRemainWithout(tx: Transaction, accountId: string): Promise<void> {
  const orphans: HeldRecord[] = [];
  for (const { organizationId } of await tx.listUserMemberships(accountId)) {
    if (!(await organizationKeepsOwner(tx, organizationId, accountId, undefined)))
      orphans.push({ kind: 'organization', id: organizationId });
  }
  for (const { entityKind, entityId } of await tx.listAccountCollaborations(accountId)) {
    if (!(await entityKeepsHolder(tx, kindNamed(entityKind), entityId, accountId, undefined)))
      orphans.push({ kind: entityKind, id: entityId });
  }
  if (orphans.length > 0) {
    throw needsCollaborator(orphans, `give the _ALL right to another collaborator of each before ${accountId} goes`);
  }
}
