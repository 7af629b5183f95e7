/**
 * The registry of applications, gateways and clients: one service, parameterized by the kind
 * (src/core/kinds.ts). Every check goes through effectiveRights, in the transaction of the change.
 */
import type { Access, AccessRequest } from './access.js';
import type { BulkTarget } from './bulk.js';
import { requireHeldChange } from './collaborators.js';
import { effectiveRights, effectiveRightsOn, within, type EffectiveRights, type Subject } from './effective-rights.js';
import { collaboratorEvent, recordEvent, recordEventOf } from './events.js';
import type { Identifier } from './model.js';
import { createAll, onlyResult, type CreateBatch } from './create-batch.js';
import { alreadyExists, invalidArgument, notFound, OrgsError, permissionDenied } from './errors.js';
import { entityKeepsHolder, needsCollaborator } from './holders.js';
import type { EntityKind } from './kinds.js';
import type { CollaboratorIds, Entity, EntityCollaborator } from './model.js';
import type { OrganizationService } from './organizations.js';
import { orderOf, paginate, paginateFiltered, type Listing, type PageRequest } from './paging.js';
import {
  applyChange,
  changedFields,
  DEFAULT_RESTORE_WINDOW_MS,
  givenFields,
  newFields,
  purgeChecked,
  requireContactsAllowed,
  requireContactsCollaborate,
  requireNotContact,
  requireRestorable,
  matchesPublicFields,
  searchFilters,
  searchesPrivateFields,
  validateInput,
  withUnset,
  type RecordInput,
  type UnsettableField,
} from './records.js';
import { RIGHT_ALL, Rights } from './rights.js';
import {
  ensureUser,
  existingUser,
  isAdministrator,
  keyOrganization,
  requireKeyRight,
  requireRights,
  type Scope,
  type Session,
} from './session.js';
import type { EntityOrderField, EntityQuery, SearchFilters } from './store.js';
import * as validate from './validate.js';
import { entityCollaboratorView, entityView, visibleFields, type FieldMask, type OrganizationField } from './views.js';

/** The first collaborator or the collaborator meant: exactly one of the two, or (create) neither. */
export interface CollaboratorRef {
  userId?: string;
  organizationId?: string;
}

export interface EntityCreateRequest extends RecordInput, CollaboratorRef {
  entityId?: string;
}

export interface EntityUpdateRequest extends RecordInput {
  entityId?: string;
  unset?: readonly UnsettableField[];
}

export interface EntityListRequest extends PageRequest, CollaboratorRef {
  deleted?: boolean;
  order?: string;
  fields?: FieldMask;
}

export interface EntitySearchRequest extends EntityListRequest, SearchFilters {}

export interface EntityCollaboratorRequest extends CollaboratorRef {
  entityId?: string;
}

export interface EntityCollaboratorListRequest extends PageRequest {
  entityId?: string;
  order?: string;
}

type View = Record<string, unknown>;

const COLLABORATOR_ORDERS = ['id', 'rights'] as const;

export class EntityService {
  private readonly ns: string;
  private readonly orders: readonly string[];

  constructor(
    readonly kind: EntityKind,
    private readonly session: Session,
    private readonly organizations: OrganizationService,
    private readonly restoreWindowMs = DEFAULT_RESTORE_WINDOW_MS,
  ) {
    this.ns = kind.namespace;
    this.orders = [kind.idKey, 'name', 'created_at'];
  }

  async create(request: EntityCreateRequest): Promise<View> {
    const created = await this.session.write(async (scope) => onlyResult(await this.createAll(scope, [request])));
    return entityView(this.kind, created, givenFields(request));
  }

  /**
   * Creates entities of the kind inside an open write transaction, in order, as one batch
   * (src/core/create-batch.ts): each, or the refusal of it; the others are created all the same.
   */
  createAll(scope: Scope, requests: readonly EntityCreateRequest[]): Promise<Array<Entity | OrgsError>> {
    return createAll<EntityCreateRequest, Entity, EntityCollaborator>(
      scope,
      requests,
      // The IDs asked about, those that can be valid: the store never sees what the checks refuse.
      () =>
        scope.tx.prefetchEntities(
          this.kind.name,
          requests.flatMap(({ entityId: id }) => (id !== undefined && validate.isOrganizationId(id) ? [id] : [])),
        ),
      (request, batch) => this.createIn(scope, request, batch),
      async (entities, collaborators) => {
        await scope.tx.insertEntities(entities);
        await scope.tx.putEntityCollaborators(collaborators);
      },
    );
  }

  /**
   * Checks one entity of a batch and adds its writes to the batch. Every check comes before that,
   * so a refusal leaves the batch as it found it.
   */
  private async createIn(
    scope: Scope,
    request: EntityCreateRequest,
    batch: CreateBatch<Entity, EntityCollaborator>,
  ): Promise<Entity> {
    const id = this.id(request.entityId);
    validateInput(request);
    const collaborator = this.firstCollaborator(scope, request);
    if (collaborator.kind === 'user') {
      const forThemselves = scope.caller.kind === 'user' && scope.caller.user.id === collaborator.id;
      if (!isAdministrator(scope.caller) && !forThemselves) {
        throw permissionDenied(
          this.ns,
          'create_for_other_user',
          `only ${collaborator.id} or an administrator can create a ${this.kind.name} for ${collaborator.id}`,
        );
      }
      requireKeyRight(scope.caller, this.kind.userRights.create);
    } else {
      await this.organizations.live(scope, collaborator.id);
      await requireRights(scope, collaborator.id, this.kind.organizationRights.create);
    }
    await batch.asking([id]);
    if (await scope.tx.getEntity(this.kind.name, id)) {
      throw alreadyExists(
        this.ns,
        'id_taken',
        `${this.kind.name} ID ${id} is already taken (perhaps by a deleted ${this.kind.name}, until it is purged)`,
      );
    }
    const fields = newFields(this.ns, request, collaborator);
    await requireContactsAllowed(scope, this.ns, request);
    if (collaborator.kind === 'user') await batch.once(collaborator.id, () => ensureUser(scope, collaborator.id));
    const entity: Entity = {
      kind: this.kind.name,
      id,
      ...fields,
      createdAt: scope.now,
      updatedAt: scope.now,
    };
    batch.add(
      id,
      entity,
      this.collaboration(id, collaborator, [RIGHT_ALL], scope.now),
      recordEventOf(this.kind.name, id, 'create'),
    );
    return entity;
  }

  /** Bulk create's view of the kind: each made for the collaborator named, or the caller. */
  bulkTarget(collaborator: CollaboratorRef): BulkTarget<Entity> {
    return {
      kind: this.kind.name,
      notifications: false,
      plural: this.kind.command,
      check: () => {
        if (this.session.identity.kind === 'admin') this.requireNamed(collaborator);
        else this.namedCollaborator(collaborator);
      },
      createAll: (scope, documents) =>
        this.createAll(
          scope,
          documents.map(({ id, input }) =>
            Object.assign<RecordInput, EntityCreateRequest>(input, { ...collaborator, entityId: id }),
          ),
        ),
      view: (entity, fields) => entityView(this.kind, entity, fields),
    };
  }

  async get(entityId: string | undefined, fields: FieldMask = new Set()): Promise<View> {
    const id = this.id(entityId);
    return this.session.read(async (scope) => {
      const entity = await this.live(scope, id);
      const { rights } = await effectiveRights(scope, this.kind, id);
      return entityView(this.kind, entity, visibleFields(fields, rights.has(this.kind.rights.info)));
    });
  }

  list(request: EntityListRequest): Promise<Listing<View>> {
    return this.find(request, {}, new Set());
  }

  search(request: EntitySearchRequest): Promise<Listing<View>> {
    const { filters, searched } = searchFilters(request);
    return this.find(request, filters, searched);
  }

  /**
   * Lists what the caller may see: without flags, the entities the caller has any right on; with
   * --user-id, that user's; with --organization-id, what the organization collaborates on. Each
   * shows, and is searched on, its private fields only for a caller holding the kind's INFO right
   * on it. Effective rights reach through organizations, so the store narrows the listing down and
   * the core decides the rest, a page at a time.
   */
  private async find(request: EntityListRequest, filters: SearchFilters, searched: FieldMask): Promise<Listing<View>> {
    const { field, direction } = orderOf(request.order, this.orders, this.kind.idKey);
    const order = { field: (field === this.kind.idKey ? 'id' : field) as EntityOrderField, direction };
    const fields = new Set<OrganizationField>([...(request.fields ?? []), ...searched]);
    if (request.deleted) fields.add('deleted_at');
    return this.session.read(async (scope) => {
      const { restriction, subject } = await this.listedFor(scope, request);
      const listed = { kind: this.kind.name, deleted: request.deleted ?? false, order, ...filters, ...restriction };
      const query = (page: { limit: number; offset: number }) => scope.tx.listEntities({ ...listed, ...page });
      const callerRights = new Map<string, Rights>();
      const rightsOf = async (entities: Entity[]) => {
        const found = await effectiveRightsOn(
          scope,
          this.kind,
          entities.map((e) => e.id),
        );
        for (const [id, effective] of found) callerRights.set(id, effective.rights);
      };
      const privateSearch = searchesPrivateFields(filters) && !isAdministrator(scope.caller);
      const listing =
        subject || privateSearch
          ? await paginateFiltered(request, query, async (entities) => {
              await rightsOf(entities);
              // Through an organization, a path may grant nothing: such entities are not the subject's.
              const subjectRights =
                subject && subject.kind !== 'caller'
                  ? await effectiveRightsOn(
                      scope,
                      this.kind,
                      entities.map((e) => e.id),
                      subject,
                    )
                  : undefined;
              return entities.filter((e) => {
                const own = callerRights.get(e.id)!;
                if (subject && (subjectRights?.get(e.id)!.rights ?? own).size === 0) return false;
                return !privateSearch || own.has(this.kind.rights.info) || matchesPublicFields(e, filters);
              });
            })
          : await paginate(request, query, () => scope.tx.countEntities(listed));
      if (!subject && !privateSearch) await rightsOf(listing.items);
      return {
        ...listing,
        items: listing.items.map((e) =>
          entityView(this.kind, e, visibleFields(fields, callerRights.get(e.id)!.has(this.kind.rights.info))),
        ),
      };
    });
  }

  /** The store restriction of a listing, and whose effective rights must be non-empty (if anyone's). */
  private async listedFor(
    scope: Scope,
    request: CollaboratorRef,
  ): Promise<{ restriction: Partial<EntityQuery>; subject?: Subject }> {
    const { caller } = scope;
    const named = this.namedCollaborator(request);
    if (named?.kind === 'organization') {
      await this.organizations.live(scope, named.id);
      await requireRights(scope, named.id, this.kind.organizationRights.list);
      return { restriction: { collaborator: named.id } };
    }
    requireKeyRight(caller, this.kind.userRights.list);
    if (named?.kind === 'user') {
      if (!isAdministrator(caller) && !(caller.kind === 'user' && caller.user.id === named.id)) {
        throw permissionDenied(
          this.ns,
          'list_other_user',
          `only an administrator can list the ${this.kind.command} of ${named.id}`,
        );
      }
      const user = await existingUser(scope, named.id);
      return { restriction: { reachableBy: named.id }, subject: { kind: 'user', user } };
    }
    if (isAdministrator(caller)) return { restriction: {} };
    if (caller.kind === 'user') return { restriction: { reachableBy: caller.user.id }, subject: { kind: 'caller' } };
    const organizationId = keyOrganization(caller);
    if (organizationId !== undefined)
      return { restriction: { collaborator: organizationId }, subject: { kind: 'caller' } };
    if (caller.kind === 'api-key') {
      throw permissionDenied(
        this.ns,
        'api_key_cannot_list',
        `this API key acts on ${caller.key.ownerKind} ${caller.key.ownerId} alone; use get ${caller.key.ownerId}`,
      );
    }
    return { restriction: {} };
  }

  async update(request: EntityUpdateRequest): Promise<View> {
    const id = this.id(request.entityId);
    validateInput(request);
    const unset = new Set(request.unset ?? []);
    const given = withUnset(this.ns, givenFields(request), unset);
    if (given.size === 0) {
      throw invalidArgument(
        this.ns,
        'no_fields',
        'nothing to set: give --name, --description, --attributes, a contact or --unset',
      );
    }
    const updated = await this.session.write(async (scope) => {
      const entity = await this.live(scope, id);
      await this.requireRights(scope, id, this.kind.rights.settingsBasic);
      await requireContactsAllowed(scope, this.ns, request);
      await requireContactsCollaborate(this.ns, `${this.kind.name} ${id}`, request, async (contact) => {
        const collaboration = await scope.tx.getEntityCollaborator(this.kind.name, id, contact.id);
        return collaboration?.collaborator.kind === contact.kind;
      });
      const next = { ...applyChange(entity, request, unset), updatedAt: scope.now };
      await scope.tx.updateEntity(next);
      await recordEvent(scope, recordEventOf(this.kind.name, id, 'update', changedFields(given)));
      return next;
    });
    return entityView(this.kind, updated, given);
  }

  async delete(entityId: string | undefined): Promise<void> {
    const id = this.id(entityId);
    await this.session.write(async (scope) => {
      const entity = await this.live(scope, id);
      await this.requireRights(scope, id, this.kind.rights.delete);
      await scope.tx.updateEntity({ ...entity, deletedAt: scope.now });
      await recordEvent(scope, recordEventOf(this.kind.name, id, 'delete'));
    });
  }

  async restore(entityId: string | undefined): Promise<void> {
    const id = this.id(entityId);
    await this.session.write(async (scope) => {
      const entity = await scope.tx.getEntity(this.kind.name, id);
      if (entity?.deletedAt === undefined) {
        throw notFound(this.ns, `${this.kind.name}_not_deleted`, `no deleted ${this.kind.name} ${id}`);
      }
      await this.requireRights(scope, id, this.kind.rights.delete);
      requireRestorable(this.ns, `${this.kind.name} ${id}`, entity.deletedAt, scope.now, this.restoreWindowMs);
      await scope.tx.updateEntity({ ...entity, deletedAt: undefined });
      await recordEvent(scope, recordEventOf(this.kind.name, id, 'restore'));
    });
  }

  /** Purges the entity; `confirm` is asked only once the caller may and the entity exists. */
  async purge(entityId: string | undefined, confirm?: (id: string) => Promise<void>): Promise<void> {
    const id = this.id(entityId);
    await purgeChecked(
      this.session,
      (scope) => this.checkPurge(scope, id),
      async (scope) => {
        await scope.tx.purgeEntity(this.kind.name, id);
        await recordEvent(scope, recordEventOf(this.kind.name, id, 'purge'));
      },
      confirm && (() => confirm(id)),
    );
  }

  private async checkPurge(scope: Scope, id: string): Promise<void> {
    if (!isAdministrator(scope.caller)) {
      throw permissionDenied(this.ns, 'purge_needs_admin', `only an administrator can purge ${this.kind.command}`);
    }
    if (!(await scope.tx.getEntity(this.kind.name, id))) throw this.notFound(id);
  }

  /** Collaborators with their rights, in ID order (or by how much each may do). */
  async listCollaborators(request: EntityCollaboratorListRequest): Promise<Listing<View>> {
    const id = this.id(request.entityId);
    const order = orderOf(request.order, COLLABORATOR_ORDERS, 'id');
    return this.session.read(async (scope) => {
      await this.live(scope, id);
      await this.requireRights(scope, id, this.kind.rights.settingsCollaborators);
      const collaborators = await scope.tx.listEntityCollaborators(this.kind.name, id);
      if (order.field === 'rights') {
        const weight = new Map(collaborators.map((c) => [c.collaborator.id, Rights.of(c.rights).expand().size]));
        collaborators.sort(
          (a, b) =>
            weight.get(a.collaborator.id)! - weight.get(b.collaborator.id)! ||
            (a.collaborator.id < b.collaborator.id ? -1 : 1),
        );
      }
      if (order.direction === 'desc') collaborators.reverse();
      const listing = await paginate(request, async (page) =>
        collaborators.slice(page.offset, page.offset + page.limit),
      );
      return { ...listing, items: listing.items.map(entityCollaboratorView) };
    });
  }

  async getCollaborator(request: EntityCollaboratorRequest): Promise<View> {
    const id = this.id(request.entityId);
    const named = this.requireNamed(request);
    return this.session.read(async (scope) => {
      await this.live(scope, id);
      await this.requireRights(scope, id, this.kind.rights.settingsCollaborators);
      return entityCollaboratorView(await this.existingCollaborator(scope, id, named));
    });
  }

  /**
   * Makes the user or organization a collaborator holding exactly `rights` of the kind. The caller
   * must hold every right added or removed; naming an organization also needs its
   * RIGHT_ORGANIZATION_ADD_AS_COLLABORATOR; a collaborator with the kind's _ALL right remains.
   */
  async setCollaborator(request: EntityCollaboratorRequest & { rights: readonly string[] }): Promise<void> {
    const id = this.id(request.entityId);
    const named = this.requireNamed(request);
    const after = this.collaboratorRights(request.rights);
    await this.session.write(async (scope) => {
      await this.live(scope, id);
      const held = await this.requireRights(scope, id, this.kind.rights.settingsCollaborators);
      if (named.kind === 'user') await ensureUser(scope, named.id);
      else {
        await this.organizations.live(scope, named.id);
        await requireRights(scope, named.id, 'RIGHT_ORGANIZATION_ADD_AS_COLLABORATOR');
      }
      const existing = await scope.tx.getEntityCollaborator(this.kind.name, id, named.id);
      requireHeldChange(held, within(this.kind, existing?.rights ?? []), after, `${named.kind} ${named.id}`);
      await this.requireHolderRemains(scope, id, named.id, after.toArray());
      const collaboration: EntityCollaborator = {
        ...this.collaboration(id, named, after.toArray(), scope.now),
        createdAt: existing?.createdAt ?? scope.now,
      };
      await scope.tx.putEntityCollaborator(collaboration);
      await recordEvent(scope, this.collaboratorEvent(id, named, entityCollaboratorView(collaboration)));
    });
  }

  async deleteCollaborator(request: EntityCollaboratorRequest): Promise<void> {
    const id = this.id(request.entityId);
    const named = this.requireNamed(request);
    await this.session.write(async (scope) => {
      const entity = await this.live(scope, id);
      const held = await this.requireRights(scope, id, this.kind.rights.settingsCollaborators);
      const existing = await this.existingCollaborator(scope, id, named);
      requireHeldChange(held, within(this.kind, existing.rights), Rights.none, `${named.kind} ${named.id}`);
      await this.requireHolderRemains(scope, id, named.id, undefined);
      requireNotContact(this.ns, `${this.kind.name} ${id}`, entity, named);
      await scope.tx.deleteEntityCollaborator(this.kind.name, id, named.id);
      await recordEvent(scope, this.collaboratorEvent(id, named));
    });
  }

  /**
   * The effective rights of the caller, or of the collaborator named (which needs the kind's
   * SETTINGS_COLLABORATORS), on the entity, with the paths they came by.
   */
  async rights(request: EntityCollaboratorRequest): Promise<EffectiveRights> {
    const id = this.id(request.entityId);
    const named = this.namedCollaborator(request);
    return this.session.read(async (scope) => {
      await this.live(scope, id);
      if (!named) return effectiveRights(scope, this.kind, id);
      await this.requireRights(scope, id, this.kind.rights.settingsCollaborators);
      if (named.kind === 'user') {
        return effectiveRights(scope, this.kind, id, { kind: 'user', user: await existingUser(scope, named.id) });
      }
      await this.organizations.live(scope, named.id);
      return effectiveRights(scope, this.kind, id, { kind: 'organization', organizationId: named.id });
    });
  }

  /** `access`: who holds rights on the entity, by any path (ACCESS.md). Needs the kind's SETTINGS_COLLABORATORS. */
  async access(entityId: string | undefined, request: AccessRequest): Promise<Listing<Access>> {
    const id = this.id(entityId);
    const { entityAccessors, pageOfAccess } = await import('./access.js');
    return this.session.read(async (scope) => {
      await this.live(scope, id);
      await this.requireRights(scope, id, this.kind.rights.settingsCollaborators);
      return pageOfAccess(await entityAccessors(scope, this.kind, id, !request.noAdmins), request);
    });
  }

  /** Check mode of `rights`: fails with the rights missing unless every one of `needed` is held. */
  async check(request: EntityCollaboratorRequest, needed: readonly string[]): Promise<void> {
    const missing = this.collaboratorRights(needed).minus((await this.rights(request)).rights);
    if (missing.size > 0) {
      throw permissionDenied(this.ns, 'insufficient_rights', `missing ${missing.toArray().join(', ')}`);
    }
  }

  private live(scope: Scope, id: string): Promise<Entity> {
    return liveEntity(scope, this.kind, id);
  }

  /** Fails with permission_denied unless the caller's effective rights include every one of `needed`. */
  private async requireRights(scope: Scope, id: string, ...needed: string[]): Promise<Rights> {
    const { rights } = await effectiveRights(scope, this.kind, id);
    const missing = Rights.of(needed).minus(rights);
    if (missing.size > 0) {
      throw permissionDenied(
        'auth',
        'insufficient_rights',
        `the caller lacks ${missing.toArray().join(', ')} on ${this.kind.name} ${id}`,
      );
    }
    return rights;
  }

  /** Fails unless the entity keeps a holder of its _ALL right once `changedId`'s rights become `rights`. */
  private async requireHolderRemains(
    scope: Scope,
    id: string,
    changedId: string,
    rights: readonly string[] | undefined,
  ): Promise<void> {
    if (!(await entityKeepsHolder(scope.tx, this.kind, id, changedId, rights))) {
      throw needsCollaborator([{ kind: this.kind.name, id }], 'give it to another collaborator first');
    }
  }

  private async existingCollaborator(scope: Scope, id: string, named: CollaboratorIds): Promise<EntityCollaborator> {
    const existing = await scope.tx.getEntityCollaborator(this.kind.name, id, named.id);
    if (!existing || existing.collaborator.kind !== named.kind) {
      if (named.kind === 'user') await existingUser(scope, named.id);
      throw notFound(
        this.ns,
        'collaborator_not_found',
        `${named.kind} ${named.id} is not a collaborator of ${this.kind.name} ${id}`,
      );
    }
    return existing;
  }

  /** A collaborator's rights: at least one, each of the kind's own group. */
  private collaboratorRights(rights: readonly string[]): Rights {
    if (rights.length === 0) {
      throw invalidArgument(this.ns, 'no_collaborator_rights', 'no rights given; give at least one --right-* flag');
    }
    const foreign = rights.filter((r) => !Rights.of([r]).inGroups([this.kind.group]).size);
    if (foreign.length > 0) {
      throw invalidArgument(this.ns, 'invalid_rights', `not ${this.kind.name} rights: ${foreign.join(', ')}`);
    }
    return Rights.of(rights);
  }

  /** The collaborator a create names, or else the caller (a user, or the organization of an API key). */
  private firstCollaborator(scope: Scope, request: CollaboratorRef): CollaboratorIds {
    const named = this.namedCollaborator(request);
    if (named) return named;
    const { caller } = scope;
    if (caller.kind === 'user') return { kind: 'user', id: caller.user.id };
    const organizationId = keyOrganization(caller);
    if (organizationId !== undefined) return { kind: 'organization', id: organizationId };
    return this.requireNamed(request);
  }

  private requireNamed(request: CollaboratorRef): CollaboratorIds {
    const named = this.namedCollaborator(request);
    if (!named) {
      throw invalidArgument(
        this.ns,
        'no_collaborator',
        'no collaborator given; name one with --user-id or --organization-id',
      );
    }
    return named;
  }

  /** `--user-id` or `--organization-id`, validated; both at once is an error. */
  private namedCollaborator(request: CollaboratorRef): CollaboratorIds | undefined {
    if (request.userId !== undefined && request.organizationId !== undefined) {
      throw invalidArgument(
        this.ns,
        'conflicting_collaborators',
        'give either --user-id or --organization-id, not both',
      );
    }
    if (request.userId !== undefined) return { kind: 'user', id: validate.userId(request.userId) };
    if (request.organizationId !== undefined)
      return { kind: 'organization', id: validate.organizationId(request.organizationId) };
    return undefined;
  }

  /** `<kind>.collaborator.update` with the collaborator as printed, or `.delete`. */
  private collaboratorEvent(id: string, named: CollaboratorIds, printed?: Record<string, unknown>) {
    const on: Identifier = { kind: this.kind.name, id };
    return collaboratorEvent(on, named, this.kind.rights.settingsCollaborators, printed);
  }

  private collaboration(
    entityId: string,
    collaborator: CollaboratorIds,
    rights: string[],
    now: number,
  ): EntityCollaborator {
    return { entityKind: this.kind.name, entityId, collaborator, rights, createdAt: now, updatedAt: now };
  }

  private id(entityId: string | undefined): string {
    return validate.entityId(this.kind.name, entityId);
  }

  private notFound(id: string) {
    return entityNotFound(this.kind, id);
  }
}

const entityNotFound = ({ namespace, name }: EntityKind, id: string) =>
  notFound(namespace, `${name}_not_found`, `${name} ${id} not found`);

/** The entity, unless it does not exist or is deleted (then it is not found). */
export async function liveEntity(scope: Scope, kind: EntityKind, id: string): Promise<Entity> {
  const entity = await scope.tx.getEntity(kind.name, id);
  if (!entity || entity.deletedAt !== undefined) throw entityNotFound(kind, id);
  return entity;
}
