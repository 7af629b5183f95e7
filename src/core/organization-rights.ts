/**
 * A user's or an API key's rights on an organization (RULES.md): the one function behind the
 * caller's checks (`rightsOn`), `orgs rights`, and the access questions (`access`, `reach`).
 */
import type { ApiKey, User } from './model.js';
import { Rights } from './rights.js';
import type { Transaction } from './store.js';

/** Who holds rights: a user, or an organization's API key. */
export type Holder = { kind: 'user'; user: User } | { kind: 'api-key'; key: ApiKey };

/**
 * A user made --admin holds every right; a member its membership's rights, expanded; an API key its
 * own rights on its organization, expanded; anyone else nothing.
 */
export async function organizationRights(tx: Transaction, holder: Holder, organizationId: string): Promise<Rights> {
  if (holder.kind === 'api-key') {
    return holder.key.organizationId === organizationId ? Rights.of(holder.key.rights).expand() : Rights.none;
  }
  if (holder.user.admin) return Rights.all;
  const membership = await tx.getMembership(organizationId, holder.user.id);
  return membership ? Rights.of(membership.rights).expand() : Rights.none;
}
