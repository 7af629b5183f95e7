/**
 * What the outside sees: records turned into the snake_case shapes of The Things Stack's API, in
 * its field order, with empty and unset fields left out.
 */
import type { ApiKey, Membership, Organization, User } from './model.js';
import { Rights } from './rights.js';

export const ORGANIZATION_FIELDS = ['name', 'description', 'attributes', 'deleted_at', 'fanout_notifications'] as const;
export type OrganizationField = (typeof ORGANIZATION_FIELDS)[number];
export type FieldMask = ReadonlySet<OrganizationField>;

/** The fields anyone may see of an organization they are not allowed to read. */
export const PUBLIC_FIELDS: FieldMask = new Set(['name']);

/** Of the fields asked for, those the caller sees: all if it may read the organization, else the public ones. */
export function visibleFields(fields: FieldMask, readable: boolean): FieldMask {
  return readable ? fields : new Set([...fields].filter((field) => PUBLIC_FIELDS.has(field)));
}

export const timestamp = (ms: number): string => new Date(ms).toISOString();

export function organizationView(org: Organization, fields: FieldMask): Record<string, unknown> {
  const view: Record<string, unknown> = {
    ids: { organization_id: org.id },
    created_at: timestamp(org.createdAt),
    updated_at: timestamp(org.updatedAt),
  };
  if (fields.has('deleted_at') && org.deletedAt !== undefined) view.deleted_at = timestamp(org.deletedAt);
  if (fields.has('name') && org.name) view.name = org.name;
  if (fields.has('description') && org.description) view.description = org.description;
  if (fields.has('attributes') && Object.keys(org.attributes).length > 0) {
    view.attributes = Object.fromEntries(Object.entries(org.attributes).sort(([a], [b]) => (a < b ? -1 : 1)));
  }
  if (fields.has('fanout_notifications') && org.fanoutNotifications) view.fanout_notifications = true;
  return view;
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
