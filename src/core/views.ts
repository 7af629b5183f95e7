/**
 * What the outside sees: records turned into the snake_case shapes of The Things Stack's API, in
 * its field order, with empty and unset fields left out.
 */
import type { EntityKind } from './kinds.js';
import type { ApiKey, CollaboratorIds, Entity, EntityCollaborator, Membership, Organization, User } from './model.js';
import { Rights } from './rights.js';

/** A record as printed. */
export type View = Record<string, unknown>;

export const ORGANIZATION_FIELDS = [
  'name',
  'description',
  'attributes',
  'administrative_contact',
  'technical_contact',
  'deleted_at',
  'fanout_notifications',
] as const;
export type OrganizationField = (typeof ORGANIZATION_FIELDS)[number];
export type FieldMask = ReadonlySet<OrganizationField>;

/** The fields anyone may see of an organization they are not allowed to read. */
export const PUBLIC_FIELDS: FieldMask = new Set(['name']);

/** Of the fields asked for, those the caller sees: all if it may read the organization, else the public ones. */
export function visibleFields(fields: FieldMask, readable: boolean): FieldMask {
  return readable ? fields : new Set([...fields].filter((field) => PUBLIC_FIELDS.has(field)));
}

export function timestamp(ms: number): string {
  // Records written together share their time: a bulk create's thousands print one text.
  if (ms !== lastTimestamp.ms) lastTimestamp = { ms, text: new Date(ms).toISOString() };
  return lastTimestamp.text;
}
let lastTimestamp = { ms: NaN, text: '' };

/** The fields of an application, gateway or client: an organization's, but notifications. */
export const ENTITY_FIELDS = ORGANIZATION_FIELDS.filter(
  (field): field is Exclude<OrganizationField, 'fanout_notifications'> => field !== 'fanout_notifications',
);

/** A record (organization or entity) in the API's field order, with only the selected fields. */
function recordView(
  ids: Record<string, string>,
  record: Omit<Entity, 'kind' | 'id'>,
  fields: ReadonlySet<string>,
): Record<string, unknown> {
  const view: Record<string, unknown> = {
    ids,
    created_at: timestamp(record.createdAt),
    updated_at: timestamp(record.updatedAt),
  };
  if (fields.has('deleted_at') && record.deletedAt !== undefined) view.deleted_at = timestamp(record.deletedAt);
  if (fields.has('name') && record.name) view.name = record.name;
  if (fields.has('description') && record.description) view.description = record.description;
  if (fields.has('attributes') && Object.keys(record.attributes).length > 0) {
    view.attributes = Object.fromEntries(Object.entries(record.attributes).sort(([a], [b]) => (a < b ? -1 : 1)));
  }
  if (fields.has('administrative_contact') && record.administrativeContact) {
    view.administrative_contact = identifierView(record.administrativeContact);
  }
  if (fields.has('technical_contact') && record.technicalContact) {
    view.technical_contact = identifierView(record.technicalContact);
  }
  return view;
}

export function organizationView(org: Organization, fields: FieldMask): Record<string, unknown> {
  const view = recordView({ organization_id: org.id }, org, fields);
  if (fields.has('fanout_notifications') && org.fanoutNotifications) view.fanout_notifications = true;
  return view;
}

export function entityView(kind: EntityKind, entity: Entity, fields: ReadonlySet<string>): Record<string, unknown> {
  return recordView({ [kind.idKey]: entity.id }, entity, fields);
}

/** `{"organization_ids":{"organization_id":"org1"}}`: a user, organization or entity as The Things Stack names it. */
export function identifierView({ kind, id }: { kind: string; id: string }): Record<string, Record<string, string>> {
  return { [`${kind}_ids`]: { [`${kind}_id`]: id } };
}

/**
 * identifierView read back, for a user or organization (`{"user_ids":{"user_id":"u1"}}`): the
 * account, or undefined unless the value names exactly one by a string ID.
 */
export function accountOfView(value: unknown): CollaboratorIds | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const [only, ...more] = Object.entries(value);
  const kind = only?.[0] === 'user_ids' ? 'user' : only?.[0] === 'organization_ids' ? 'organization' : undefined;
  const ids = kind && more.length === 0 ? only![1] : undefined;
  const id = typeof ids === 'object' && ids !== null ? (ids as Record<string, unknown>)[`${kind}_id`] : undefined;
  return typeof id === 'string' ? { kind: kind!, id } : undefined;
}

/** `{"ids":{"user_ids":{…}}}` or `{"ids":{"organization_ids":{…}}}`, as The Things Stack prints them. */
export function entityCollaboratorView(collaborator: EntityCollaborator): Record<string, unknown> {
  return { ids: identifierView(collaborator.collaborator), rights: Rights.of(collaborator.rights).toArray() };
}

export function collaboratorView(membership: Membership, withRights: boolean): Record<string, unknown> {
  const view: Record<string, unknown> = { ids: { user_ids: { user_id: membership.userId } } };
  if (withRights) view.rights = Rights.of(membership.rights).toArray();
  return view;
}

export function apiKeyView(key: ApiKey, token?: string): Record<string, unknown> {
  const view: Record<string, unknown> = { id: key.id };
  if (token !== undefined) view.key = token;
  if (key.name) view.name = key.name;
  view.rights = Rights.of(key.rights).toArray();
  view.created_at = timestamp(key.createdAt);
  view.updated_at = timestamp(key.updatedAt);
  if (key.expiresAt !== undefined) view.expires_at = timestamp(key.expiresAt);
  if (key.lastUsedAt !== undefined) view.last_used_at = timestamp(key.lastUsedAt);
  return view;
}

export function userView(user: User): Record<string, unknown> {
  const view: Record<string, unknown> = {
    ids: { user_id: user.id },
    created_at: timestamp(user.createdAt),
    updated_at: timestamp(user.updatedAt),
  };
  if (user.name) view.name = user.name;
  if (user.admin) view.admin = true;
  return view;
}
