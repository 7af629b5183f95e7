/**
 * The one implementation of the core's Transaction, over SQL written once for SQLite and
 * PostgreSQL (their differences are the table in src/store/dialect.ts) and an Executor that runs
 * it on either engine. Both schemas have the same tables and columns (src/store/migrations.ts).
 */
import { internal } from '../core/errors.js';
import { beginsLife, identifierKey } from '../core/events.js';
import type { Identifier, StoredEvent } from '../core/model.js';
import type { EntityKindName } from '../core/kinds.js';
import type { KeyOwnerKindName } from '../core/key-owners.js';
import type {
  AccountKind,
  ApiKey,
  CollaboratorIds,
  Contacts,
  Entity,
  EntityCollaborator,
  Membership,
  Organization,
  RightsSources,
  User,
} from '../core/model.js';
import type {
  ApiKeyQuery,
  EntityQuery,
  EventQuery,
  ListedOrganization,
  OrganizationQuery,
  Page,
  SearchFilters,
  SortDirection,
  Transaction,
  UserQuery,
} from '../core/store.js';
import { type Dialect, type Executor, type Insert, insertInto, type Searchable } from './dialect.js';
import { fold } from './fold.js';

interface OrganizationRow {
  pk: number;
  id: string;
  name: string | null;
  description: string | null;
  attributes: string | null;
  fanout_notifications: number;
  created_at: number;
  updated_at: number;
  deleted_at: number | null;
  administrative_contact: string | null;
  technical_contact: string | null;
}

/** A contact's column: `user:alice`, `organization:org1` (IDs hold no colon). */
const contactText = (contact: CollaboratorIds | undefined): string | null =>
  contact ? `${contact.kind}:${contact.id}` : null;

function contactOf(text: string | null): CollaboratorIds | undefined {
  if (text === null) return undefined;
  const at = text.indexOf(':');
  return { kind: text.slice(0, at) as AccountKind, id: text.slice(at + 1) };
}

const toContacts = (row: { administrative_contact: string | null; technical_contact: string | null }): Contacts => ({
  administrativeContact: contactOf(row.administrative_contact),
  technicalContact: contactOf(row.technical_contact),
});

const contactParams = (record: Contacts) => ({
  administrative_contact: contactText(record.administrativeContact),
  technical_contact: contactText(record.technicalContact),
});

interface UserRow {
  id: string;
  name: string | null;
  admin: number;
  created_at: number;
  updated_at: number;
}

interface MembershipRow {
  organization_id: string;
  user_id: string;
  rights: string;
  created_at: number;
  updated_at: number;
}

interface ApiKeyRow {
  id: string;
  owner_kind: KeyOwnerKindName;
  owner_id: string;
  name: string | null;
  rights: string;
  secret_hash: string;
  created_at: number;
  updated_at: number;
  expires_at: number | null;
  last_used_at: number | null;
}

const toOrganization = (row: OrganizationRow): Organization => ({
  id: row.id,
  name: row.name ?? undefined,
  description: row.description ?? undefined,
  attributes: row.attributes ? JSON.parse(row.attributes) : {},
  fanoutNotifications: row.fanout_notifications === 1,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
  deletedAt: row.deleted_at ?? undefined,
  ...toContacts(row),
});

const organizationParams = (o: Organization) => ({
  id: o.id,
  name: o.name ?? null,
  description: o.description ?? null,
  attributes: Object.keys(o.attributes).length > 0 ? JSON.stringify(o.attributes) : null,
  fanout_notifications: o.fanoutNotifications ? 1 : 0,
  created_at: o.createdAt,
  updated_at: o.updatedAt,
  deleted_at: o.deletedAt ?? null,
  ...contactParams(o),
});

const toUser = (row: UserRow): User => ({
  id: row.id,
  name: row.name ?? undefined,
  admin: row.admin === 1,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

const toMembership = (row: MembershipRow): Membership => ({
  organizationId: row.organization_id,
  userId: row.user_id,
  rights: JSON.parse(row.rights),
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

const toApiKey = (row: ApiKeyRow): ApiKey => ({
  id: row.id,
  ownerKind: row.owner_kind,
  ownerId: row.owner_id,
  name: row.name ?? undefined,
  rights: JSON.parse(row.rights),
  secretHash: row.secret_hash,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
  expiresAt: row.expires_at ?? undefined,
  lastUsedAt: row.last_used_at ?? undefined,
});

const apiKeyParams = (k: ApiKey) => ({
  id: k.id,
  owner_kind: k.ownerKind,
  owner_id: k.ownerId,
  name: k.name ?? null,
  rights: JSON.stringify(k.rights),
  secret_hash: k.secretHash,
  created_at: k.createdAt,
  updated_at: k.updatedAt,
  expires_at: k.expiresAt ?? null,
  last_used_at: k.lastUsedAt ?? null,
});

interface EntityRow {
  pk: number;
  kind: EntityKindName;
  id: string;
  name: string | null;
  description: string | null;
  attributes: string | null;
  created_at: number;
  updated_at: number;
  deleted_at: number | null;
  administrative_contact: string | null;
  technical_contact: string | null;
}

interface EntityCollaboratorRow {
  kind: EntityKindName;
  entity_id: string;
  account_id: string;
  account_kind: AccountKind;
  rights: string;
  created_at: number;
  updated_at: number;
}

const toEntity = (row: EntityRow): Entity => ({
  kind: row.kind,
  id: row.id,
  name: row.name ?? undefined,
  description: row.description ?? undefined,
  attributes: row.attributes ? JSON.parse(row.attributes) : {},
  createdAt: row.created_at,
  updatedAt: row.updated_at,
  deletedAt: row.deleted_at ?? undefined,
  ...toContacts(row),
});

const entityParams = (e: Entity) => ({
  kind: e.kind,
  id: e.id,
  name: e.name ?? null,
  description: e.description ?? null,
  attributes: Object.keys(e.attributes).length > 0 ? JSON.stringify(e.attributes) : null,
  created_at: e.createdAt,
  updated_at: e.updatedAt,
  deleted_at: e.deletedAt ?? null,
  ...contactParams(e),
});

const toEntityCollaborator = (row: EntityCollaboratorRow): EntityCollaborator => ({
  entityKind: row.kind,
  entityId: row.entity_id,
  collaborator: { kind: row.account_kind, id: row.account_id },
  rights: JSON.parse(row.rights),
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

/** An entity collaborator with its entity's kind and ID and its account's kind. */
const ENTITY_COLLABORATOR_SELECT = `SELECT e.kind, e.id AS entity_id, c.account_id, a.kind AS account_kind, c.rights,
    c.created_at, c.updated_at
  FROM entities AS e JOIN entity_collaborators AS c ON c.entity_pk = e.pk JOIN accounts AS a ON a.id = c.account_id`;

const ORGANIZATION_ORDER_COLUMNS = { organization_id: 'id', name: 'name', created_at: 'created_at' } as const;
const ENTITY_ORDER_COLUMNS = { id: 'id', name: 'name', created_at: 'created_at' } as const;
const API_KEY_ORDER_COLUMNS = {
  api_key_id: 'id',
  name: 'name',
  created_at: 'created_at',
  expires_at: 'expires_at',
} as const;

/** `UPDATE table SET column = ?, … WHERE key = ? AND …`: params are the columns', then the keys'. */
function updateOf(table: string, columns: readonly string[], keys: readonly string[], suffix = ''): string {
  return `UPDATE ${table} SET ${columns.map((c) => `${c} = ?`).join(', ')} WHERE ${keys.map((k) => `${k} = ?`).join(' AND ')}${suffix}`;
}

/** An account of this kind, its ID the parameter. */
const accountInsert = (kind: AccountKind) =>
  insertInto('accounts', ['id', 'kind'], { row: `(?, '${kind}')`, refers: [] });
const ORGANIZATION_ACCOUNT_INSERT = accountInsert('organization');
const USER_ACCOUNT_INSERT = accountInsert('user');
const USER_INSERT = insertInto('users', ['id', 'name', 'admin', 'created_at', 'updated_at'], { refers: ['accounts'] });
const MEMBERSHIP_PUT = insertInto('memberships', ['organization_id', 'user_id', 'rights', 'created_at', 'updated_at'], {
  refers: ['organizations', 'users'],
  onConflict: {
    key: ['organization_id', 'user_id'],
    set: 'rights = excluded.rights, updated_at = excluded.updated_at',
  },
});
/**
 * A collaborator of the entity of a kind and ID (its first two parameters), its pk looked up.
 * Rows of collaborators of entities not there (none, as the core checks first) would fail.
 */
const ENTITY_COLLABORATOR_PUT = insertInto(
  'entity_collaborators',
  ['entity_pk', 'account_id', 'rights', 'created_at', 'updated_at'],
  {
    row: '((SELECT pk FROM entities WHERE kind = ? AND id = ?), ?, ?, ?, ?)',
    refers: ['entities', 'accounts'],
    onConflict: {
      key: ['entity_pk', 'account_id'],
      set: 'rights = excluded.rights, updated_at = excluded.updated_at',
      params: [0, 1, 2],
    },
  },
);
const ORGANIZATION_COLUMNS = Object.keys(organizationParams({ attributes: {} } as Organization));
const ORGANIZATION_INSERT = insertInto('organizations', ORGANIZATION_COLUMNS, { refers: ['accounts'] });
const ORGANIZATION_UPDATE = updateOf('organizations', ORGANIZATION_COLUMNS.slice(1), ['id'], ' RETURNING pk');
const ENTITY_INSERT = insertInto('entities', Object.keys(entityParams({ attributes: {} } as unknown as Entity)), {
  refers: [],
});
const ENTITY_UPDATED_COLUMNS = [
  'name',
  'description',
  'attributes',
  'updated_at',
  'deleted_at',
  'administrative_contact',
  'technical_contact',
] as const;
const ENTITY_UPDATE = updateOf('entities', ENTITY_UPDATED_COLUMNS, ['kind', 'id'], ' RETURNING pk');
/** An API key's last use, its ID and hour the parameters: never moved back, nor written twice for one hour. */
export const RECORD_API_KEY_USE = `UPDATE api_keys SET last_used_at = ?
  WHERE id = ? AND (last_used_at IS NULL OR last_used_at < ?)`;
const API_KEY_INSERT = insertInto('api_keys', Object.keys(apiKeyParams({ rights: [] } as unknown as ApiKey)));

interface StoredEventRow {
  seq: number;
  unique_id: string;
  name: string;
  time: number;
  body: string;
}

/** What an event row keeps in its body: all but the columns it is read by. */
type EventBody = Omit<StoredEvent, 'seq' | 'uniqueId' | 'name' | 'time'>;

/**
 * Event bodies, each the JSON of its EventBody. Where the events come from (correlation IDs,
 * origin, caller, user agent) is the same objects for all of a command's: that part is written
 * once, not once per event of a bulk create.
 */
function bodyWriter(): (event: StoredEvent) => string {
  let source: { of: StoredEvent; json: string } | undefined;
  return (event) => {
    const { identifiers, data, visibility, correlationIds, origin, caller, userAgent } = event;
    const { of } = source ?? {};
    if (
      of?.correlationIds !== correlationIds ||
      of.origin !== origin ||
      of.caller !== caller ||
      of.userAgent !== userAgent
    ) {
      source = { of: event, json: JSON.stringify({ correlationIds, origin, caller, userAgent }).slice(1) };
    }
    // The rest in EventBody's order: JSON.stringify of the whole body would give the same text.
    const about: Omit<EventBody, 'correlationIds' | 'origin' | 'caller' | 'userAgent'> =
      data === undefined ? { identifiers, visibility } : { identifiers, data, visibility };
    return `${JSON.stringify(about).slice(0, -1)},${source!.json}`;
  };
}

const toEvent = (row: StoredEventRow): StoredEvent => ({
  ...(JSON.parse(row.body) as EventBody),
  seq: row.seq,
  uniqueId: row.unique_id,
  name: row.name,
  time: row.time,
});

/** Records indexed per statement when the whole index is made anew. */
const REINDEX_ROWS = 1000;

const ORGANIZATIONS: Searchable = { table: 'organizations', alias: 'o', index: 'organizations_search' };
const ENTITIES: Searchable = { table: 'entities', alias: 'e', index: 'entities_search' };

/**
 * The WHERE terms of substring filters over a searchable table, their parameters pushed in the
 * order of their `?`. A filter matches where the folded column contains the folded text
 * (src/core/fold.ts), as the dialect finds it. With `readable` (an SQL condition that pushes its
 * own parameters), the description and attributes are searched only where it holds; the ID and
 * name always.
 */
function filterTerms(
  dialect: Dialect,
  table: Searchable,
  filters: SearchFilters,
  params: unknown[],
  readable?: () => string,
): string[] {
  const terms: string[] = [];
  const onlyReadable = (condition: () => string) => (readable ? `(${readable()} AND ${condition()})` : condition());
  const contains = (columns: readonly string[], folded: string) => () =>
    dialect.contains(table, columns, folded, params);
  /** The text in any of the public columns, or in a readable column of the others. */
  const filter = (text: string | undefined, publicColumns: readonly string[], readableColumns: readonly string[]) => {
    if (text === undefined) return;
    const folded = fold(text);
    if (!readable) {
      terms.push(contains([...publicColumns, ...readableColumns], folded)());
      return;
    }
    const alternatives: string[] = [];
    if (publicColumns.length > 0) alternatives.push(contains(publicColumns, folded)());
    if (readableColumns.length > 0) alternatives.push(onlyReadable(contains(readableColumns, folded)));
    terms.push(alternatives.length === 1 ? alternatives[0]! : `(${alternatives.join(' OR ')})`);
  };
  filter(filters.idContains, ['id'], []);
  filter(filters.nameContains, ['name'], []);
  filter(filters.descriptionContains, [], ['description']);
  filter(filters.query, ['id', 'name'], ['description']);
  for (const [key, value] of filters.attributesContain ?? []) {
    terms.push(onlyReadable(() => dialect.attributeContains(table, key, fold(value), params)));
  }
  return terms;
}

/** An ORDER BY over `column`, the ID breaking ties so that pages never overlap. */
function orderBy(dialect: Dialect, alias: string, column: string, direction: SortDirection): string {
  const dir = direction === 'desc' ? 'DESC' : 'ASC';
  if (column === 'id') return `${alias}.id ${dir}`;
  return `${alias}.${column} ${dir}${dialect.nulls(direction)}, ${alias}.id ${dir}`;
}

/** A listing's query: with a page, the page's rows; without, how many rows there are on every page. */
type Listed<Q> = Omit<Q, keyof Page> & Partial<Page>;

/** ` ORDER BY … LIMIT ? OFFSET ?` of a page, or nothing for a count. */
function pageOfListing(query: Partial<Page>, order: string, params: unknown[]): string {
  if (query.limit === undefined) return '';
  params.push(query.limit, query.offset ?? 0);
  return ` ORDER BY ${order} LIMIT ? OFFSET ?`;
}

/**
 * The SQL of an organization listing (or its count); tests read its query plan. For a member
 * (`readableWith`), whether each organization is readable comes from the member's own
 * membership, in the same query.
 */
export function organizationListing(
  dialect: Dialect,
  query: Listed<OrganizationQuery>,
): { sql: string; params: unknown[] } {
  const params: unknown[] = [];
  let readable: (() => string) | undefined;
  if (query.readableWith !== undefined) {
    if (query.memberOf === undefined) throw internal('store', 'readable_without_member', 'readableWith needs memberOf');
    const rights = JSON.stringify(query.readableWith);
    readable = () => {
      params.push(rights);
      return `EXISTS (SELECT 1 FROM ${dialect.jsonValues('m.rights', 'r')} WHERE r.value IN (SELECT value FROM ${dialect.jsonValues('?', 'w')}))`;
    };
  }
  const counted = query.limit === undefined;
  let sql = counted
    ? 'SELECT COUNT(*) AS n FROM organizations AS o'
    : `SELECT o.*, ${readable ? readable() : '1'} AS readable FROM organizations AS o`;
  if (query.memberOf !== undefined) {
    sql += ' JOIN memberships AS m ON m.organization_id = o.id AND m.user_id = ?';
    params.push(query.memberOf);
  }
  const where = [query.deleted ? 'o.deleted_at IS NOT NULL' : 'o.deleted_at IS NULL'];
  where.push(...filterTerms(dialect, ORGANIZATIONS, query, params, readable));
  const order = orderBy(dialect, 'o', ORGANIZATION_ORDER_COLUMNS[query.order.field], query.order.direction);
  sql += ` WHERE ${where.join(' AND ')}${pageOfListing(query, order, params)}`;
  return { sql, params };
}

/**
 * The SQL of an entity listing. Who may read what of each entity depends on effective rights,
 * which reach through organizations: the core narrows the result down (src/core/entities.ts).
 */
export function entityListing(dialect: Dialect, query: Listed<EntityQuery>): { sql: string; params: unknown[] } {
  const params: unknown[] = [query.kind];
  const where = ['e.kind = ?', query.deleted ? 'e.deleted_at IS NOT NULL' : 'e.deleted_at IS NULL'];
  if (query.collaborator !== undefined) {
    where.push('e.pk IN (SELECT entity_pk FROM entity_collaborators WHERE account_id = ?)');
    params.push(query.collaborator);
  }
  if (query.reachableBy !== undefined) {
    where.push(`e.pk IN (
      SELECT entity_pk FROM entity_collaborators WHERE account_id = ?
      UNION
      SELECT c.entity_pk FROM memberships AS m
        JOIN organizations AS o ON o.id = m.organization_id AND o.deleted_at IS NULL
        JOIN entity_collaborators AS c ON c.account_id = m.organization_id
      WHERE m.user_id = ?)`);
    params.push(query.reachableBy, query.reachableBy);
  }
  where.push(...filterTerms(dialect, ENTITIES, query, params));
  const order = orderBy(dialect, 'e', ENTITY_ORDER_COLUMNS[query.order.field], query.order.direction);
  const selected = query.limit === undefined ? 'COUNT(*) AS n' : 'e.*';
  return {
    sql: `SELECT ${selected} FROM entities AS e WHERE ${where.join(' AND ')}${pageOfListing(query, order, params)}`,
    params,
  };
}

/** The columns of a search index after its rowid, as searchRow gives them. */
const searchColumns = (dialect: Dialect) => [
  'id',
  'name',
  'description',
  ...(dialect.indexesAttributes ? ['attributes'] : []),
];

/** What a search index holds of a record: its folded ID, name and description (and attributes). */
function searchRow(
  dialect: Dialect,
  record: { id: string; name?: string; description?: string; attributes: Record<string, string> },
) {
  const folded = (text: string | undefined) => (text === undefined ? null : fold(text));
  const row = [fold(record.id), folded(record.name), folded(record.description)];
  if (dialect.indexesAttributes) {
    const attributes = Object.entries(record.attributes).map(([key, value]) => [key, fold(value)]);
    row.push(JSON.stringify(Object.fromEntries(attributes)));
  }
  return row;
}

/**
 * The point lookups a transaction has made (its own writes applied): rows by key, `null` for
 * known to be absent. A bulk create looks a batch's IDs up at once (prefetch…) and then asks for
 * each without a query, so that PostgreSQL can send the batch's writes together.
 */
class Lookups<T> {
  private readonly rows = new Map<string, T | null>();

  async get(key: string, load: () => Promise<T | undefined>): Promise<T | undefined> {
    const known = this.rows.get(key);
    if (known !== undefined) return known ?? undefined;
    const row = await load();
    this.rows.set(key, row ?? null);
    return row;
  }

  /** Whether the key was looked up already (found or known to be absent). */
  knows(key: string): boolean {
    return this.rows.has(key);
  }

  set(key: string, row: T | null): void {
    this.rows.set(key, row);
  }

  forget(key: string): void {
    this.rows.delete(key);
  }

  forgetAll(): void {
    this.rows.clear();
  }
}

/** A collaborator row of an entity, with the user's membership rights when the collaborator is its organization. */
interface RightsSourceRow {
  account_id: string;
  entity_rights: string;
  member_rights: string | null;
  /** Where deleted organizations are read too: whether this one is (true or 1). */
  organization_deleted?: unknown;
}

/**
 * Adds what a row grants to its sources: direct rights (no membership), or an organization's path.
 * The same few rights come back on many rows: each text is parsed once per adder (one per read).
 */
function rightsSourcesAdder(): (row: RightsSourceRow, sources: RightsSources) => void {
  const parsed = new Map<string, string[]>();
  const rights = (text: string) => {
    let found = parsed.get(text);
    if (found === undefined) parsed.set(text, (found = JSON.parse(text) as string[]));
    return found;
  };
  return (row, sources) => {
    if (row.member_rights === null) sources.direct = rights(row.entity_rights);
    else {
      const organizationId = row.account_id;
      const memberRights = rights(row.member_rights);
      const organizationRights = rights(row.entity_rights);
      // No spread of an optional part: this runs for every path of thousands of entities.
      sources.organizations.push(
        row.organization_deleted
          ? { organizationId, memberRights, organizationRights, deleted: true }
          : { organizationId, memberRights, organizationRights },
      );
    }
  };
}

/** One transaction's reads and writes; a new one for each transaction (its lookups are its own). */
export class SqlTransaction implements Transaction {
  private readonly kinds = new Lookups<AccountKind>();
  private readonly users = new Lookups<UserRow>();
  private readonly organizations = new Lookups<OrganizationRow>();
  /** Membership rows by organization and user, as a listing found them. */
  private readonly memberships = new Lookups<MembershipRow>();
  /** Collaborator rows by kind, entity and account, as an entity's listing found them. */
  private readonly collaborators = new Lookups<EntityCollaboratorRow>();
  private readonly entities = new Lookups<EntityRow>();
  /** Search rows held back (index), by their statement's SQL. */
  private readonly unindexed = new Map<string, { statement: Insert; rows: unknown[][] }>();

  constructor(
    private readonly db: Executor,
    private readonly dialect: Dialect,
  ) {}

  private async value<T>(sql: string, params: readonly unknown[]): Promise<T | undefined> {
    const row = await this.db.get<Record<string, T>>(sql, params);
    return row && Object.values(row)[0];
  }

  forgetLookups(): void {
    for (const lookups of [
      this.kinds,
      this.users,
      this.organizations,
      this.memberships,
      this.collaborators,
      this.entities,
    ]) {
      lookups.forgetAll();
    }
  }

  async accountKind(id: string): Promise<AccountKind | undefined> {
    return this.kinds.get(id, () => this.value<AccountKind>('SELECT kind FROM accounts WHERE id = ?', [id]));
  }

  async prefetchAccounts(ids: readonly string[]): Promise<void> {
    const rows = await this.db.all<{ id: string; kind: AccountKind }>(
      `SELECT id, kind FROM accounts WHERE id IN (SELECT value FROM ${this.dialect.jsonValues('?', 'i')})`,
      [JSON.stringify(ids)],
    );
    for (const id of ids) this.kinds.set(id, null);
    for (const { id, kind } of rows) this.kinds.set(id, kind);
  }

  async getOrganization(id: string): Promise<Organization | undefined> {
    const row = await this.organizations.get(id, () =>
      this.db.get<OrganizationRow>('SELECT * FROM organizations WHERE id = ?', [id]),
    );
    return row && toOrganization(row);
  }

  async prefetchOrganizations(ids: readonly string[]): Promise<void> {
    ids = ids.filter((id) => !this.organizations.knows(id));
    if (ids.length === 0) return;
    const rows = await this.db.all<OrganizationRow>(
      `SELECT * FROM organizations WHERE id IN (SELECT value FROM ${this.dialect.jsonValues('?', 'i')})`,
      [JSON.stringify(ids)],
    );
    for (const id of ids) this.organizations.set(id, null);
    for (const row of rows) this.organizations.set(row.id, row);
  }

  /**
   * Indexes records' folded text under their rows' pks (see migrations.ts), each given as SQL
   * (`?`, or a lookup of a row just inserted, so that the insert need not wait for its pk) with
   * its parameters: at once, or, where the dialect says so (SQLite's full-text index), held back
   * and written one row per statement when the transaction ends (`finish`) or before a statement
   * reads or changes the index. That index holds new rows in memory and writes them out whenever a
   * statement that may need undoing begins (a multi-row insert, an upsert), so rows written among a
   * batch's other inserts would be indexed a few at a time, each few merged again later; written
   * last, they go out once, at the commit.
   */
  private async index(
    { table, index }: Searchable,
    rowid: string,
    records: ReadonlyArray<{
      rowid: readonly unknown[];
      record: { id: string; name?: string; description?: string; attributes: Record<string, string> };
    }>,
  ): Promise<void> {
    const columns = searchColumns(this.dialect);
    const statement = insertInto(index, ['rowid', ...columns], {
      row: `(${rowid}, ${columns.map(() => '?').join(', ')})`,
      refers: [table],
    });
    const rows = records.map(({ rowid, record }) => [...rowid, ...searchRow(this.dialect, record)]);
    if (!this.dialect.indexRowsLast) return this.db.insertAll(statement, rows);
    // Without its VALUES parts, the insert goes one row per statement.
    const held = this.unindexed.get(statement.sql);
    if (held) held.rows.push(...rows);
    else this.unindexed.set(statement.sql, { statement: { table: index, sql: statement.sql }, rows });
  }

  /** Writes the search rows held back (index). */
  private async writeIndex(): Promise<void> {
    if (this.unindexed.size === 0) return;
    const held = [...this.unindexed.values()];
    this.unindexed.clear();
    for (const { statement, rows } of held) await this.db.insertAll(statement, rows);
  }

  /** What the transaction held back, written: before it commits. */
  finish(): Promise<void> {
    return this.writeIndex();
  }

  /** Takes a record's row out of the index, the held rows written first (one may be the record's). */
  private async unindex({ index }: Searchable, pk: number | undefined): Promise<void> {
    await this.writeIndex();
    if (pk !== undefined) await this.db.write(`DELETE FROM ${index} WHERE rowid = ?`, [pk]);
  }

  /** The search index of every organization and entity, anew (after rows were copied in), a chunk at a time. */
  async reindex(): Promise<void> {
    const columns = ['rowid', ...searchColumns(this.dialect)];
    for (const { table, index } of [ORGANIZATIONS, ENTITIES]) {
      for (let after = -1; ;) {
        const rows = await this.db.all<Pick<OrganizationRow, 'pk' | 'id' | 'name' | 'description' | 'attributes'>>(
          `SELECT pk, id, name, description, attributes FROM ${table} WHERE pk > ? ORDER BY pk LIMIT ${REINDEX_ROWS}`,
          [after],
        );
        if (rows.length === 0) break;
        const values = rows.flatMap((row) => [
          row.pk,
          ...searchRow(this.dialect, {
            id: row.id,
            name: row.name ?? undefined,
            description: row.description ?? undefined,
            attributes: row.attributes ? JSON.parse(row.attributes) : {},
          }),
        ]);
        await this.db.insert(insertInto(index, columns, { rows: rows.length }), values);
        after = rows[rows.length - 1]!.pk;
      }
    }
  }

  async insertOrganizations(organizations: readonly Organization[]): Promise<void> {
    for (const { id } of organizations) {
      this.kinds.set(id, 'organization');
      this.organizations.forget(id);
    }
    await this.db.insertAll(
      ORGANIZATION_ACCOUNT_INSERT,
      organizations.map(({ id }) => [id]),
    );
    await this.db.insertAll(
      ORGANIZATION_INSERT,
      organizations.map((organization) => Object.values(organizationParams(organization))),
    );
    await this.index(
      ORGANIZATIONS,
      '(SELECT pk FROM organizations WHERE id = ?)',
      organizations.map((record) => ({ rowid: [record.id], record })),
    );
  }

  async updateOrganization(organization: Organization): Promise<void> {
    this.organizations.forget(organization.id);
    const { id, ...rest } = organizationParams(organization);
    const pk = await this.value<number>(ORGANIZATION_UPDATE, [...Object.values(rest), id]);
    if (pk === undefined) return;
    await this.unindex(ORGANIZATIONS, pk);
    await this.index(ORGANIZATIONS, '?', [{ rowid: [pk], record: organization }]);
  }

  async purgeOrganization(id: string): Promise<void> {
    this.kinds.forget(id);
    this.collaborators.forgetAll(); // its collaborations and memberships go with it
    this.memberships.forgetAll();
    this.organizations.forget(id);
    await this.unindex(ORGANIZATIONS, await this.value<number>('SELECT pk FROM organizations WHERE id = ?', [id]));
    await this.db.write(`DELETE FROM accounts WHERE id = ? AND kind = 'organization'`, [id]);
    await this.deleteApiKeysOf('organization', id);
  }

  /**
   * An owner's keys go with it: keys name their owner by kind and ID, which no foreign key can
   * follow. (A client owns none: its delete finds nothing.)
   */
  private async deleteApiKeysOf(ownerKind: KeyOwnerKindName | EntityKindName, ownerId: string): Promise<void> {
    await this.db.write('DELETE FROM api_keys WHERE owner_kind = ? AND owner_id = ?', [ownerKind, ownerId]);
  }

  async listOrganizations(query: OrganizationQuery): Promise<ListedOrganization[]> {
    await this.writeIndex();
    const { sql, params } = organizationListing(this.dialect, query);
    const rows = await this.db.all<OrganizationRow & { readable: number | boolean }>(sql, params);
    for (const row of rows) this.organizations.set(row.id, row);
    return rows.map((row) => ({ ...toOrganization(row), readable: Boolean(row.readable) }));
  }

  async countOrganizations(query: Omit<OrganizationQuery, keyof Page>): Promise<number> {
    await this.writeIndex();
    return this.counted(organizationListing(this.dialect, query));
  }

  /** A count's SQL's number (PostgreSQL gives a bigint as text). */
  private async counted({ sql, params }: { sql: string; params: unknown[] }): Promise<number> {
    return Number(await this.value<number | string>(sql, params));
  }

  async getUser(id: string): Promise<User | undefined> {
    const row = await this.users.get(id, () => this.db.get<UserRow>('SELECT * FROM users WHERE id = ?', [id]));
    return row && toUser(row);
  }

  async prefetchUsers(ids: readonly string[]): Promise<void> {
    const rows = await this.db.all<UserRow>(
      `SELECT * FROM users WHERE id IN (SELECT value FROM ${this.dialect.jsonValues('?', 'i')})`,
      [JSON.stringify(ids)],
    );
    for (const id of ids) this.users.set(id, null);
    for (const row of rows) this.users.set(row.id, row);
  }

  async insertUser(user: User): Promise<void> {
    this.kinds.set(user.id, 'user');
    this.users.forget(user.id);
    await this.db.insert(USER_ACCOUNT_INSERT, [user.id]);
    await this.db.insert(USER_INSERT, [user.id, user.name ?? null, user.admin ? 1 : 0, user.createdAt, user.updatedAt]);
  }

  async updateUser(user: User): Promise<void> {
    this.users.forget(user.id);
    await this.db.write('UPDATE users SET name = ?, admin = ?, updated_at = ? WHERE id = ?', [
      user.name ?? null,
      user.admin ? 1 : 0,
      user.updatedAt,
      user.id,
    ]);
  }

  async deleteUser(id: string): Promise<void> {
    this.kinds.forget(id);
    this.collaborators.forgetAll(); // its collaborations and memberships go with it
    this.memberships.forgetAll();
    this.users.forget(id);
    await this.db.write(`DELETE FROM accounts WHERE id = ? AND kind = 'user'`, [id]);
    await this.deleteApiKeysOf('user', id);
  }

  async listUsers(query: UserQuery): Promise<User[]> {
    const rows = await this.db.all<UserRow>('SELECT * FROM users ORDER BY id LIMIT ? OFFSET ?', [
      query.limit,
      query.offset,
    ]);
    return rows.map(toUser);
  }

  async listAdministrators(): Promise<User[]> {
    return (await this.db.all<UserRow>('SELECT * FROM users WHERE admin = 1 ORDER BY id', [])).map(toUser);
  }

  async getMembership(organizationId: string, userId: string): Promise<Membership | undefined> {
    const row = await this.memberships.get(`${organizationId}:${userId}`, () =>
      this.db.get<MembershipRow>('SELECT * FROM memberships WHERE organization_id = ? AND user_id = ?', [
        organizationId,
        userId,
      ]),
    );
    return row && toMembership(row);
  }

  /** The rows listed, remembered: what each member holds is asked next (their rights). */
  private listedMemberships(rows: readonly MembershipRow[]): Membership[] {
    for (const row of rows) this.memberships.set(`${row.organization_id}:${row.user_id}`, row);
    return rows.map(toMembership);
  }

  async listMemberships(organizationId: string): Promise<Membership[]> {
    return this.listedMemberships(
      await this.db.all<MembershipRow>('SELECT * FROM memberships WHERE organization_id = ? ORDER BY user_id', [
        organizationId,
      ]),
    );
  }

  async listUserMemberships(userId: string): Promise<Membership[]> {
    return this.listedMemberships(
      await this.db.all<MembershipRow>('SELECT * FROM memberships WHERE user_id = ? ORDER BY organization_id', [
        userId,
      ]),
    );
  }

  putMembership(membership: Membership): Promise<void> {
    return this.putMemberships([membership]);
  }

  async putMemberships(memberships: readonly Membership[]): Promise<void> {
    for (const m of memberships) this.memberships.forget(`${m.organizationId}:${m.userId}`);
    await this.db.insertAll(
      MEMBERSHIP_PUT,
      memberships.map((m) => [m.organizationId, m.userId, JSON.stringify(m.rights), m.createdAt, m.updatedAt]),
    );
  }

  async deleteMembership(organizationId: string, userId: string): Promise<void> {
    this.memberships.forget(`${organizationId}:${userId}`);
    await this.db.write('DELETE FROM memberships WHERE organization_id = ? AND user_id = ?', [organizationId, userId]);
  }

  async getApiKey(id: string): Promise<ApiKey | undefined> {
    const row = await this.db.get<ApiKeyRow>('SELECT * FROM api_keys WHERE id = ?', [id]);
    return row && toApiKey(row);
  }

  async listApiKeys(query: ApiKeyQuery): Promise<ApiKey[]> {
    const order = orderBy(this.dialect, 'k', API_KEY_ORDER_COLUMNS[query.order.field], query.order.direction);
    const rows = await this.db.all<ApiKeyRow>(
      `SELECT * FROM api_keys AS k WHERE owner_kind = ? AND owner_id = ? ORDER BY ${order} LIMIT ? OFFSET ?`,
      [query.ownerKind, query.ownerId, query.limit, query.offset],
    );
    return rows.map(toApiKey);
  }

  async listApiKeysOf(ownerKind: KeyOwnerKindName, ownerIds: readonly string[]): Promise<ApiKey[]> {
    const rows = await this.db.all<ApiKeyRow>(
      `SELECT * FROM api_keys
       WHERE owner_kind = ? AND owner_id IN (SELECT value FROM ${this.dialect.jsonValues('?', 'o')})
       ORDER BY owner_id, id`,
      [ownerKind, JSON.stringify(ownerIds)],
    );
    return rows.map(toApiKey);
  }

  async insertApiKey(key: ApiKey): Promise<void> {
    await this.db.insert(API_KEY_INSERT, Object.values(apiKeyParams(key)));
  }

  async updateApiKey(key: ApiKey): Promise<void> {
    const { name, rights, updated_at, expires_at, id } = apiKeyParams(key);
    await this.db.write(updateOf('api_keys', ['name', 'rights', 'updated_at', 'expires_at'], ['id']), [
      name,
      rights,
      updated_at,
      expires_at,
      id,
    ]);
  }

  async deleteApiKey(id: string): Promise<void> {
    await this.db.write('DELETE FROM api_keys WHERE id = ?', [id]);
  }

  async getEntity(kind: EntityKindName, id: string): Promise<Entity | undefined> {
    const row = await this.entities.get(`${kind}:${id}`, () =>
      this.db.get<EntityRow>('SELECT * FROM entities WHERE kind = ? AND id = ?', [kind, id]),
    );
    return row && toEntity(row);
  }

  async prefetchEntities(kind: EntityKindName, ids: readonly string[]): Promise<void> {
    const rows = await this.db.all<EntityRow>(
      `SELECT * FROM entities WHERE kind = ? AND id IN (SELECT value FROM ${this.dialect.jsonValues('?', 'i')})`,
      [kind, JSON.stringify(ids)],
    );
    for (const id of ids) this.entities.set(`${kind}:${id}`, null);
    for (const row of rows) this.entities.set(`${kind}:${row.id}`, row);
  }

  async insertEntities(entities: readonly Entity[]): Promise<void> {
    for (const { kind, id } of entities) this.entities.forget(`${kind}:${id}`);
    await this.db.insertAll(
      ENTITY_INSERT,
      entities.map((entity) => Object.values(entityParams(entity))),
    );
    await this.index(
      ENTITIES,
      '(SELECT pk FROM entities WHERE kind = ? AND id = ?)',
      entities.map((record) => ({ rowid: [record.kind, record.id], record })),
    );
  }

  async updateEntity(entity: Entity): Promise<void> {
    this.entities.forget(`${entity.kind}:${entity.id}`);
    const p = entityParams(entity);
    const pk = await this.value<number>(ENTITY_UPDATE, [
      ...ENTITY_UPDATED_COLUMNS.map((column) => p[column]),
      p.kind,
      p.id,
    ]);
    if (pk === undefined) return;
    await this.unindex(ENTITIES, pk);
    await this.index(ENTITIES, '?', [{ rowid: [pk], record: entity }]);
  }

  async purgeEntity(kind: EntityKindName, id: string): Promise<void> {
    this.collaborators.forgetAll(); // its collaborators go with it
    this.entities.forget(`${kind}:${id}`);
    // A held search row of the entity looks its pk up: written while the entity is there.
    await this.writeIndex();
    const pk = await this.value<number>('DELETE FROM entities WHERE kind = ? AND id = ? RETURNING pk', [kind, id]);
    await this.unindex(ENTITIES, pk);
    await this.deleteApiKeysOf(kind, id);
  }

  async listEntities(query: EntityQuery): Promise<Entity[]> {
    await this.writeIndex();
    const { sql, params } = entityListing(this.dialect, query);
    return (await this.db.all<EntityRow>(sql, params)).map(toEntity);
  }

  async countEntities(query: Omit<EntityQuery, keyof Page>): Promise<number> {
    await this.writeIndex();
    return this.counted(entityListing(this.dialect, query));
  }

  async getEntityCollaborator(
    kind: EntityKindName,
    entityId: string,
    accountId: string,
  ): Promise<EntityCollaborator | undefined> {
    const row = await this.collaborators.get(`${kind}:${entityId}:${accountId}`, () =>
      this.db.get<EntityCollaboratorRow>(
        `${ENTITY_COLLABORATOR_SELECT} WHERE e.kind = ? AND e.id = ? AND c.account_id = ?`,
        [kind, entityId, accountId],
      ),
    );
    return row && toEntityCollaborator(row);
  }

  async listEntityCollaborators(kind: EntityKindName, entityId: string): Promise<EntityCollaborator[]> {
    const rows = await this.db.all<EntityCollaboratorRow>(
      `${ENTITY_COLLABORATOR_SELECT} WHERE e.kind = ? AND e.id = ? ORDER BY c.account_id`,
      [kind, entityId],
    );
    // What each collaborator holds is asked next (effective rights): it is known now.
    for (const row of rows) this.collaborators.set(`${kind}:${entityId}:${row.account_id}`, row);
    return rows.map(toEntityCollaborator);
  }

  async listAccountCollaborations(accountId: string): Promise<EntityCollaborator[]> {
    const rows = await this.db.all<EntityCollaboratorRow>(
      `${ENTITY_COLLABORATOR_SELECT} WHERE c.account_id = ? ORDER BY e.kind, e.id`,
      [accountId],
    );
    return rows.map(toEntityCollaborator);
  }

  putEntityCollaborator(collaborator: EntityCollaborator): Promise<void> {
    return this.putEntityCollaborators([collaborator]);
  }

  async putEntityCollaborators(collaborators: readonly EntityCollaborator[]): Promise<void> {
    for (const c of collaborators) this.collaborators.forget(`${c.entityKind}:${c.entityId}:${c.collaborator.id}`);
    await this.db.insertAll(
      ENTITY_COLLABORATOR_PUT,
      collaborators.map((c) => [
        c.entityKind,
        c.entityId,
        c.collaborator.id,
        JSON.stringify(c.rights),
        c.createdAt,
        c.updatedAt,
      ]),
    );
  }

  async deleteEntityCollaborator(kind: EntityKindName, entityId: string, accountId: string): Promise<void> {
    this.collaborators.forget(`${kind}:${entityId}:${accountId}`);
    await this.db.write(
      `DELETE FROM entity_collaborators
       WHERE entity_pk = (SELECT pk FROM entities WHERE kind = ? AND id = ?) AND account_id = ?`,
      [kind, entityId, accountId],
    );
  }

  async rightsSources(
    kind: EntityKindName,
    entityIds: readonly string[],
    userId: string,
  ): Promise<Map<string, RightsSources>> {
    // One indexed read per path: the entities' collaborator rows, and the user's memberships of the
    // organizations among them (live ones only: a deleted organization grants nothing).
    const rows = await this.db.all<RightsSourceRow & { entity_id: string }>(
      `SELECT e.id AS entity_id, c.account_id, c.rights AS entity_rights, m.rights AS member_rights
       FROM entities AS e
       JOIN entity_collaborators AS c ON c.entity_pk = e.pk
       LEFT JOIN memberships AS m ON m.organization_id = c.account_id AND m.user_id = ?
       LEFT JOIN organizations AS o ON o.id = m.organization_id
       WHERE e.kind = ? AND e.id IN (SELECT value FROM ${this.dialect.jsonValues('?', 'i')})
         AND (c.account_id = ? OR (m.user_id IS NOT NULL AND o.deleted_at IS NULL))
       ORDER BY e.id, c.account_id`,
      [userId, kind, JSON.stringify(entityIds), userId],
    );
    const sources = new Map<string, RightsSources>(entityIds.map((id) => [id, { organizations: [] }]));
    const add = rightsSourcesAdder();
    for (const row of rows) add(row, sources.get(row.entity_id)!);
    return sources;
  }

  async entityRightsSources(
    kind: EntityKindName,
    entityId: string,
  ): Promise<Map<string, { user: User; sources: RightsSources }>> {
    // rightsSources the other way round, in one indexed read: the entity's user collaborators, and
    // the members of the live organizations among its collaborators, each with its user row (asked
    // for next: getUser answers it without a read). A row per collaborator, with its users (itself,
    // or an organization's members) as JSON: a thousand members are a few rows, not a thousand.
    const { jsonArray, jsonRow } = this.dialect;
    const user = ['u.name', 'u.admin', 'u.created_at', 'u.updated_at'];
    const rows = await this.db.all<{ account_id: string; entity_rights: string; users: string }>(
      `SELECT c.account_id, c.rights AS entity_rights, ${jsonArray(jsonRow(['u.id', 'NULL', ...user]))} AS users
       FROM entities AS e
       JOIN entity_collaborators AS c ON c.entity_pk = e.pk
       JOIN users AS u ON u.id = c.account_id
       WHERE e.kind = ? AND e.id = ?
       GROUP BY c.account_id, c.rights
       UNION ALL
       SELECT c.account_id, c.rights AS entity_rights, ${jsonArray(jsonRow(['m.user_id', 'm.rights', ...user]))}
       FROM entities AS e
       JOIN entity_collaborators AS c ON c.entity_pk = e.pk
       JOIN organizations AS o ON o.id = c.account_id AND o.deleted_at IS NULL
       JOIN memberships AS m ON m.organization_id = c.account_id
       JOIN users AS u ON u.id = m.user_id
       WHERE e.kind = ? AND e.id = ?
       GROUP BY c.account_id, c.rights
       ORDER BY 1`,
      [kind, entityId, kind, entityId],
    );
    // By collaborator: each user's organizations come in ID order, as rightsSources gives them.
    const found = new Map<string, { user: User; sources: RightsSources }>();
    const add = rightsSourcesAdder();
    for (const { account_id, entity_rights, users } of rows) {
      // [id, member rights (none: a user collaborator), name, admin, created_at, updated_at]
      for (const u of JSON.parse(users) as Array<[string, string | null, string | null, number, number, number]>) {
        let ofUser = found.get(u[0]);
        if (ofUser === undefined) {
          const row = { id: u[0], name: u[2], admin: u[3], created_at: u[4], updated_at: u[5] };
          this.users.set(row.id, row);
          found.set(row.id, (ofUser = { user: toUser(row), sources: { organizations: [] } }));
        }
        add({ account_id, entity_rights, member_rights: u[1] }, ofUser.sources);
      }
    }
    return found;
  }

  async userRightsSources(
    userId: string,
    withDeleted = false,
  ): Promise<Map<EntityKindName, Map<string, RightsSources>>> {
    // rightsSources from the user's side, in one indexed read: its own collaborations, and those
    // of the organizations it is a member of, on entities; live ones, or every one with withDeleted.
    // Entities granted alike (kind, account, rights, deletion) come as one row with their IDs: a
    // user of 50 organizations reaching 5,000 entities is 150 rows, not 5,000 rows each with its texts.
    const every = withDeleted ? 1 : 0;
    const ids = this.dialect.jsonArray('e.id');
    const rows = await this.db.all<
      RightsSourceRow & { kind: EntityKindName; entity_ids: string; entity_deleted: unknown }
    >(
      `SELECT e.kind, c.account_id, c.rights AS entity_rights, NULL AS member_rights,
         e.deleted_at IS NOT NULL AS entity_deleted, NULL AS organization_deleted, ${ids} AS entity_ids
       FROM entity_collaborators AS c
       JOIN entities AS e ON e.pk = c.entity_pk AND (e.deleted_at IS NULL OR ? = 1)
       WHERE c.account_id = ?
       GROUP BY e.kind, c.account_id, c.rights, e.deleted_at IS NOT NULL
       UNION ALL
       SELECT e.kind, c.account_id, c.rights AS entity_rights, m.rights AS member_rights,
         e.deleted_at IS NOT NULL AS entity_deleted, o.deleted_at IS NOT NULL AS organization_deleted, ${ids}
       FROM memberships AS m
       JOIN organizations AS o ON o.id = m.organization_id AND (o.deleted_at IS NULL OR ? = 1)
       JOIN entity_collaborators AS c ON c.account_id = m.organization_id
       JOIN entities AS e ON e.pk = c.entity_pk AND (e.deleted_at IS NULL OR ? = 1)
       WHERE m.user_id = ?
       GROUP BY e.kind, c.account_id, c.rights, m.rights, e.deleted_at IS NOT NULL, o.deleted_at IS NOT NULL
       ORDER BY 1, 2`,
      [every, userId, every, every, userId],
    );
    // By kind, then account: each entity's organizations come in ID order, as rightsSources gives them.
    const sources = new Map<EntityKindName, Map<string, RightsSources>>();
    const add = rightsSourcesAdder();
    for (const row of rows) {
      let ofKind = sources.get(row.kind);
      if (ofKind === undefined) sources.set(row.kind, (ofKind = new Map()));
      for (const id of JSON.parse(row.entity_ids) as string[]) {
        let ofEntity = ofKind.get(id);
        if (ofEntity === undefined) {
          ofEntity = { organizations: [], ...(row.entity_deleted ? { entityDeleted: true as const } : {}) };
          ofKind.set(id, ofEntity);
        }
        add(row, ofEntity);
      }
    }
    return sources;
  }

  async insertEvents(events: readonly StoredEvent[]): Promise<void> {
    const bodyOf = bodyWriter();
    await this.dialect.insertEvents(
      this.db,
      events.map((event) => {
        const born = beginsLife(event);
        return {
          unique_id: event.uniqueId,
          name: event.name,
          time: event.time,
          body: bodyOf(event),
          identifiers: event.identifiers.map(identifierKey),
          begins: born && identifierKey(born),
        };
      }),
    );
  }

  async lifeOf(record: Identifier): Promise<number | undefined> {
    // Users and organizations are accounts; both tables have the kind and the ID.
    const table = record.kind === 'user' || record.kind === 'organization' ? 'accounts' : 'entities';
    const row = await this.db.get<{ since_seq: number | null }>(
      `SELECT l.since_seq FROM ${table} AS r LEFT JOIN lives AS l ON l.identifier = ? WHERE r.kind = ? AND r.id = ?`,
      [identifierKey(record), record.kind, record.id],
    );
    return row && (row.since_seq ?? 0);
  }

  async lastEventId(): Promise<string | undefined> {
    return this.dialect.lastEventId(this.db);
  }

  async listEvents(query: EventQuery): Promise<StoredEvent[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (condition: string, value: unknown) => {
      where.push(condition);
      params.push(value);
    };
    const values = (alias: string) => `SELECT value FROM ${this.dialect.jsonValues('?', alias)}`;
    if (query.identifiers !== undefined) {
      add(
        `e.seq IN (SELECT seq FROM event_identifiers WHERE identifier IN (${values('i')}))`,
        JSON.stringify(query.identifiers),
      );
    }
    if (query.names !== undefined) add(`e.name IN (${values('n')})`, JSON.stringify(query.names));
    if (query.since !== undefined) add('e.time >= ?', query.since);
    if (query.afterSeq !== undefined) add('e.seq > ?', query.afterSeq);
    if (query.beforeSeq !== undefined) add('e.seq < ?', query.beforeSeq);
    const sql = `SELECT * FROM events AS e ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY e.seq ${query.newestFirst ? 'DESC' : 'ASC'} LIMIT ?`;
    return (await this.db.all<StoredEventRow>(sql, [...params, query.limit])).map(toEvent);
  }

  async pruneEvents(before: number): Promise<number> {
    await this.db.write('DELETE FROM event_identifiers WHERE seq IN (SELECT seq FROM events WHERE time < ?)', [before]);
    return this.db.run('DELETE FROM events WHERE time < ?', [before]);
  }
}
