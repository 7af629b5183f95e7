/**
 * What organizations, applications, gateways and clients share as records: the settable fields
 * (name, description, attributes, contacts) and how they are checked and changed, search filters,
 * and the restore window.
 */
import { CONTACTS, type ContactField } from './contacts.js';
import { failedPrecondition, invalidArgument, permissionDenied } from './errors.js';
import { fold } from './fold.js';
import type { CollaboratorIds, Contacts } from './model.js';
import { organizationRights } from './organization-rights.js';
import { RIGHT_ORGANIZATION_ALL } from './rights.js';
import { isAdministrator, keyOrganization, type Scope, type Session } from './session.js';
import { ORGANIZATION_FIELDS } from './views.js';
import type { SearchFilters, Transaction } from './store.js';
import * as validate from './validate.js';

export const DEFAULT_RESTORE_WINDOW_MS = 24 * 3_600_000;

/** The settable fields every record has; undefined means "not given". */
export interface RecordInput extends Contacts {
  name?: string;
  description?: string;
  attributes?: Record<string, string>;
}

/** What creating or changing an organization takes: a record's fields, and its own. */
export interface OrganizationInput extends RecordInput {
  fanoutNotifications?: boolean;
}

export type UnsettableField = 'name' | 'description' | 'attributes' | ContactField;

/** The fields a record shares; organizations add their own. */
export interface RecordFields extends Contacts {
  name?: string;
  description?: string;
  attributes: Record<string, string>;
}

export function validateInput(input: RecordInput): void {
  if (input.name !== undefined) validate.text('name', input.name, validate.LIMITS.name);
  if (input.description !== undefined) validate.text('description', input.description, validate.LIMITS.description);
  if (input.attributes !== undefined) validate.attributes(input.attributes);
  for (const contact of givenContacts(input)) {
    if (contact.kind === 'user') validate.userId(contact.id);
    else validate.organizationId(contact.id);
  }
}

/**
 * The shared fields of a new record: empty values are not stored; the collaborator it is created
 * for is both contacts unless they are given (they must then be that collaborator, its only one).
 */
export function newFields(namespace: string, input: RecordInput, creator: CollaboratorIds): RecordFields {
  for (const contact of givenContacts(input)) {
    if (!sameAccount(contact, creator)) throw contactNoCollaborator(namespace, contact, 'the new record');
  }
  return {
    name: input.name || undefined,
    description: input.description || undefined,
    attributes: Object.fromEntries(Object.entries(input.attributes ?? {}).filter(([, v]) => v !== '')),
    administrativeContact: input.administrativeContact ?? creator,
    technicalContact: input.technicalContact ?? creator,
  };
}

const sameAccount = (a: CollaboratorIds | undefined, b: CollaboratorIds) => a?.kind === b.kind && a.id === b.id;

function givenContacts(input: Contacts): CollaboratorIds[] {
  // A loop, not flatMap: every record created asks, several times.
  const given: CollaboratorIds[] = [];
  for (const { key } of CONTACTS) if (input[key] !== undefined) given.push(input[key]);
  return given;
}

const contactNoCollaborator = (namespace: string, contact: CollaboratorIds, what: string) =>
  invalidArgument(
    namespace,
    'contact_no_collaborator',
    `contact ${contact.kind} ${contact.id} is not a collaborator of ${what}; a contact must be one`,
  );

/**
 * Fails unless the caller may name each given contact: an administrator anyone; a user only
 * themselves, or an organization they hold RIGHT_ORGANIZATION_ALL in; an API key its organization.
 */
export async function requireContactsAllowed(scope: Scope, namespace: string, input: Contacts): Promise<void> {
  const { caller } = scope;
  if (isAdministrator(caller)) return;
  for (const contact of givenContacts(input)) {
    if (caller.kind === 'user') {
      if (sameAccount(contact, { kind: 'user', id: caller.user.id })) continue;
      if (
        contact.kind === 'organization' &&
        (await organizationRights(scope.tx, caller, contact.id)).has(RIGHT_ORGANIZATION_ALL)
      )
        continue;
    }
    if (contact.kind === 'organization' && contact.id === keyOrganization(caller)) continue;
    throw permissionDenied(
      namespace,
      'contact_info_restricted',
      `the caller cannot make ${contact.kind} ${contact.id} a contact: only itself, or an organization it holds ${RIGHT_ORGANIZATION_ALL} in`,
    );
  }
}

/** Fails unless each given contact is a collaborator of the record (`what`), as `collaborates` tells. */
export async function requireContactsCollaborate(
  namespace: string,
  what: string,
  input: Contacts,
  collaborates: (contact: CollaboratorIds) => Promise<boolean>,
): Promise<void> {
  for (const contact of givenContacts(input)) {
    if (!(await collaborates(contact))) throw contactNoCollaborator(namespace, contact, what);
  }
}

/** Fails if the collaborator is a contact of the record (`what`): it stays until another contact is set. */
export function requireNotContact(namespace: string, what: string, record: Contacts, account: CollaboratorIds): void {
  const held = CONTACTS.filter(({ key }) => sameAccount(record[key], account)).map(({ field }) => field);
  if (held.length > 0) {
    throw failedPrecondition(
      namespace,
      'collaborator_is_contact',
      `${account.kind} ${account.id} is the ${held.join(' and ')} of ${what}; set another contact first`,
    );
  }
}

/**
 * Fails if the account (a user being deleted, an organization being purged, whose collaborations
 * end with it) is a contact of any record it collaborates on, naming every one.
 */
export async function requireContactOfNone(
  tx: Transaction,
  namespace: string,
  account: CollaboratorIds,
): Promise<void> {
  const records: Array<{ what: string; record: Contacts | undefined }> = [];
  if (account.kind === 'user') {
    const memberOf = (await tx.listUserMemberships(account.id)).map((m) => m.organizationId);
    await tx.prefetchOrganizations(memberOf);
    for (const id of memberOf) records.push({ what: `organization ${id}`, record: await tx.getOrganization(id) });
  }
  for (const { entityKind, entityId } of await tx.listAccountCollaborations(account.id)) {
    records.push({ what: `${entityKind} ${entityId}`, record: await tx.getEntity(entityKind, entityId) });
  }
  const contactOf = records.filter(({ record }) => CONTACTS.some(({ key }) => sameAccount(record?.[key], account)));
  if (contactOf.length > 0) {
    throw failedPrecondition(
      namespace,
      'collaborator_is_contact',
      `${account.kind} ${account.id} is a contact of ${contactOf.map(({ what }) => what).join(', ')}; set another contact of each first`,
    );
  }
}

/** The shared fields a request gives, which `create` and `set` print back. */
export function givenFields(input: RecordInput): Set<UnsettableField> {
  const fields = new Set<UnsettableField>();
  if (input.name !== undefined) fields.add('name');
  if (input.description !== undefined) fields.add('description');
  if (input.attributes !== undefined) fields.add('attributes');
  for (const { field, key } of CONTACTS) if (input[key] !== undefined) fields.add(field);
  return fields;
}

/** The field names a change touched, in the order records print them: an update event's data. */
export function changedFields(given: ReadonlySet<string>): string[] {
  return ORGANIZATION_FIELDS.filter((field) => given.has(field));
}

/** The fields a change names, given or unset; a field both set and unset is refused. */
export function withUnset<F extends string>(
  namespace: string,
  given: Set<F | UnsettableField>,
  unset: ReadonlySet<UnsettableField>,
) {
  for (const field of unset) {
    if (given.has(field)) {
      throw invalidArgument(namespace, 'conflicting_fields', `${field} cannot be both set and unset`);
    }
    given.add(field);
  }
  return given;
}

/** `record` with the change applied: attributes merge (an empty value removes one). */
export function applyChange<T extends RecordFields>(
  record: T,
  input: RecordInput,
  unset: ReadonlySet<UnsettableField>,
): T {
  const next: T = { ...record, attributes: { ...record.attributes } };
  if (input.name !== undefined || unset.has('name')) next.name = input.name || undefined;
  if (input.description !== undefined || unset.has('description')) next.description = input.description || undefined;
  if (unset.has('attributes')) next.attributes = {};
  for (const { field, key } of CONTACTS) {
    if (input[key] !== undefined) next[key] = input[key];
    else if (unset.has(field)) delete next[key];
  }
  for (const [key, value] of Object.entries(input.attributes ?? {})) {
    if (value === '') delete next.attributes[key];
    else next.attributes[key] = value;
  }
  validate.attributes(next.attributes);
  return next;
}

/** The search filters, checked; and the fields search prints because it searched on them. */
export function searchFilters(request: SearchFilters): { filters: SearchFilters; searched: Set<UnsettableField> } {
  const filters: SearchFilters = {
    query: request.query,
    idContains: request.idContains,
    nameContains: request.nameContains,
    descriptionContains: request.descriptionContains,
    attributesContain: request.attributesContain,
  };
  for (const text of [filters.query, filters.idContains, filters.nameContains, filters.descriptionContains]) {
    if (text !== undefined) validate.text('search', text, validate.LIMITS.search);
  }
  for (const [key, value] of filters.attributesContain ?? []) {
    validate.attributeKey(key);
    validate.text('search', value, validate.LIMITS.search);
  }
  const searched = new Set<UnsettableField>();
  if (filters.nameContains !== undefined || filters.query !== undefined) searched.add('name');
  if (filters.descriptionContains !== undefined || filters.query !== undefined) searched.add('description');
  if (filters.attributesContain?.length) searched.add('attributes');
  return { filters, searched };
}

/** Fails unless a record deleted at `deletedAt` may still be restored at `now`. */
export function requireRestorable(
  namespace: string,
  what: string,
  deletedAt: number,
  now: number,
  restoreWindowMs: number,
): void {
  if (now - deletedAt > restoreWindowMs) {
    throw failedPrecondition(
      namespace,
      'restore_window_expired',
      `${what} was deleted too long ago to be restored; purge it instead`,
    );
  }
}

/** Whether the search reads beyond the public ID and name: description, --query, attributes. */
export function searchesPrivateFields(filters: SearchFilters): boolean {
  return (
    filters.descriptionContains !== undefined ||
    filters.query !== undefined ||
    (filters.attributesContain?.length ?? 0) > 0
  );
}

/**
 * Whether a record matches the filters on its public fields alone (the ID and name), folded as
 * the store folds: what search may match on for a caller who may not read the rest.
 */
export function matchesPublicFields(record: { id: string; name?: string }, filters: SearchFilters): boolean {
  const contains = (field: string | undefined, text: string | undefined) =>
    text === undefined || (field !== undefined && fold(field).includes(fold(text)));
  const inIdOrName = (text: string) => contains(record.id, text) || contains(record.name, text);
  return (
    contains(record.id, filters.idContains) &&
    contains(record.name, filters.nameContains) &&
    filters.descriptionContains === undefined &&
    (filters.query === undefined || inIdOrName(filters.query)) &&
    (filters.attributesContain?.length ?? 0) === 0
  );
}

/**
 * A purge: `check` (who may, and that the record exists) runs before `confirm` is asked, outside
 * any transaction, so that nobody holds the write lock while a person thinks; then again, with
 * the purge itself, in one write transaction.
 */
export async function purgeChecked(
  session: Session,
  check: (scope: Scope) => Promise<void>,
  purge: (scope: Scope) => Promise<void>,
  confirm?: () => Promise<void>,
): Promise<void> {
  if (confirm) {
    await session.read(check);
    await confirm();
  }
  await session.write(async (scope) => {
    await check(scope);
    await purge(scope);
  });
}
