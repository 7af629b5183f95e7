/**
 * The store behind the core. Asynchronous on purpose: the SQLite store answers at once, a shared
 * PostgreSQL store will not, and the core must not care which one it has.
 */
import type { Identifier, StoredEvent } from './model.js';
import type { EntityKindName } from './kinds.js';
import type { KeyOwnerKindName } from './key-owners.js';
import type {
  AccountKind,
  ApiKey,
  Entity,
  EntityCollaborator,
  Membership,
  Organization,
  RightsSources,
  User,
} from './model.js';

export type SortDirection = 'asc' | 'desc';

export interface Page {
  limit: number;
  offset: number;
}

export type OrganizationOrderField = 'organization_id' | 'name' | 'created_at';

/**
 * Substring filters, all of which must match, ignoring case (Unicode-aware, the same rule for
 * every length).
 */
export interface SearchFilters {
  idContains?: string;
  nameContains?: string;
  descriptionContains?: string;
  /** Matches the ID, the name or the description. */
  query?: string;
  /** Each key must be present with a value containing the given text. */
  attributesContain?: ReadonlyArray<readonly [string, string]>;
}

export interface OrganizationQuery extends Page, SearchFilters {
  /** Deleted organizations instead of live ones. */
  deleted: boolean;
  /** Only organizations this user is a member of. */
  memberOf?: string;
  /**
   * Given with `memberOf`: the organization is readable (beyond its ID and name) only where that
   * member's stored rights include one of these; the description and attributes are searched only
   * where readable. Unset: every organization is readable.
   */
  readableWith?: readonly string[];
  order: { field: OrganizationOrderField; direction: SortDirection };
}

export type EntityOrderField = 'id' | 'name' | 'created_at';

export interface EntityQuery extends Page, SearchFilters {
  kind: EntityKindName;
  /** Deleted entities instead of live ones. */
  deleted: boolean;
  /** Only entities this user or organization collaborates on directly. */
  collaborator?: string;
  /** Only entities this user collaborates on, directly or through a live organization it is a member of. */
  reachableBy?: string;
  order: { field: EntityOrderField; direction: SortDirection };
}

/** An organization in a listing, and whether the caller may read more of it than the public fields. */
export type ListedOrganization = Organization & { readable: boolean };

export type ApiKeyOrderField = 'api_key_id' | 'name' | 'created_at' | 'expires_at';

export interface ApiKeyQuery extends Page {
  ownerKind: KeyOwnerKindName;
  ownerId: string;
  order: { field: ApiKeyOrderField; direction: SortDirection };
}

export interface UserQuery extends Page {}

/** Events in commit order (`seq`), after or before a point, oldest or newest first. */
export interface EventQuery {
  /** Identifier keys (`organization:org1`, src/core/events.ts): events with any of them. */
  identifiers?: readonly string[];
  /** Exact names. */
  names?: readonly string[];
  /** Only events at or after this time (ms). */
  since?: number;
  afterSeq?: number;
  beforeSeq?: number;
  newestFirst: boolean;
  limit: number;
}

/** Everything a command reads or writes, inside one transaction. */
export interface Transaction {
  accountKind(id: string): Promise<AccountKind | undefined>;
  /**
   * Looks these IDs up at once, so that accountKind() of each is answered without a query of its
   * own for the rest of the transaction (bulk create's batches).
   */
  prefetchAccounts(ids: readonly string[]): Promise<void>;
  /**
   * Forgets the rows the transaction's lookups remember (they are read again when asked for): a
   * read that walks the whole store (export) calls it between pages, so that its memory does not
   * grow with the store.
   */
  forgetLookups(): void;

  getOrganization(id: string): Promise<Organization | undefined>;
  /** As prefetchAccounts, for getOrganization(). */
  prefetchOrganizations(ids: readonly string[]): Promise<void>;
  /** New organizations, with their accounts and search rows, in multi-row inserts. */
  insertOrganizations(organizations: readonly Organization[]): Promise<void>;
  updateOrganization(organization: Organization): Promise<void>;
  /** Removes the organization, its memberships and API keys, and frees its ID. */
  purgeOrganization(id: string): Promise<void>;
  listOrganizations(query: OrganizationQuery): Promise<ListedOrganization[]>;
  /** How many organizations such a listing holds on all its pages (The Things Stack's X-Total-Count). */
  countOrganizations(query: Omit<OrganizationQuery, keyof Page>): Promise<number>;

  getUser(id: string): Promise<User | undefined>;
  /** As prefetchAccounts, for getUser(). */
  prefetchUsers(ids: readonly string[]): Promise<void>;
  insertUser(user: User): Promise<void>;
  updateUser(user: User): Promise<void>;
  /** Removes the user, their memberships and API keys, and frees the ID. */
  deleteUser(id: string): Promise<void>;
  listUsers(query: UserQuery): Promise<User[]>;
  /** Every user made --admin, by ID. */
  listAdministrators(): Promise<User[]>;

  getMembership(organizationId: string, userId: string): Promise<Membership | undefined>;
  /** Every membership of the organization, in user ID order. */
  listMemberships(organizationId: string): Promise<Membership[]>;
  /** Every membership of the user, in organization ID order. */
  listUserMemberships(userId: string): Promise<Membership[]>;
  /** putMemberships() of one. */
  putMembership(membership: Membership): Promise<void>;
  /** Adds or replaces each membership (a later one of the same two IDs wins), in multi-row inserts. */
  putMemberships(memberships: readonly Membership[]): Promise<void>;
  deleteMembership(organizationId: string, userId: string): Promise<void>;

  getApiKey(id: string): Promise<ApiKey | undefined>;
  listApiKeys(query: ApiKeyQuery): Promise<ApiKey[]>;
  /** Every API key of these owners of one kind, by owner, then key ID (who may reach an entity). */
  listApiKeysOf(ownerKind: KeyOwnerKindName, ownerIds: readonly string[]): Promise<ApiKey[]>;
  insertApiKey(key: ApiKey): Promise<void>;
  updateApiKey(key: ApiKey): Promise<void>;
  deleteApiKey(id: string): Promise<void>;

  getEntity(kind: EntityKindName, id: string): Promise<Entity | undefined>;
  /** As prefetchAccounts, for getEntity(). */
  prefetchEntities(kind: EntityKindName, ids: readonly string[]): Promise<void>;
  /** New entities, with their search rows, in multi-row inserts. */
  insertEntities(entities: readonly Entity[]): Promise<void>;
  updateEntity(entity: Entity): Promise<void>;
  /** Removes the entity, its collaborators and API keys, and frees its ID. */
  purgeEntity(kind: EntityKindName, id: string): Promise<void>;
  listEntities(query: EntityQuery): Promise<Entity[]>;
  /** How many entities such a listing holds on all its pages. */
  countEntities(query: Omit<EntityQuery, keyof Page>): Promise<number>;

  getEntityCollaborator(
    kind: EntityKindName,
    entityId: string,
    accountId: string,
  ): Promise<EntityCollaborator | undefined>;
  /** Every collaborator of the entity, users and organizations, in ID order. */
  listEntityCollaborators(kind: EntityKindName, entityId: string): Promise<EntityCollaborator[]>;
  /** Every collaboration of the user or organization, on entities live or deleted, by kind and ID. */
  listAccountCollaborations(accountId: string): Promise<EntityCollaborator[]>;
  /** putEntityCollaborators() of one. */
  putEntityCollaborator(collaborator: EntityCollaborator): Promise<void>;
  /** Adds or replaces each collaborator of an existing entity (a later one wins), in multi-row inserts. */
  putEntityCollaborators(collaborators: readonly EntityCollaborator[]): Promise<void>;
  deleteEntityCollaborator(kind: EntityKindName, entityId: string, accountId: string): Promise<void>;
  /**
   * What makes up a user's rights on each of these entities: direct rights, and the rights of every
   * live organization collaborating on it of which the user is a member, with the user's rights there.
   */
  rightsSources(
    kind: EntityKindName,
    entityIds: readonly string[],
    userId: string,
  ): Promise<Map<string, RightsSources>>;
  /**
   * rightsSources of every user holding one on the entity, by user ID (in no given order), with the user: its user
   * collaborators, and the members of every live organization collaborating on it (who may reach
   * it, at once). Each of those users is then known to getUser too (no read of its own).
   */
  entityRightsSources(
    kind: EntityKindName,
    entityId: string,
  ): Promise<Map<string, { user: User; sources: RightsSources }>>;
  /**
   * rightsSources of the user on every live entity it holds one on, by kind (in order; the
   * entities of a kind in no given order): its own collaborations, and those of the live
   * organizations it is a member of; with `withDeleted`, deleted entities and deleted organizations
   * too, each marked so.
   */
  userRightsSources(userId: string, withDeleted?: boolean): Promise<Map<EntityKindName, Map<string, RightsSources>>>;

  /**
   * Records the events, numbered in this order; a subject's creation (beginsLife) starts the
   * subject's life there. In few statements, however many.
   */
  insertEvents(events: readonly StoredEvent[]): Promise<void>;
  /**
   * Where the record's life begins in the trail (the seq of its creation event; 0 for a record
   * older than the trail): its events are those from there on. Undefined when no such record is.
   */
  lifeOf(record: Identifier): Promise<number | undefined>;
  /**
   * An event ID no committed event is above, sharing the newest's first 12 characters (its
   * millisecond), if any: on SQLite the newest's own, on PostgreSQL that millisecond's greatest,
   * read from a sequence no snapshot hides (src/store/dialect.ts). New IDs are made above it.
   */
  lastEventId(): Promise<string | undefined>;
  listEvents(query: EventQuery): Promise<StoredEvent[]>;
  /** Removes the events older than `before` (ms); returns how many. */
  pruneEvents(before: number): Promise<number>;
}

export interface Store {
  /** A consistent snapshot for reading. */
  read<T>(work: (tx: Transaction) => Promise<T>): Promise<T>;
  /** A write transaction: all of `work` commits, or none of it. */
  write<T>(work: (tx: Transaction) => Promise<T>): Promise<T>;
  /**
   * A write transaction that keeps nothing (--dry-run): `work` runs as in write(), every statement
   * made and checked; `undo()` takes the transaction back to where it began and gives a Transaction
   * there; at the end all of it is rolled back. As in write(), `work` may run more than once.
   */
  trial<T>(work: (tx: Transaction, undo: () => Promise<Transaction>) => Promise<T>): Promise<T>;
  /**
   * Records that the API key authenticated in the hour beginning at `hour` (ms), in a short write
   * transaction of its own, unless that hour or a later one is recorded already. It never waits
   * for another writer: while the store is locked it writes nothing. Whether it wrote.
   */
  recordApiKeyUse(id: string, hour: number): Promise<boolean>;
  /**
   * Resolves when new events may have been committed (by any process), soon enough for
   * `events --follow` to show each within a second. `work` may run more than once (a PostgreSQL
   * transaction that conflicted with another is run again), so it has no effects outside `tx`.
   */
  waitForEvents(): Promise<void>;
  close(): Promise<void>;
}
