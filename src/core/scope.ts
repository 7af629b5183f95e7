/**
 * Who is calling, and the scope an operation runs in: its transaction, its clock reading, and
 * where its events come from. Shared by the session, which makes scopes, and the audit trail,
 * which records into them.
 */
import type { ApiKey, NewEvent, User } from './model.js';
import type { Transaction } from './store.js';

/** The caller as configured: environment, login, or nobody (the local administrator). */
export type Identity = { kind: 'admin' } | { kind: 'user'; userId: string } | { kind: 'api-key'; token: string };

/** The caller as found in the store. */
export type Principal = { kind: 'admin' } | { kind: 'user'; user: User } | { kind: 'api-key'; key: ApiKey };

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
      return { user_id: caller.user.id, admin: caller.user.admin };
    case 'api-key':
      return { api_key_id: caller.key.id, organization_id: caller.key.organizationId };
  }
}

export function isAdministrator(caller: Principal): boolean {
  return caller.kind === 'admin' || (caller.kind === 'user' && caller.user.admin);
}
