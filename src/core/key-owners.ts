/**
 * Who an API key belongs to (API.md, "API keys of users, applications and gateways"): users,
 * organizations, applications and gateways differ in names and in the rights their keys may hold,
 * not in behaviour. Each owner kind is a row of this table; the service, the store, the commands
 * and the HTTP routes are written once over it.
 */
import type { RightGroup } from './rights.js';

export type KeyOwnerKindName = 'user' | 'organization' | 'application' | 'gateway';

export interface KeyOwnerKind {
  readonly name: KeyOwnerKindName;
  /** `user-id`: the owner's ID flag (`--user-id`, `--organization-id`, …). */
  readonly idFlag: string;
  /** `user_id`: the key inside `ids`. */
  readonly idKey: string;
  /** The path segment of its HTTP routes (`/users/{id}/api-keys`). */
  readonly plural: string;
  /** The groups of rights its keys may hold, which are also the `--right-*` flags of its key commands. */
  readonly groups: readonly RightGroup[];
  /** The right that manages its keys. */
  readonly manage: string;
}

function owner(name: KeyOwnerKindName, plural: string, groups: RightGroup[]): KeyOwnerKind {
  return {
    name,
    idFlag: `${name}-id`,
    idKey: `${name}_id`,
    plural,
    groups,
    manage: `RIGHT_${name.toUpperCase()}_SETTINGS_API_KEYS`,
  };
}

/**
 * A user's key may hold rights of every group, as `ttn-lw-cli users api-keys create` takes them (it
 * acts as its user, within them); an organization's those its members may hold; an application's
 * or a gateway's those of its own kind.
 */
export const KEY_OWNERS: readonly KeyOwnerKind[] = [
  owner('organization', 'organizations', ['organization', 'application', 'gateway', 'client']),
  owner('user', 'users', ['user', 'organization', 'application', 'gateway', 'client']),
  owner('application', 'applications', ['application']),
  owner('gateway', 'gateways', ['gateway']),
];

export function keyOwnerNamed(name: KeyOwnerKindName): KeyOwnerKind {
  return KEY_OWNERS.find((kind) => kind.name === name)!;
}

/** The owner kind of this name, if keys can belong to it (clients have none). */
export function keyOwnerOf(name: string): KeyOwnerKind | undefined {
  return KEY_OWNERS.find((kind) => kind.name === name);
}
