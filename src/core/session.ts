/**
 * Who is calling, and the transaction every operation runs in. Authentication happens inside the
 * operation's own transaction, so a check and the change it guards see the same data.
 */
import { hostname } from 'node:os';
import { invalidArgument, notFound, permissionDenied, unauthenticated } from './errors.js';
import { recordEvent } from './events.js';
import type { ApiKey, NewEvent, User } from './model.js';
import { keyRights, organizationRights } from './organization-rights.js';
import { Rights } from './rights.js';
import {
  describeCaller,
  isAdministrator,
  keyOrganization,
  type EventContext,
  type EventScope,
  type Identity,
  type Principal,
  type Scope,
} from './scope.js';
import type { Store, Transaction } from './store.js';
import { ulid } from './ulid.js';
import * as validate from './validate.js';

export { describeCaller, isAdministrator, keyOrganization } from './scope.js';
export type { Identity, Principal, Scope } from './scope.js';

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

/** An hour, as `last_used_at` records it: its first millisecond. */
export const HOUR_MS = 3_600_000;
export const hourOf = (time: number) => Math.floor(time / HOUR_MS) * HOUR_MS;

/**
 * How the writes of a session run when nothing may be kept (--dry-run, src/core/dry-run.ts): it
 * runs `change` as it likes in a trial transaction (Store.trial), the events of each run collected
 * in `recorded`, and looks at the store as the caller with `inspect`.
 */
export interface Trial {
  write<T>(
    store: Store,
    change: (tx: Transaction, recorded: NewEvent[]) => Promise<T>,
    inspect: <R>(tx: Transaction, work: (scope: Scope) => Promise<R>) => Promise<R>,
  ): Promise<T>;
}

export class Session {
  /** The caller's key, authenticated in an hour its record does not hold yet: recorded once the transaction is over. */
  private unrecordedKeyUse?: { id: string; hour: number };

  constructor(
    readonly store: Store,
    readonly identity: Identity,
    private readonly clock: () => number = Date.now,
    readonly eventContext: EventContext = newEventContext(),
    /** --dry-run: every write is tried and nothing kept. */
    private readonly trial?: Trial,
    /** Set by `joining`: the open transaction every read and write runs in. */
    private readonly open?: Scope,
  ) {}

  /**
   * The same caller inside a transaction already open: every read and write of the services made
   * over it runs there, each with its own checks and events (`apply`'s steps, all or nothing).
   */
  joining(scope: Scope): Session {
    return new Session(this.store, this.identity, this.clock, this.eventContext, undefined, scope);
  }

  /** The same store and command, another caller. */
  withIdentity(identity: Identity): Session {
    return new Session(this.store, identity, this.clock, this.eventContext, this.trial);
  }

  /** A read never writes: an unknown caller reads as a user with no rights, registered by nothing. */
  read<T>(work: (scope: Scope) => Promise<T>): Promise<T> {
    if (this.open) return work(this.open);
    return this.recordingKeyUse(this.store.read((tx) => this.enter(tx, false, work)));
  }

  write<T>(work: (scope: Scope) => Promise<T>): Promise<T> {
    if (this.open) return work(this.open);
    const change = this.trial
      ? this.trial.write(
          this.store,
          (tx, recorded) => this.enter(tx, true, work, recorded),
          (tx, inspect) => this.enter(tx, false, inspect),
        )
      : this.store.write((tx) => this.enter(tx, true, work));
    return this.recordingKeyUse(change);
  }

  /**
   * The transaction's result, once the use of the key it authenticated (if any) is recorded: in a
   * transaction of its own, never inside a read, and never failing or delaying the command (the
   * store skips it rather than wait for a lock). A transaction that failed records nothing, so
   * that a command refused leaves the store as it was.
   */
  private async recordingKeyUse<T>(transaction: Promise<T>): Promise<T> {
    const result = await transaction.catch((error: unknown) => {
      this.unrecordedKeyUse = undefined;
      throw error;
    });
    const use = this.unrecordedKeyUse;
    this.unrecordedKeyUse = undefined;
    if (use !== undefined) await this.store.recordApiKeyUse(use.id, use.hour).catch(() => false);
    return result;
  }

  /**
   * The caller as JSON: a user (and whether an administrator), an API key and its organization,
   * or the local administrator.
   */
  whoami(): Promise<Record<string, unknown>> {
    return this.read(async ({ caller }) => describeCaller(caller));
  }

  private async enter<T>(
    tx: Transaction,
    writable: boolean,
    work: (scope: Scope) => Promise<T>,
    recorded?: NewEvent[],
  ): Promise<T> {
    const partial = { tx, now: this.clock(), writable, journal: { context: this.eventContext, recorded } };
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
        // A newcomer is registered by its first write only.
        const newcomer = newUser(identity.userId, scope.now);
        if (scope.writable) await registerUser(scope, newcomer);
        return { kind: 'user', user: newcomer };
      }
      case 'api-key': {
        const { key, user } = await authenticateKey(scope, identity.token);
        const hour = hourOf(scope.now);
        if (key.lastUsedAt === undefined || key.lastUsedAt < hour) this.unrecordedKeyUse = { id: key.id, hour };
        return user ? { kind: 'user', user, key } : { kind: 'api-key', key };
      }
    }
  }
}

/**
 * The user with this ID, registered now (by a write) if this is the first time it is named. An
 * organization's ID where a user is expected is `nested_organizations`: organizations cannot be
 * members.
 */
export async function ensureUser(scope: EventScope, id: string): Promise<User> {
  return (await findUser(scope, id)) ?? (await registerUser(scope, newUser(id, scope.now)));
}

/**
 * The user with this ID, for a read, which registers no one: an unknown ID is `user_not_found`,
 * an organization's `nested_organizations`.
 */
export async function existingUser(scope: EventScope, id: string): Promise<User> {
  const user = await findUser(scope, id);
  if (!user) throw userNotFound(id);
  return user;
}

export const userNotFound = (id: string) => notFound('users', 'user_not_found', `user ${id} not found`);

/** The registered user with this ID, if any; an organization's ID is `nested_organizations`. */
async function findUser(scope: EventScope, id: string): Promise<User | undefined> {
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
  return undefined;
}

const newUser = (id: string, now: number): User => ({ id, admin: false, createdAt: now, updatedAt: now });

async function registerUser(scope: EventScope, user: User): Promise<User> {
  await scope.tx.insertUser(user);
  // A newcomer naming itself is its own caller.
  await recordEvent(scope, userEvent('create', user.id), scope.caller ?? { kind: 'user', user });
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
 * The key behind a token, if the token is well-formed, its secret matches, the key has not
 * expired and its owner is there (a user) or live (an organization, application or gateway); with
 * the user a user's key acts as. Errors name the key's ID, never its secret.
 */
async function authenticateKey(scope: Omit<Scope, 'caller'>, text: string): Promise<{ key: ApiKey; user?: User }> {
  // Loaded here, not up front: crypto is start-up time that only key-holding callers need.
  const { describeToken, parseToken, verifySecret } = await import('./tokens.js');
  const token = parseToken(text);
  if (!token) throw unauthenticated('auth', 'unauthenticated', 'the API key is not of the form NNSXS.<id>.<secret>');
  const refuse = (why: string) => unauthenticated('auth', 'unauthenticated', `API key ${describeToken(text)} ${why}`);
  const key = await scope.tx.getApiKey(token.id);
  if (!key || !verifySecret(token.secret, key.secretHash)) throw refuse('is unknown, deleted or does not match');
  if (key.expiresAt !== undefined && key.expiresAt <= scope.now)
    throw refuse(`expired at ${new Date(key.expiresAt).toISOString()}`);
  const { ownerKind, ownerId } = key;
  if (ownerKind === 'user') {
    const user = await scope.tx.getUser(ownerId);
    if (!user) throw refuse(`belongs to deleted user ${ownerId}`);
    return { key, user };
  }
  const owner =
    ownerKind === 'organization'
      ? await scope.tx.getOrganization(ownerId)
      : await scope.tx.getEntity(ownerKind, ownerId);
  if (owner?.deletedAt !== undefined) throw refuse(`belongs to deleted ${ownerKind} ${ownerId}`);
  return { key };
}

/**
 * Fails when the caller acts through a user's API key that lacks `right`: what a user may do as
 * itself (create, list, manage its keys), its key may do only if it holds the matching right.
 */
export function requireKeyRight(caller: Principal, right: string): void {
  if (caller.kind === 'user' && caller.key && !keyRights(caller.key).has(right)) {
    throw permissionDenied(
      'auth',
      'insufficient_rights',
      `API key ${caller.key.id} of user ${caller.user.id} lacks ${right}`,
    );
  }
}

/** Whether the caller is the API key of something other than the organization: it acts on its owner alone. */
export const isOtherKey = (
  caller: Principal,
  organizationId: string,
): caller is Extract<Principal, { kind: 'api-key' }> =>
  caller.kind === 'api-key' && keyOrganization(caller) !== organizationId;

/** The caller's rights on an organization, expanded; an API key of another owner is refused. */
export async function rightsOn(scope: Scope, organizationId: string): Promise<Rights> {
  const { caller } = scope;
  if (caller.kind === 'admin') return Rights.all;
  if (isOtherKey(caller, organizationId)) {
    const { ownerKind, ownerId } = caller.key;
    throw permissionDenied(
      'auth',
      'api_key_other_organization',
      `this API key belongs to ${ownerKind} ${ownerId}; it cannot act on organization ${organizationId}`,
    );
  }
  return organizationRights(scope.tx, caller, organizationId);
}

/**
 * The caller's rights on a user: itself (or an administrator) holds every right, within its key's
 * if it acts through one; anyone else none.
 */
export function rightsOnUser(caller: Principal, userId: string): Rights {
  if (caller.kind === 'admin') return Rights.all;
  if (caller.kind !== 'user' || (caller.user.id !== userId && !isAdministrator(caller))) return Rights.none;
  return caller.key ? keyRights(caller.key) : Rights.all;
}

/**
 * Whether the caller may list the organization's members with their rights (ACCESS.md); an API
 * key of another organization may not, which is an answer here, not an error.
 */
export async function mayListMembers(scope: Scope, organizationId: string): Promise<boolean> {
  const { caller } = scope;
  if (isOtherKey(caller, organizationId)) return false;
  return (await rightsOn(scope, organizationId)).has('RIGHT_ORGANIZATION_SETTINGS_MEMBERS');
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
