/**
 * Who is calling, and the scope an operation runs in: its transaction, its clock reading, and
 * where its events come from. Shared by the session, which makes scopes, and the audit trail,
 * which records into them.
 */
import { keyOwnerNamed } from './key-owners.js';
import type { ApiKey, NewEvent, User } from './model.js';
import type { Transaction } from './store.js';

/** The caller as configured: environment, login, or nobody (the local administrator). */
export type Identity = { kind: 'admin' } | { kind: 'user'; userId: string } | { kind: 'api-key'; token: string };

/**
 * The caller as found in the store. A user's API key acts as its user, within the key's rights
 * (`key` is set); the key of an organization, application or gateway acts on its owner alone.
 */
export type Principal =
  { kind: 'admin' } | { kind: 'user'; user: User; key?: ApiKey } | { kind: 'api-key'; key: ApiKey };

/** Where the events of one command come from: one correlation ID for all of them. */
export interface EventContext {
  correlationId: string;
  origin: string;
  userAgent: string;
}

export interface Scope {
  tx: Transaction;
  caller: Principal;
  /** One clock reading per transaction: everything written in it carries the same time. */
  now: number;
  writable: boolean;
  /**
   * Where the transaction's events come from, and the newest event ID it has seen; `recorded`
   * collects the events recorded, when someone asks (a dry run).
   */
  journal: { context: EventContext; lastId?: string; caller?: Record<string, unknown>; recorded?: NewEvent[] };
}

/** The part of a scope events need; the caller is missing while a newcomer registers itself. */
export type EventScope = Omit<Scope, 'caller'> & { caller?: Principal };

/** What `whoami` prints for a caller. */
export function describeCaller(caller: Principal): Record<string, unknown> {
  switch (caller.kind) {
    case 'admin':
      return { local_administrator: true, admin: true };
    case 'user':
      return caller.key
        ? { api_key_id: caller.key.id, user_id: caller.user.id, admin: caller.user.admin }
        : { user_id: caller.user.id, admin: caller.user.admin };
    case 'api-key':
      return { api_key_id: caller.key.id, [`${caller.key.ownerKind}_id`]: caller.key.ownerId };
  }
}

/** The organization the caller acts as, when it is that organization's API key. */
export function keyOrganization(caller: Principal): string | undefined {
  return caller.kind === 'api-key' && caller.key.ownerKind === 'organization' ? caller.key.ownerId : undefined;
}

/**
 * Whether the caller may do what only an administrator may (manage users, see every event and
 * record): the local administrator, or a user made --admin, through a key only if the key holds
 * every right. (Its rights are another matter: an administrator's key holds, everywhere, the
 * key's own, as The Things Stack's universal rights.)
 */
export function isAdministrator(caller: Principal): boolean {
  if (caller.kind === 'admin') return true;
  if (caller.kind !== 'user' || !caller.user.admin) return false;
  return caller.key === undefined || EVERY_KEY_GROUP.every((all) => caller.key!.rights.includes(all));
}

/** The `_ALL` rights a user's key needs to act as an administrator: those of every group it may hold. */
const EVERY_KEY_GROUP = keyOwnerNamed('user').groups.map((group) => `RIGHT_${group.toUpperCase()}_ALL`);
