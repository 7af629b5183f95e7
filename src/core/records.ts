/**
 * What organizations, applications, gateways and clients share as records: the settable fields
 * (name, description, attributes) and how they are checked and changed, search filters, and the
 * restore window.
 */
import { failedPrecondition, invalidArgument } from './errors.js';
import { fold } from './fold.js';
import type { Scope, Session } from './session.js';
import { ORGANIZATION_FIELDS } from './views.js';
import type { SearchFilters } from './store.js';
import * as validate from './validate.js';

export const DEFAULT_RESTORE_WINDOW_MS = 24 * 3_600_000;

/** The settable fields every record has; undefined means "not given". */
export interface RecordInput {
  name?: string;
  description?: string;
  attributes?: Record<string, string>;
}

/** What creating or changing an organization takes: a record's fields, and its own. */
export interface OrganizationInput extends RecordInput {
  fanoutNotifications?: boolean;
}

export type UnsettableField = 'name' | 'description' | 'attributes';

/** The fields a record shares; organizations add their own. */
export interface RecordFields {
  name?: string;
  description?: string;
  attributes: Record<string, string>;
}

export function validateInput(input: RecordInput): void {
  if (input.name !== undefined) validate.text('name', input.name, validate.LIMITS.name);
  if (input.description !== undefined) validate.text('description', input.description, validate.LIMITS.description);
  if (input.attributes !== undefined) validate.attributes(input.attributes);
}

/** The shared fields of a new record: empty values are not stored. */
export function newFields(input: RecordInput): RecordFields {
  return {
    name: input.name || undefined,
    description: input.description || undefined,
    attributes: Object.fromEntries(Object.entries(input.attributes ?? {}).filter(([, v]) => v !== '')),
  };
}

/** The shared fields a request gives, which `create` and `set` print back. */
export function givenFields(input: RecordInput): Set<UnsettableField> {
  const fields = new Set<UnsettableField>();
  if (input.name !== undefined) fields.add('name');
  if (input.description !== undefined) fields.add('description');
  if (input.attributes !== undefined) fields.add('attributes');
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
