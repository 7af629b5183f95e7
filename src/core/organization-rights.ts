/**
 * A user's or an API key's rights on an organization (RULES.md): the one function behind the
 * caller's checks (`rightsOn`), `orgs rights`, and the access questions (`access`, `reach`).
 */
import type { ApiKey, User } from './model.js';
import { Rights } from './rights.js';
import { keyOrganization } from './scope.js';
import type { Transaction } from './store.js';

/**
 * Who holds rights: a user (through one of its API keys, when `key` is set), or the API key of an
 * organization, application or gateway.
 */
export type Holder = { kind: 'user'; user: User; key?: ApiKey } | { kind: 'api-key'; key: ApiKey };

/**
 * A user made --admin holds every right; a member its membership's rights, expanded; through a
 * user's key, only those of them the key holds too; an organization's API key its own rights on
 * its organization, expanded; anyone else nothing.
 */
export async function organizationRights(tx: Transaction, holder: Holder, organizationId: string): Promise<Rights> {
  if (holder.kind === 'api-key') {
    return keyOrganization(holder) === organizationId ? keyRights(holder.key) : Rights.none;
  }
  let rights = Rights.all;
  if (!holder.user.admin) {
    const membership = await tx.getMembership(organizationId, holder.user.id);
    rights = membership ? Rights.of(membership.rights).expand() : Rights.none;
  }
  return holder.key ? rights.intersect(keyRights(holder.key)) : rights;
}

/** A key's rights, expanded. */
export const keyRights = (key: ApiKey): Rights => Rights.of(key.rights).expand();
