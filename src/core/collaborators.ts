/**
 * Collaborators of an organization: users holding rights in it. Granting or taking away a right
 * needs holding it, and every organization keeps an owner (RIGHT_ORGANIZATION_ALL, expanded).
 */
import { collaboratorEvent, recordEvent } from './events.js';
import type { Identifier } from './model.js';
import { invalidArgument, notFound, permissionDenied } from './errors.js';
import { needsCollaborator, organizationKeepsOwner } from './holders.js';
import { requireNotContact } from './records.js';
import type { Membership } from './model.js';
import type { OrganizationService } from './organizations.js';
import { orderOf, paginate, type Listing, type PageRequest } from './paging.js';
import { Rights } from './rights.js';
import { ensureUser, existingUser, requireRights, rightsOn, type Scope, type Session } from './session.js';
import type { Transaction } from './store.js';
import * as validate from './validate.js';
import { collaboratorView } from './views.js';

const NS = 'collaborators';
const MEMBERS = 'RIGHT_ORGANIZATION_SETTINGS_MEMBERS';
export const COLLABORATOR_ORDERS = ['id', 'rights'] as const;

export interface CollaboratorListRequest extends PageRequest {
  organizationId?: string;
  order?: string;
}

export interface CollaboratorRequest {
  organizationId?: string;
  userId?: string;
}

export interface CollaboratorSetRequest extends CollaboratorRequest {
  rights: readonly string[];
}

/**
 * Fails unless the organization still has an owner once `userId`'s rights become `rights`
 * (undefined: no longer a member).
 */
async function requireOwnerRemains(
  tx: Transaction,
  organizationId: string,
  userId: string,
  rights: readonly string[] | undefined,
): Promise<void> {
  if (!(await organizationKeepsOwner(tx, organizationId, userId, rights))) {
    throw needsCollaborator([{ kind: 'organization', id: organizationId }], 'make someone else an owner first');
  }
}

/** Changing someone's rights from `before` to `after` needs holding every right added or removed. */
export function requireHeldChange(held: Rights, before: Rights, after: Rights, subject: string): void {
  const changed = after.expand().minus(before.expand()).union(before.expand().minus(after.expand()));
  const missing = changed.minus(held);
  if (missing.size > 0) {
    throw permissionDenied(
      'auth',
      'insufficient_rights',
      `the caller cannot grant or remove rights it does not hold (${missing.summary()}) for ${subject}`,
    );
  }
}

export class CollaboratorService {
  constructor(
    private readonly session: Session,
    private readonly organizations: OrganizationService,
  ) {}

  /** Members with their rights; without RIGHT_ORGANIZATION_SETTINGS_MEMBERS, members' IDs only. */
  async list(request: CollaboratorListRequest): Promise<Listing<Record<string, unknown>>> {
    const id = validate.organizationId(request.organizationId);
    const order = orderOf(request.order, COLLABORATOR_ORDERS, 'id');
    return this.session.read(async (scope) => {
      await this.organizations.live(scope, id);
      const held = await rightsOn(scope, id);
      if (held.size === 0) {
        throw permissionDenied(NS, 'not_a_collaborator', `the caller has no rights on organization ${id}`);
      }
      const withRights = held.has('RIGHT_ORGANIZATION_SETTINGS_MEMBERS');
      const memberships = await scope.tx.listMemberships(id);
      if (order.field === 'rights') {
        // By how much each member may do (rights expanded), then by ID.
        const weight = new Map(memberships.map((m) => [m.userId, Rights.of(m.rights).expand().size]));
        memberships.sort((a, b) => weight.get(a.userId)! - weight.get(b.userId)! || (a.userId < b.userId ? -1 : 1));
      }
      if (order.direction === 'desc') memberships.reverse();
      const listing = await paginate(request, async (page) => memberships.slice(page.offset, page.offset + page.limit));
      return { ...listing, items: listing.items.map((m) => collaboratorView(m, withRights)) };
    });
  }

  async get(request: CollaboratorRequest): Promise<Record<string, unknown>> {
    const { organizationId, userId } = this.ids(request);
    return this.session.read(async (scope) => {
      await this.organizations.live(scope, organizationId);
      await requireRights(scope, organizationId, 'RIGHT_ORGANIZATION_SETTINGS_MEMBERS');
      return collaboratorView(await this.membership(scope, organizationId, userId), true);
    });
  }

  /** Replaces the user's rights in the organization (adding the user if needed). */
  async set(request: CollaboratorSetRequest): Promise<void> {
    const { organizationId, userId } = this.ids(request);
    if (request.rights.length === 0) {
      throw invalidArgument(
        NS,
        'no_collaborator_rights',
        'no rights given; a collaborator needs at least one --right-* flag',
      );
    }
    const after = Rights.of(request.rights);
    await this.session.write(async (scope) => {
      await this.organizations.live(scope, organizationId);
      const held = await requireRights(scope, organizationId, 'RIGHT_ORGANIZATION_SETTINGS_MEMBERS');
      await ensureUser(scope, userId);
      const existing = await scope.tx.getMembership(organizationId, userId);
      requireHeldChange(held, Rights.of(existing?.rights ?? []), after, `user ${userId}`);
      const rights = after.toArray();
      await requireOwnerRemains(scope.tx, organizationId, userId, rights);
      const membership: Membership = {
        organizationId,
        userId,
        rights,
        createdAt: existing?.createdAt ?? scope.now,
        updatedAt: scope.now,
      };
      await scope.tx.putMembership(membership);
      await recordEvent(
        scope,
        collaboratorEvent(...this.identifiers(organizationId, userId), MEMBERS, collaboratorView(membership, true)),
      );
    });
  }

  async delete(request: CollaboratorRequest): Promise<void> {
    const { organizationId, userId } = this.ids(request);
    await this.session.write(async (scope) => {
      const organization = await this.organizations.live(scope, organizationId);
      const held = await requireRights(scope, organizationId, 'RIGHT_ORGANIZATION_SETTINGS_MEMBERS');
      const existing = await this.membership(scope, organizationId, userId);
      requireHeldChange(held, Rights.of(existing.rights), Rights.none, `user ${userId}`);
      await requireOwnerRemains(scope.tx, organizationId, userId, undefined);
      requireNotContact(NS, `organization ${organizationId}`, organization, { kind: 'user', id: userId });
      await scope.tx.deleteMembership(organizationId, userId);
      await recordEvent(scope, collaboratorEvent(...this.identifiers(organizationId, userId), MEMBERS));
    });
  }

  private identifiers(organizationId: string, userId: string): [Identifier, Identifier] {
    return [
      { kind: 'organization', id: organizationId },
      { kind: 'user', id: userId },
    ];
  }

  private ids(request: CollaboratorRequest): { organizationId: string; userId: string } {
    return { organizationId: validate.organizationId(request.organizationId), userId: validate.userId(request.userId) };
  }

  private async membership(scope: Scope, organizationId: string, userId: string): Promise<Membership> {
    const membership = await scope.tx.getMembership(organizationId, userId);
    if (!membership) {
      await existingUser(scope, userId);
      throw notFound(NS, 'collaborator_not_found', `${userId} is not a collaborator of organization ${organizationId}`);
    }
    return membership;
  }
}
