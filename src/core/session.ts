/**
 * Who is calling, and the transaction every operation runs in. Authentication happens inside the
 * operation's own transaction, so a check and the change it guards see the same data.
 */
import { hostname } from 'node:os';
import { invalidArgument, permissionDenied, unauthenticated } from './errors.js';
import { type EventContext, type EventScope, recordEvent } from './events.js';
import type { ApiKey, User } from './model.js';
import { Rights } from './rights.js';
import type { Store, Transaction } from './store.js';
import { ulid } from './ulid.js';
import * as validate from './validate.js';

/** The caller as configured: environment, login, or nobody (the local administrator). */
export type Identity = { kind: 'admin' } | { kind: 'user'; userId: string } | { kind: 'api-key'; token: string };

/** The caller as found in the store. */
export type Principal = { kind: 'admin' } | { kind: 'user'; user: User } | { kind: 'api-key'; key: ApiKey };

export interface Scope {
  tx: Transaction;
  caller: Principal;
  /** One clock reading per transaction: everything written in it carries the same time. */
  now: number;
  writable: boolean;
  /** Where the transaction's events come from, and the newest event ID it has seen. */
  journal: { context: EventContext; lastId?: string; caller?: Record<string, unknown> };
}

/**
 * One command's events share one correlation ID. Made on first use: a command that changes
 * nothing pays neither for the random bits (crypto) nor for the host name.
 */
export function newEventContext(userAgent = 'orgs'): EventContext {
  let correlationId: string | undefined;
  let origin: string | undefined;
  return {
    get correlationId() {
      return (correlationId ??= `orgs:cmd:${ulid()}`);
    },
    get origin() {
      return (origin ??= hostname());
    },
    userAgent,
  };
}

/** Thrown inside a read when it turns out to need a write (a user named for the first time). */
const NEEDS_WRITE = Symbol('needs write');

export class Session {
  constructor(
    readonly store: Store,
    readonly identity: Identity,
    private readonly clock: () => number = Date.now,
    readonly eventContext: EventContext = newEventContext(),
  ) {}

  /** The same store and command, another caller. */
  withIdentity(identity: Identity): Session {
    return new Session(this.store, identity, this.clock, this.eventContext);
  }

  async read<T>(work: (scope: Scope) => Promise<T>): Promise<T> {
    try {
      return await this.store.read((tx) => this.enter(tx, false, work));
    } catch (error) {
      if (error === NEEDS_WRITE) return this.write(work);
      throw error;
    }
  }

  write<T>(work: (scope: Scope) => Promise<T>): Promise<T> {
    return this.store.write((tx) => this.enter(tx, true, work));
  }

  /**
   * The caller as JSON: a user (and whether an administrator), an API key and its organization,
   * or the local administrator.
   */
  whoami(): Promise<Record<string, unknown>> {
    return this.read(async ({ caller }) => describeCaller(caller));
  }

  private async enter<T>(tx: Transaction, writable: boolean, work: (scope: Scope) => Promise<T>): Promise<T> {
    const partial = { tx, now: this.clock(), writable, journal: { context: this.eventContext } };
    const caller = await this.authenticate(partial);
    return work({ ...partial, caller });
  }

  private async authenticate(scope: Omit<Scope, 'caller'>): Promise<Principal> {
    const identity = this.identity;
    switch (identity.kind) {
      case 'admin':
        return { kind: 'admin' };
      case 'user': {
        if (!validate.isUserId(identity.userId)) {
          throw unauthenticated(
            'auth',
            'invalid_caller',
            `the caller's user ID ${validate.quote(identity.userId)} is invalid`,
          );
        }
        // A registered caller costs one lookup; the namespace is consulted only for a newcomer.
        const user = await scope.tx.getUser(identity.userId);
        if (user) return { kind: 'user', user };
        if ((await scope.tx.accountKind(identity.userId)) === 'organization') {
          throw unauthenticated('auth', 'caller_is_organization', `${identity.userId} is an organization, not a user`);
        }
        return { kind: 'user', user: await ensureUser(scope, identity.userId) };
      }
      case 'api-key':
        return { kind: 'api-key', key: await authenticateKey(scope, identity.token) };
    }
  }
}

/**
 * The user with this ID, registered now if this is the first time it is named. An organization's
 * ID where a user is expected is `nested_organizations`: organizations cannot be members.
 */
export async function ensureUser(scope: EventScope, id: string): Promise<User> {
  validate.userId(id);
  const existing = await scope.tx.getUser(id);
  if (existing) return existing;
  if ((await scope.tx.accountKind(id)) === 'organization') {
    throw invalidArgument(
      'validate',
      'nested_organizations',
      `${id} is an organization; organizations cannot be nested, name a user`,
    );
  }
  if (!scope.writable) throw NEEDS_WRITE;
  const user: User = { id, admin: false, createdAt: scope.now, updatedAt: scope.now };
  await scope.tx.insertUser(user);
  // A newcomer naming itself is its own caller.
  await recordEvent(scope, userEvent('create', id), scope.caller ?? { kind: 'user', user });
  return user;
}

/** `user.create`, `.update` (with the changed fields), `.delete`. */
export function userEvent(action: 'create' | 'update' | 'delete', id: string, changed?: string[]) {
  return {
    name: `user.${action}`,
    identifiers: [{ kind: 'user' as const, id }],
    data: changed,
    visibility: ['RIGHT_USER_INFO'],
  };
}

/**
 * The key behind a token, if the token is well-formed, its secret matches, and neither the key nor
 * its organization is expired or deleted. Errors name the key's ID, never its secret.
 */
async function authenticateKey(scope: Omit<Scope, 'caller'>, text: string): Promise<ApiKey> {
  // Loaded here, not up front: crypto is start-up time that only key-holding callers need.
  const { describeToken, parseToken, verifySecret } = await import('./tokens.js');
  const token = parseToken(text);
  if (!token) throw unauthenticated('auth', 'unauthenticated', 'the API key is not of the form NNSXS.<id>.<secret>');
  const refuse = (why: string) => unauthenticated('auth', 'unauthenticated', `API key ${describeToken(text)} ${why}`);
  const key = await scope.tx.getApiKey(token.id);
  if (!key || !verifySecret(token.secret, key.secretHash)) throw refuse('is unknown, deleted or does not match');
  if (key.expiresAt !== undefined && key.expiresAt <= scope.now)
    throw refuse(`expired at ${new Date(key.expiresAt).toISOString()}`);
  const org = await scope.tx.getOrganization(key.organizationId);
  if (org?.deletedAt !== undefined) throw refuse(`belongs to deleted organization ${key.organizationId}`);
  return key;
}

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

/** The caller's rights on an organization, expanded. */
export async function rightsOn(scope: Scope, organizationId: string): Promise<Rights> {
  const { caller } = scope;
  switch (caller.kind) {
    case 'admin':
      return Rights.all;
    case 'user': {
      if (caller.user.admin) return Rights.all;
      const membership = await scope.tx.getMembership(organizationId, caller.user.id);
      return membership ? Rights.of(membership.rights).expand() : Rights.none;
    }
    case 'api-key':
      if (caller.key.organizationId !== organizationId) {
        throw permissionDenied(
          'auth',
          'api_key_other_organization',
          `this API key belongs to ${caller.key.organizationId}; it cannot act on ${organizationId}`,
        );
      }
      return Rights.of(caller.key.rights).expand();
  }
}

/** Fails with permission_denied unless the caller holds every one of `needed` on the organization. */
export async function requireRights(scope: Scope, organizationId: string, ...needed: string[]): Promise<Rights> {
  const held = await rightsOn(scope, organizationId);
  const missing = Rights.of(needed).minus(held);
  if (missing.size > 0) {
    throw permissionDenied(
      'auth',
      'insufficient_rights',
      `the caller lacks ${missing.toArray().join(', ')} on organization ${organizationId}`,
    );
  }
  return held;
}
