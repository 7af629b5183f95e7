/** The organization registry: create, read, change, delete, restore and purge organizations. */
import type { Access, AccessRequest, ReachRequest, Reached } from './access.js';
import type { BulkTarget } from './bulk.js';
import { recordEvent, recordEventOf } from './events.js';
import { createAll, onlyResult, type CreateBatch } from './create-batch.js';
import { alreadyExists, invalidArgument, notFound, OrgsError, permissionDenied } from './errors.js';
import { requireHoldersRemainWithout } from './holders.js';
import { KINDS, type EntityKindName } from './kinds.js';
import type { Membership, Organization } from './model.js';
import { orderOf, paginate, type Listing, type PageRequest } from './paging.js';
import { ENTITY_GROUPS, RIGHT_ALL, rightsImplying } from './rights.js';
import {
  ensureUser,
  existingUser,
  isAdministrator,
  requireKeyRight,
  requireRights,
  rightsOn,
  type Scope,
  type Session,
} from './session.js';
import type { OrganizationOrderField, OrganizationQuery } from './store.js';
import {
  applyChange,
  changedFields,
  DEFAULT_RESTORE_WINDOW_MS,
  givenFields as givenRecordFields,
  newFields,
  purgeChecked,
  requireContactOfNone,
  requireContactsAllowed,
  requireContactsCollaborate,
  requireRestorable,
  searchFilters,
  validateInput,
  withUnset,
  type OrganizationInput,
  type UnsettableField,
} from './records.js';
import type { SearchFilters } from './store.js';
import * as validate from './validate.js';
import { organizationView, visibleFields, type FieldMask, type OrganizationField, type View } from './views.js';

export const ORGANIZATION_ORDERS: readonly OrganizationOrderField[] = ['organization_id', 'name', 'created_at'];

/** The settable fields of an organization (those of every record, and notifications); undefined means "not given". */
export interface CreateRequest extends OrganizationInput {
  organizationId?: string;
  /** The collaborator who gets all rights; defaults to the caller when the caller is a user. */
  userId?: string;
}

export interface UpdateRequest extends OrganizationInput {
  organizationId?: string;
  /** Fields to clear. */
  unset?: readonly UnsettableField[];
}

export interface ListRequest extends PageRequest {
  userId?: string;
  deleted?: boolean;
  order?: string;
  fields?: FieldMask;
}

export interface SearchRequest extends ListRequest, SearchFilters {}

const NS = 'organizations';
/** What reading an organization beyond its public fields takes, in get, list and search alike. */
const READ_RIGHT = 'RIGHT_ORGANIZATION_INFO';

/** The fields a request gave, which `create` and `set` print back. */
function givenFields(input: OrganizationInput): Set<OrganizationField> {
  const fields: Set<OrganizationField> = givenRecordFields(input);
  if (input.fanoutNotifications !== undefined) fields.add('fanout_notifications');
  return fields;
}

const notFoundError = (id: string) => notFound(NS, 'organization_not_found', `organization ${id} not found`);

export class OrganizationService {
  constructor(
    private readonly session: Session,
    private readonly restoreWindowMs = DEFAULT_RESTORE_WINDOW_MS,
  ) {}

  async create(request: CreateRequest): Promise<View> {
    const created = await this.session.write(async (scope) => onlyResult(await this.createAll(scope, [request])));
    return organizationView(created, givenFields(request));
  }

  /**
   * Creates organizations inside an open write transaction, in order, as one batch
   * (src/core/create-batch.ts): each, or the refusal of it; the others are created all the same.
   */
  createAll(scope: Scope, requests: readonly CreateRequest[]): Promise<Array<Organization | OrgsError>> {
    return createAll<CreateRequest, Organization, Membership>(
      scope,
      requests,
      () => {
        // The IDs asked about, those that can be valid: the store never sees what the checks refuse.
        const { caller } = scope;
        const ids = new Set<string>();
        for (const { organizationId, userId = caller.kind === 'user' ? caller.user.id : undefined } of requests) {
          if (organizationId !== undefined && validate.isOrganizationId(organizationId)) ids.add(organizationId);
          if (userId !== undefined && validate.isUserId(userId)) ids.add(userId);
        }
        return scope.tx.prefetchAccounts([...ids]);
      },
      (request, batch) => this.createIn(scope, request, batch),
      async (organizations, memberships) => {
        await scope.tx.insertOrganizations(organizations);
        await scope.tx.putMemberships(memberships);
      },
    );
  }

  /**
   * Checks one organization of a batch and adds its writes to the batch. Every check comes before
   * that, so a refusal leaves the batch as it found it.
   */
  private async createIn(
    scope: Scope,
    request: CreateRequest,
    batch: CreateBatch<Organization, Membership>,
  ): Promise<Organization> {
    const id = validate.organizationId(request.organizationId);
    validateInput(request);
    const { caller, tx, now } = scope;
    if (caller.kind === 'api-key') {
      throw permissionDenied(NS, 'api_key_cannot_create', 'API keys cannot create organizations; act as a user');
    }
    const collaboratorId = this.requireCollaborator(
      request.userId ?? (caller.kind === 'user' ? caller.user.id : undefined),
    );
    const forThemselves = caller.kind === 'user' && caller.user.id === collaboratorId;
    if (!isAdministrator(caller) && !forThemselves) {
      throw permissionDenied(
        NS,
        'create_for_other_user',
        `only an administrator can create an organization for ${collaboratorId}`,
      );
    }
    requireKeyRight(caller, 'RIGHT_USER_ORGANIZATIONS_CREATE');
    await batch.asking([id, collaboratorId]);
    const taken = await tx.accountKind(id);
    if (taken) {
      const reason =
        taken === 'user' ? 'a user has that ID' : 'an organization (perhaps deleted) holds that ID until it is purged';
      throw alreadyExists(NS, 'id_taken', `ID ${id} is already taken: ${reason}`);
    }
    // Users and organizations share one namespace: the user registered below cannot share the ID.
    if (collaboratorId === id) {
      throw alreadyExists(NS, 'id_taken', `ID ${id} cannot name both the organization and its collaborator`);
    }
    const fields = newFields(NS, request, { kind: 'user', id: collaboratorId });
    await requireContactsAllowed(scope, NS, request);
    await batch.once(collaboratorId, () => ensureUser(scope, collaboratorId));
    const organization: Organization = {
      id,
      ...fields,
      fanoutNotifications: request.fanoutNotifications ?? false,
      createdAt: now,
      updatedAt: now,
    };
    batch.add(
      id,
      organization,
      { organizationId: id, userId: collaboratorId, rights: [RIGHT_ALL], createdAt: now, updatedAt: now },
      recordEventOf('organization', id, 'create'),
    );
    return organization;
  }

  /** Bulk create's view of organizations: each made for `userId` (default: the calling user). */
  bulkTarget(userId: string | undefined): BulkTarget<Organization> {
    return {
      kind: 'organization',
      notifications: true,
      plural: 'organizations',
      check: () => {
        if (userId === undefined && this.session.identity.kind === 'admin') this.requireCollaborator(undefined);
      },
      createAll: (scope, documents) =>
        this.createAll(
          scope,
          documents.map(({ id, input }) =>
            Object.assign<OrganizationInput, CreateRequest>(input, { organizationId: id, userId }),
          ),
        ),
      view: organizationView,
    };
  }

  requireCollaborator(userId: string | undefined): string {
    if (userId === undefined) {
      throw invalidArgument(
        NS,
        'no_collaborator',
        'no collaborator given; name the user who gets all rights with --user-id',
      );
    }
    return validate.userId(userId);
  }

  async get(organizationId: string | undefined, fields: FieldMask = new Set()): Promise<View> {
    const id = validate.organizationId(organizationId);
    return this.session.read(async (scope) => {
      const org = await this.live(scope, id);
      const rights = await rightsOn(scope, id);
      return organizationView(org, visibleFields(fields, rights.has(READ_RIGHT)));
    });
  }

  /** The caller's rights on the organization, expanded, in the groups that have flags. */
  async rights(organizationId: string | undefined): Promise<string[]> {
    const id = validate.organizationId(organizationId);
    return this.session.read(async (scope) => {
      await this.live(scope, id);
      return (await rightsOn(scope, id)).inGroups(ENTITY_GROUPS).toArray();
    });
  }

  /** `orgs access`: who holds rights on the organization, by any path (ACCESS.md). */
  async access(organizationId: string | undefined, request: AccessRequest): Promise<Listing<Access>> {
    const id = validate.organizationId(organizationId);
    const { organizationAccessors, pageOfAccess } = await import('./access.js');
    return this.session.read(async (scope) => {
      await this.live(scope, id);
      await requireRights(scope, id, 'RIGHT_ORGANIZATION_SETTINGS_MEMBERS');
      return pageOfAccess(await organizationAccessors(scope, id, !request.noAdmins), request);
    });
  }

  /**
   * `orgs reach`: the entities the organization collaborates on, of the kinds the caller may list
   * for it; the kinds asked for that it may not list are named in `unlisted`.
   */
  async reach(
    organizationId: string | undefined,
    request: ReachRequest,
  ): Promise<{ items: Reached[]; unlisted: EntityKindName[] }> {
    const id = validate.organizationId(organizationId);
    const { organizationReach, TARGET_KINDS } = await import('./access.js');
    return this.session.read(async (scope) => {
      await this.live(scope, id);
      const held = await rightsOn(scope, id);
      const asked = request.kinds ?? TARGET_KINDS;
      const listable = KINDS.filter((kind) => held.has(kind.organizationRights.list));
      const unlisted = KINDS.filter((kind) => !listable.includes(kind) && asked.includes(kind.name));
      return {
        items: await organizationReach(scope, id, listable, request),
        unlisted: unlisted.map((kind) => kind.name),
      };
    });
  }

  list(request: ListRequest): Promise<Listing<View>> {
    return this.find(request, {}, new Set());
  }

  search(request: SearchRequest): Promise<Listing<View>> {
    const { filters, searched } = searchFilters(request);
    return this.find(request, filters, searched);
  }

  private async find(
    request: ListRequest,
    filters: Partial<OrganizationQuery>,
    extraFields: Set<OrganizationField>,
  ): Promise<Listing<View>> {
    const order = orderOf(request.order, ORGANIZATION_ORDERS, 'organization_id');
    if (request.userId !== undefined) validate.userId(request.userId);
    const fields = new Set([...(request.fields ?? []), ...extraFields]);
    if (request.deleted) fields.add('deleted_at');
    return this.session.read(async (scope) => {
      const visible = await this.visibleTo(scope, request.userId);
      const query = { ...filters, order, deleted: request.deleted ?? false, ...visible };
      const listing = await paginate(
        request,
        (page) => scope.tx.listOrganizations({ ...query, ...page }),
        () => scope.tx.countOrganizations(query),
      );
      return {
        ...listing,
        items: listing.items.map((org) => organizationView(org, visibleFields(fields, org.readable))),
      };
    });
  }

  /**
   * Whose memberships a listing is limited to (users see their own, the administrator sees all),
   * and which of them a user may read: those where they hold a right that implies READ_RIGHT.
   */
  private async visibleTo(
    scope: Scope,
    userId: string | undefined,
  ): Promise<Pick<OrganizationQuery, 'memberOf' | 'readableWith'>> {
    const { caller } = scope;
    if (caller.kind === 'api-key') {
      throw permissionDenied(
        NS,
        'api_key_cannot_list',
        `this API key acts on ${caller.key.ownerKind} ${caller.key.ownerId} alone; use get ${caller.key.ownerId}`,
      );
    }
    if (userId !== undefined) {
      if (!isAdministrator(scope.caller) && !(caller.kind === 'user' && caller.user.id === userId)) {
        throw permissionDenied(NS, 'list_other_user', `only an administrator can list the organizations of ${userId}`);
      }
      await existingUser(scope, userId);
    }
    requireKeyRight(caller, 'RIGHT_USER_ORGANIZATIONS_LIST');
    if (caller.kind === 'user' && !caller.user.admin) {
      return { memberOf: caller.user.id, readableWith: rightsImplying(READ_RIGHT) };
    }
    return { memberOf: userId };
  }

  async update(request: UpdateRequest): Promise<View> {
    const id = validate.organizationId(request.organizationId);
    validateInput(request);
    const unset = new Set(request.unset ?? []);
    const given = withUnset(NS, givenFields(request), unset);
    if (given.size === 0) {
      throw invalidArgument(
        NS,
        'no_fields',
        'nothing to set: give --name, --description, --attributes, --fanout-notifications, a contact or --unset',
      );
    }
    const updated = await this.session.write(async (scope) => {
      const org = await this.live(scope, id);
      await requireRights(scope, id, 'RIGHT_ORGANIZATION_SETTINGS_BASIC');
      await requireContactsAllowed(scope, NS, request);
      // Organizations have members, not organizations, as collaborators.
      await requireContactsCollaborate(
        NS,
        `organization ${id}`,
        request,
        async (contact) => contact.kind === 'user' && (await scope.tx.getMembership(id, contact.id)) !== undefined,
      );
      const next: Organization = { ...applyChange(org, request, unset), updatedAt: scope.now };
      if (request.fanoutNotifications !== undefined) next.fanoutNotifications = request.fanoutNotifications;
      await scope.tx.updateOrganization(next);
      await recordEvent(scope, recordEventOf('organization', id, 'update', changedFields(given)));
      return next;
    });
    return organizationView(updated, given);
  }

  async delete(organizationId: string | undefined): Promise<void> {
    const id = validate.organizationId(organizationId);
    await this.session.write(async (scope) => {
      const org = await this.live(scope, id);
      await requireRights(scope, id, 'RIGHT_ORGANIZATION_DELETE');
      await scope.tx.updateOrganization({ ...org, deletedAt: scope.now });
      await recordEvent(scope, recordEventOf('organization', id, 'delete'));
    });
  }

  async restore(organizationId: string | undefined): Promise<void> {
    const id = validate.organizationId(organizationId);
    await this.session.write(async (scope) => {
      const org = await scope.tx.getOrganization(id);
      if (org?.deletedAt === undefined) {
        throw notFound(NS, 'organization_not_deleted', `no deleted organization ${id}`);
      }
      await requireRights(scope, id, 'RIGHT_ORGANIZATION_DELETE');
      requireRestorable(NS, `organization ${id}`, org.deletedAt, scope.now, this.restoreWindowMs);
      await scope.tx.updateOrganization({ ...org, deletedAt: undefined });
      await recordEvent(scope, recordEventOf('organization', id, 'restore'));
    });
  }

  /** Purges the organization; `confirm` is asked only once the caller may and the organization exists. */
  async purge(organizationId: string | undefined, confirm?: (id: string) => Promise<void>): Promise<void> {
    const id = validate.organizationId(organizationId);
    await purgeChecked(
      this.session,
      (scope) => this.requirePurgeable(scope, id),
      async (scope) => {
        await scope.tx.purgeOrganization(id);
        await recordEvent(scope, recordEventOf('organization', id, 'purge'));
      },
      confirm && (() => confirm(id)),
    );
  }

  private async requirePurgeable(scope: Scope, id: string): Promise<void> {
    if (!isAdministrator(scope.caller)) {
      throw permissionDenied(NS, 'purge_needs_admin', 'only an administrator can purge organizations');
    }
    if (!(await scope.tx.getOrganization(id))) throw notFoundError(id);
    // Deleting leaves its collaborations in place, to come back with it; purging ends them.
    await requireHoldersRemainWithout(scope.tx, id);
    await requireContactOfNone(scope.tx, NS, { kind: 'organization', id });
  }

  /** The organization, unless it does not exist or is deleted (then it is not found). */
  async live(scope: Scope, id: string): Promise<Organization> {
    const org = await scope.tx.getOrganization(id);
    if (!org || org.deletedAt !== undefined) throw notFoundError(id);
    return org;
  }
}
