/**
 * The registry as a file (REGISTRY.md): `export` writes what the caller sees, `apply` makes the
 * store hold what a file says, as the caller, in one transaction. `plan` is `apply` tried and
 * undone (--dry-run, src/core/dry-run.ts), so a plan and its apply cannot disagree; each step of
 * an apply is the command's own service call, with its own checks and events, inside the one
 * transaction (Session.joining).
 */
import { ApiKeyService } from '../api-keys.js';
import { CollaboratorService } from '../collaborators.js';
import { EntityService } from '../entities.js';
import { failedPrecondition, OrgsError, permissionDenied, toOrgsError } from '../errors.js';
import { KINDS, kindNamed, type EntityKind, type EntityKindName } from '../kinds.js';
import type { Entity, Organization } from '../model.js';
import { OrganizationService } from '../organizations.js';
import { CONTACTS } from '../contacts.js';
import { accountOfView } from '../views.js';
import { pages } from '../paging.js';
import { isAdministrator, keyOrganization, requireRights, type Scope, type Session } from '../session.js';
import { keyOwnerNamed } from '../key-owners.js';
import { UserService } from '../users.js';
import {
  collaboratorOf,
  entityChanges,
  entityCreator,
  inApplyOrder,
  organizationChanges,
  organizationOwner,
  userChanges,
  type Change,
  type Maker,
  type PlannedChange,
} from './changes.js';
import type { EntityRecord, OrganizationRecord, Position, RegistryDocument, UserRecord } from './document.js';
import { entityObject, jsonWriter, organizationObject, userObject, yamlWriter, type Section } from './formats.js';
import { changeSummary } from './summary.js';
import { entityRecords, normalRights, organizationRecord, userRecord } from './state.js';

export type RegistryFormat = 'yaml' | 'json' | 'ttn-lw-cli';
export const REGISTRY_FORMATS: readonly RegistryFormat[] = ['yaml', 'json', 'ttn-lw-cli'];

export interface ExportRequest {
  format?: RegistryFormat;
  /** Deleted records too, marked `deleted: true`. */
  deleted?: boolean;
  /** false: no `api_keys` lists. */
  apiKeys?: boolean;
  /** Only these records (when any filter is given). */
  organizationIds?: readonly string[];
  entityIds?: Partial<Record<EntityKindName, readonly string[]>>;
}

export interface ApplyRequest {
  document: RegistryDocument;
  /** The file's name, for errors that point into it. */
  file: string;
  prune?: boolean;
}

/** A record of the document, in its section. */
export type Exported =
  | { section: 'users'; record: UserRecord }
  | { section: 'organizations'; record: OrganizationRecord }
  | { section: Section; record: EntityRecord };

const PAGE = 250;

/** Two sequences sorted by ID, merged in ID order. */
async function* byId<T extends { id: string }>(a: AsyncGenerator<T>, b: AsyncGenerator<T>): AsyncGenerator<T> {
  let [x, y] = [await a.next(), await b.next()];
  while (!x.done || !y.done) {
    if (y.done || (!x.done && x.value.id < y.value.id)) {
      yield x.value!;
      x = await a.next();
    } else {
      yield y.value;
      y = await b.next();
    }
  }
}

async function* none<T>(): AsyncGenerator<T> {}

/** Writes in pieces of 64 KiB or more: a record per system call would cost more than the record. */
function buffered(write: (text: string) => Promise<void>) {
  let pending = '';
  return {
    async write(text: string) {
      pending += text;
      if (pending.length >= 65_536) await this.flush();
    },
    async flush() {
      const text = pending;
      pending = '';
      if (text !== '') await write(text);
    },
  };
}

export class RegistryService {
  constructor(
    private readonly session: Session,
    private readonly restoreWindowMs: number,
  ) {}

  /**
   * Writes the registry the caller may see, in one snapshot, a record at a time. The
   * administrator's whole registry streams; anything narrower (a user's, or named records) is
   * gathered first, so that its `users` can list the IDs its records name.
   */
  async export(request: ExportRequest, write: (text: string) => Promise<void>): Promise<void> {
    const out = await documentWriter(request.format ?? 'yaml', write);
    const filtered = request.organizationIds !== undefined || request.entityIds !== undefined;
    await this.session.read(async (scope) => {
      if (isAdministrator(scope.caller) && !filtered) {
        for await (const user of pages((page) => scope.tx.listUsers(page))) {
          await out.put({ section: 'users', record: userRecord(user, scope) });
        }
        for await (const exported of this.records(scope, request)) await out.put(exported);
      } else {
        const gathered: Exported[] = [];
        for await (const exported of this.records(scope, request)) gathered.push(exported);
        const users = usersNamed(gathered);
        if (isAdministrator(scope.caller)) await scope.tx.prefetchUsers(users);
        for (const id of users) {
          const user = isAdministrator(scope.caller) ? ((await scope.tx.getUser(id)) ?? id) : id;
          await out.put({ section: 'users', record: userRecord(user, scope) });
        }
        for (const exported of gathered) await out.put(exported);
      }
      await out.end();
    });
  }

  /** The organizations, then each kind's entities, the caller may see, by ID. */
  private async *records(scope: Scope, request: ExportRequest): AsyncGenerator<Exported> {
    const withDeleted = request.deleted ?? false;
    const withKeys = request.apiKeys ?? true;
    for await (const organization of this.organizations(scope, request)) {
      const record = await organizationRecord(scope, organization, withKeys);
      if (record) yield { section: 'organizations', record };
      scope.tx.forgetLookups();
    }
    for (const kind of KINDS) {
      let batch: Entity[] = [];
      const flush = async () => {
        const records = await entityRecords(scope, kind, batch, withDeleted);
        batch = [];
        scope.tx.forgetLookups();
        return records.map((record) => ({ section: kind.command as Section, record }));
      };
      for await (const entity of this.entities(scope, kind, request)) {
        batch.push(entity);
        if (batch.length === PAGE) yield* await flush();
      }
      yield* await flush();
    }
  }

  private organizations(scope: Scope, request: ExportRequest): AsyncGenerator<Organization> {
    const { caller, tx } = scope;
    const withDeleted = request.deleted ?? false;
    const live = (deleted: boolean) =>
      pages(
        (page) => tx.listOrganizations({ deleted, order: { field: 'organization_id', direction: 'asc' }, ...page }),
        PAGE,
      );
    if (request.organizationIds !== undefined || request.entityIds !== undefined) {
      return this.named(request.organizationIds ?? [], withDeleted, (id) => tx.getOrganization(id));
    }
    if (caller.kind === 'api-key') {
      // An organization's key: its organization; an application's or gateway's: none.
      const own = keyOrganization(caller);
      return this.named(own === undefined ? [] : [own], withDeleted, (id) => tx.getOrganization(id));
    }
    if (caller.kind === 'user' && !isAdministrator(caller)) {
      const memberOf = async function* () {
        for (const { organizationId } of await tx.listUserMemberships(caller.user.id)) {
          const organization = await tx.getOrganization(organizationId);
          if (organization && (withDeleted || organization.deletedAt === undefined)) yield organization;
        }
      };
      return memberOf();
    }
    return byId(live(false), withDeleted ? live(true) : none());
  }

  private entities(scope: Scope, kind: EntityKind, request: ExportRequest): AsyncGenerator<Entity> {
    const { caller, tx } = scope;
    const withDeleted = request.deleted ?? false;
    if (request.organizationIds !== undefined || request.entityIds !== undefined) {
      return this.named(request.entityIds?.[kind.name] ?? [], withDeleted, (id) => tx.getEntity(kind.name, id));
    }
    if (caller.kind === 'api-key' && caller.key.ownerKind !== 'organization') {
      // An application's or gateway's key: its own entity alone.
      const own = caller.key.ownerKind === kind.name ? [caller.key.ownerId] : [];
      return this.named(own, withDeleted, (id) => tx.getEntity(kind.name, id));
    }
    const restriction =
      caller.kind === 'user' && !isAdministrator(caller)
        ? { reachableBy: caller.user.id }
        : caller.kind === 'api-key'
          ? { collaborator: caller.key.ownerId }
          : {};
    const of = (deleted: boolean) =>
      pages(
        (page) =>
          tx.listEntities({
            kind: kind.name,
            deleted,
            order: { field: 'id', direction: 'asc' },
            ...restriction,
            ...page,
          }),
        PAGE,
      );
    return byId(of(false), withDeleted ? of(true) : none());
  }

  /** The records named, by ID, each once; deleted ones only with `withDeleted`. */
  private async *named<T extends { deletedAt?: number }>(
    ids: readonly string[],
    withDeleted: boolean,
    get: (id: string) => Promise<T | undefined>,
  ): AsyncGenerator<T> {
    for (const id of [...new Set(ids)].sort()) {
      const record = await get(id);
      if (record && (withDeleted || record.deletedAt === undefined)) yield record;
    }
  }

  /**
   * Makes the store hold what the document says, as the caller, all or nothing: the changes, in
   * apply's order, each made by its command's service in this one transaction. Returns them.
   */
  async apply(request: ApplyRequest): Promise<Change[]> {
    return this.session.write(async (scope) => {
      const planned = inApplyOrder(await this.changesIn(scope, request));
      const steps = new Steps(this.session.joining(scope), this.restoreWindowMs);
      for (const { change, at } of planned) {
        await steps.run(scope, change).catch((error: unknown) => {
          throw named(error, request.file, at, changeSummary(change).what);
        });
      }
      return planned.map(({ change }) => change);
    });
  }

  /** What the document changes, record by record, against what the caller sees of the store. */
  private async changesIn(scope: Scope, request: ApplyRequest): Promise<PlannedChange[]> {
    const { document, file } = request;
    const prune = request.prune ?? false;
    const { tx, caller } = scope;
    const keyOf = keyOrganization(caller);
    const maker: Maker = isAdministrator(caller)
      ? { kind: 'admin' }
      : keyOf !== undefined
        ? { kind: 'organization', id: keyOf }
        : { kind: 'user', id: caller.kind === 'user' ? caller.user.id : '' };
    await prefetch(scope, document);
    const planned: PlannedChange[] = [];
    const add = async (at: Position | undefined, what: string, changes: () => Promise<Change[]>) => {
      try {
        for (const change of await changes()) planned.push({ change, at });
      } catch (error) {
        throw named(error, file, at, what);
      }
    };
    for (const user of document.users) {
      await add(user.at, `user ${user.userId}`, async () => userChanges(user, await tx.getUser(user.userId)));
    }
    for (const org of document.organizations) {
      await add(org.at, `organization ${org.organizationId}`, async () => {
        const existing = await tx.getOrganization(org.organizationId);
        const current = existing && (await organizationRecord(scope, existing, true));
        if (existing) await requireVisible(scope, org, current);
        return organizationChanges(org, current, prune, () => organizationOwner(org, maker));
      });
    }
    for (const kind of KINDS) {
      for (const entity of document.entities[kind.name]) {
        await add(entity.at, `${kind.name} ${entity.entityId}`, async () => {
          const existing = await tx.getEntity(kind.name, entity.entityId);
          const current = existing && (await entityRecords(scope, kind, [existing], true))[0];
          if (existing && (!current || (entity.collaborators && !current.collaborators))) {
            const needed = current ? kind.rights.settingsCollaborators : kind.rights.info;
            throw permissionDenied(
              'auth',
              'insufficient_rights',
              `the caller lacks ${needed} on ${kind.name} ${entity.entityId}`,
            );
          }
          return entityChanges(entity, current, prune, () => entityCreator(entity, maker));
        });
      }
    }
    return planned;
  }
}

/** Looks up at once every record and account the document names: the diff and the steps then ask without a query each. */
async function prefetch({ tx }: Scope, document: RegistryDocument): Promise<void> {
  const organizations = document.organizations.map((org) => org.organizationId);
  const users = new Set(document.users.map((user) => user.userId));
  for (const org of document.organizations) for (const id of org.members?.keys() ?? []) users.add(id);
  for (const kind of KINDS) {
    const entities = document.entities[kind.name];
    for (const entity of entities) for (const id of entity.collaborators?.users?.keys() ?? []) users.add(id);
    await tx.prefetchEntities(
      kind.name,
      entities.map((entity) => entity.entityId),
    );
  }
  await tx.prefetchAccounts([...organizations, ...users]);
  await tx.prefetchOrganizations(organizations);
  await tx.prefetchUsers([...users]);
}

/** A file may speak of an organization's members and keys only where the caller may see them. */
async function requireVisible(scope: Scope, file: OrganizationRecord, current: OrganizationRecord | undefined) {
  const id = file.organizationId;
  if (!current) await requireRights(scope, id, 'RIGHT_ORGANIZATION_INFO');
  if (file.members && !current?.members) await requireRights(scope, id, 'RIGHT_ORGANIZATION_SETTINGS_MEMBERS');
  if (file.apiKeys && !current?.apiKeys) await requireRights(scope, id, 'RIGHT_ORGANIZATION_SETTINGS_API_KEYS');
}

/** Every user the records name as a member or collaborator, by ID. */
export function usersNamed(records: readonly Exported[]): string[] {
  const named = new Set<string>();
  for (const { section, record } of records) {
    const users =
      section === 'users'
        ? []
        : section === 'organizations'
          ? (record as OrganizationRecord).members?.keys()
          : (record as EntityRecord).collaborators?.users?.keys();
    for (const id of users ?? []) named.add(id);
  }
  return [...named].sort();
}

/** The error, naming the record and where the file says it. */
function named(error: unknown, file: string, at: Position | undefined, what: string): OrgsError {
  const where = at ? `${file}:${at.line}:${at.column}` : file;
  return toOrgsError(error).within(`${where}: ${what}`);
}

/**
 * Writes a document of records given in section order, in `format`, in pieces: `export`'s writer,
 * for records of the store or of a remote The Things Stack alike.
 */
export async function documentWriter(format: RegistryFormat, write: (text: string) => Promise<void>) {
  const writer = await writerFor(format);
  const out = buffered(write);
  return {
    put: (exported: Exported) => out.write(writer.record(exported.section, exported.record)),
    async end() {
      await out.write(writer.end());
      await out.flush();
    },
  };
}

async function writerFor(format: RegistryFormat): Promise<RegistryWriter> {
  if (format === 'ttn-lw-cli') {
    const { scriptWriter } = await import('./script.js');
    return scriptWriter();
  }
  const writer = format === 'json' ? jsonWriter() : yamlWriter();
  return {
    record: (section, record) => writer.record(section, fileObject(section, record)),
    end: () => writer.end(),
  };
}

/** Writes the document a record at a time (records, in section order), then `end`. */
export interface RegistryWriter {
  record(section: Section, record: UserRecord | OrganizationRecord | EntityRecord): string;
  end(): string;
}

function fileObject(section: Section, record: UserRecord | OrganizationRecord | EntityRecord) {
  if (section === 'users') return userObject(record as UserRecord);
  if (section === 'organizations') return organizationObject(record as OrganizationRecord);
  return entityObject(record as EntityRecord);
}

/**
 * The step of each change: the command's own service call, over the joined session. Holders'
 * creates skip what already holds (the collaborator a record was created for).
 */
class Steps {
  private readonly organizations: OrganizationService;
  private readonly collaborators: CollaboratorService;
  private readonly apiKeys: ApiKeyService;
  private readonly users: UserService;
  private readonly entities: Map<EntityKindName, EntityService>;

  constructor(session: Session, restoreWindowMs: number) {
    this.organizations = new OrganizationService(session, restoreWindowMs);
    this.collaborators = new CollaboratorService(session, this.organizations);
    this.apiKeys = new ApiKeyService(session, keyOwnerNamed('organization'), this.organizations);
    this.users = new UserService(session);
    this.entities = new Map(
      KINDS.map((kind) => [kind.name, new EntityService(kind, session, this.organizations, restoreWindowMs)]),
    );
  }

  async run(scope: Scope, change: Change): Promise<void> {
    const { action, ids } = change;
    const fields = (change.fields ?? {}) as Record<string, unknown>;
    switch (change.kind) {
      case 'user': {
        const input = { userId: ids.user_id, name: text(fields.name), admin: fields.admin as boolean | undefined };
        await (action === 'create' ? this.users.create(input) : this.users.update(input));
        return;
      }
      case 'organization': {
        const organizationId = ids.organization_id;
        if (action === 'delete') return this.organizations.delete(organizationId);
        if (action === 'restore') return this.organizations.restore(organizationId);
        const input = {
          organizationId,
          ...recordInput(change),
          fanoutNotifications: fields.fanout_notifications as boolean | undefined,
        };
        if (action === 'create') await this.organizations.create({ ...input, userId: collaboratorOf(change)?.id });
        else await this.organizations.update(input);
        return;
      }
      case 'member': {
        const request = { organizationId: ids.organization_id, userId: ids.user_id };
        if (action === 'delete') return this.collaborators.delete(request);
        if (holdsAlready(await scope.tx.getMembership(request.organizationId, request.userId), change)) return;
        return this.collaborators.set({ ...request, rights: change.after! });
      }
      case 'api_key': {
        const request = { ownerId: ids.organization_id, apiKeyId: ids.api_key_id };
        if (action === 'delete') return this.apiKeys.delete(request);
        if (fields.expires_at === null) {
          throw failedPrecondition('registry', 'expiry_kept', 'an API key keeps its expiry; it cannot be removed');
        }
        return this.apiKeys.update({
          ...request,
          name: text(fields.name),
          rights: fields.rights as string[] | undefined,
          expiresAt: fields.expires_at as string | undefined,
        });
      }
      case 'collaborator': {
        const kind = KINDS.find((k) => ids[k.idKey] !== undefined)!;
        const entities = this.entities.get(kind.name)!;
        const request = { entityId: ids[kind.idKey], userId: ids.user_id, organizationId: ids.organization_id };
        if (action === 'delete') return entities.deleteCollaborator(request);
        const held = await scope.tx.getEntityCollaborator(
          kind.name,
          request.entityId!,
          (ids.user_id ?? ids.organization_id)!,
        );
        if (holdsAlready(held, change)) return;
        return entities.setCollaborator({ ...request, rights: change.after! });
      }
      default: {
        const kind = kindNamed(change.kind);
        const entities = this.entities.get(kind.name)!;
        const entityId = ids[kind.idKey];
        if (action === 'delete') return entities.delete(entityId);
        if (action === 'restore') return entities.restore(entityId);
        const input = { entityId, ...recordInput(change) };
        if (action === 'create') {
          const collaborator = collaboratorOf(change)!;
          await entities.create({
            ...input,
            [collaborator.kind === 'user' ? 'userId' : 'organizationId']: collaborator.id,
          });
        } else await entities.update(input);
      }
    }
  }
}

/** Whether the holder holds what the change gives already (the collaborator its record was created for). */
const holdsAlready = (held: { rights: readonly string[] } | undefined, change: Change) =>
  held !== undefined && normalRights(held.rights).join() === change.after!.join();

/** A name or description as the services take it: null (unset) is the empty text. */
const text = (value: unknown) => (value === null ? '' : (value as string | undefined));

/** The shared fields of a create or update: attributes the file leaves out are removed (an empty value), null unsets. */
function recordInput(change: Change) {
  const fields = (change.fields ?? {}) as Record<string, unknown>;
  const before = (change.before ?? {}) as Record<string, unknown>;
  const unset = (['name', 'description', 'attributes', ...CONTACTS.map(({ field }) => field)] as const).filter(
    (field) => fields[field] === null,
  );
  const attributes = fields.attributes as Record<string, string> | null | undefined;
  const removed = Object.keys((before.attributes ?? {}) as Record<string, string>).map((key) => [key, '']);
  return {
    name: fields.name === null ? undefined : (fields.name as string | undefined),
    description: fields.description === null ? undefined : (fields.description as string | undefined),
    attributes: attributes ? { ...Object.fromEntries(removed), ...attributes } : undefined,
    administrativeContact: accountOfView(fields.administrative_contact),
    technicalContact: accountOfView(fields.technical_contact),
    unset: unset.length > 0 && change.action === 'update' ? unset : undefined,
  };
}
