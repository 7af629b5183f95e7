/** Users: registered by the first write that names them, managed explicitly by the administrator. */
import type { ReachRequest, Reached } from './access.js';
import { alreadyExists, permissionDenied } from './errors.js';
import { requireHoldersRemainWithout } from './holders.js';
import { requireContactOfNone } from './records.js';
import type { User } from './model.js';
import { paginate, type Listing, type PageRequest } from './paging.js';
import { recordEvent } from './events.js';
import {
  existingUser,
  isAdministrator,
  requireKeyRight,
  type Principal,
  type Scope,
  type Session,
  userEvent,
  userNotFound,
} from './session.js';
import * as validate from './validate.js';
import { userView } from './views.js';

const NS = 'users';

export interface UserInput {
  userId?: string;
  name?: string;
  admin?: boolean;
}

/** Fails unless the caller is an administrator (then the key it may act through must hold the call's right too). */
function requireAdministrator(caller: Principal, what: string): void {
  if (!isAdministrator(caller)) throw permissionDenied(NS, 'admin_only', `only an administrator can ${what}`);
}

const isSelf = (caller: Principal, id: string) => caller.kind === 'user' && caller.user.id === id;

export class UserService {
  constructor(private readonly session: Session) {}

  async create(input: UserInput): Promise<Record<string, unknown>> {
    const id = validate.userId(input.userId);
    if (input.name !== undefined) validate.text('name', input.name, validate.LIMITS.name);
    return this.session.write(async (scope) => {
      requireAdministrator(scope.caller, 'create users');
      requireKeyRight(scope.caller, 'RIGHT_USER_CREATE');
      const taken = await scope.tx.accountKind(id);
      if (taken)
        throw alreadyExists(
          NS,
          'id_taken',
          `ID ${id} is already taken by ${taken === 'user' ? 'a user' : 'an organization'}`,
        );
      const user: User = {
        id,
        name: input.name || undefined,
        admin: input.admin ?? false,
        createdAt: scope.now,
        updatedAt: scope.now,
      };
      await scope.tx.insertUser(user);
      await recordEvent(scope, userEvent('create', id));
      return userView(user);
    });
  }

  /** `users reach`: every organization and entity the user holds a right on (ACCESS.md). Asked by the user or an administrator. */
  async reach(userId: string | undefined, request: ReachRequest): Promise<Reached[]> {
    const id = validate.userId(userId);
    const { userReach } = await import('./access.js');
    return this.session.read(async (scope) => {
      if (!isAdministrator(scope.caller) && !isSelf(scope.caller, id)) {
        throw permissionDenied(NS, 'not_self', `only ${id} and an administrator can ask what ${id} reaches`);
      }
      requireKeyRight(scope.caller, 'RIGHT_USER_INFO');
      return userReach(scope, await existingUser(scope, id), request);
    });
  }

  list(request: PageRequest): Promise<Listing<Record<string, unknown>>> {
    return this.session.read(async (scope) => {
      requireAdministrator(scope.caller, 'list users');
      requireKeyRight(scope.caller, 'RIGHT_USER_LIST');
      const listing = await paginate(request, (page) => scope.tx.listUsers(page));
      return { ...listing, items: listing.items.map(userView) };
    });
  }

  async get(userId: string | undefined): Promise<Record<string, unknown>> {
    const id = validate.userId(userId);
    return this.session.read(async (scope) => {
      if (!isSelf(scope.caller, id)) requireAdministrator(scope.caller, 'see other users');
      requireKeyRight(scope.caller, 'RIGHT_USER_INFO');
      return userView(await this.existing(scope, id));
    });
  }

  /** Users may rename themselves; everything else is for the administrator. */
  async update(input: UserInput): Promise<Record<string, unknown>> {
    const id = validate.userId(input.userId);
    if (input.name !== undefined) validate.text('name', input.name, validate.LIMITS.name);
    return this.session.write(async (scope) => {
      if (input.admin !== undefined || !isSelf(scope.caller, id))
        requireAdministrator(scope.caller, 'change other users or administrators');
      requireKeyRight(scope.caller, 'RIGHT_USER_SETTINGS_BASIC');
      const user = await this.existing(scope, id);
      const next: User = {
        ...user,
        name: input.name === undefined ? user.name : input.name || undefined,
        admin: input.admin ?? user.admin,
        updatedAt: scope.now,
      };
      await scope.tx.updateUser(next);
      const changed = ['name', 'admin'].filter((field) => input[field as 'name' | 'admin'] !== undefined);
      await recordEvent(scope, userEvent('update', id, changed));
      return userView(next);
    });
  }

  /** Removes the user and their collaborations; no record may be left without a holder of its _ALL right. */
  async delete(userId: string | undefined): Promise<void> {
    const id = validate.userId(userId);
    await this.session.write(async (scope) => {
      requireAdministrator(scope.caller, 'delete users');
      requireKeyRight(scope.caller, 'RIGHT_USER_DELETE');
      await this.existing(scope, id);
      await requireHoldersRemainWithout(scope.tx, id);
      await requireContactOfNone(scope.tx, NS, { kind: 'user', id });
      await scope.tx.deleteUser(id);
      await recordEvent(scope, userEvent('delete', id));
    });
  }

  private async existing(scope: Scope, id: string): Promise<User> {
    const user = await scope.tx.getUser(id);
    if (!user) throw userNotFound(id);
    return user;
  }
}
