/** The SQLite store: one file, WAL, one transaction per command, statements prepared once. */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { internal, OrgsError } from '../core/errors.js';
import { identifierKey, type StoredEvent } from '../core/events.js';
import type { EntityKindName } from '../core/kinds.js';
import type {
  AccountKind,
  ApiKey,
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
  SearchFilters,
  SortDirection,
  Store,
  Transaction,
  UserQuery,
} from '../core/store.js';
import { fold, FOLD_FUNCTION, registerFold } from './fold.js';
import { checkOwnership, migrate, SCHEMA_VERSION } from './schema.js';
import { storeError } from './errors.js';
import { ensureRegularFile } from './files.js';

const BUSY_TIMEOUT_MS = 5000;
/** The addon's path, given directly: better-sqlite3's own search for it costs start-up time. */
const NATIVE_BINDING = createRequire(import.meta.url).resolve('better-sqlite3/build/Release/better_sqlite3.node');
const BUSY_RETRIES = 5;

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
}

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
  organization_id: string;
  name: string | null;
  rights: string;
  secret_hash: string;
  created_at: number;
  updated_at: number;
  expires_at: number | null;
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
  organizationId: row.organization_id,
  name: row.name ?? undefined,
  rights: JSON.parse(row.rights),
  secretHash: row.secret_hash,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
  expiresAt: row.expires_at ?? undefined,
});

const apiKeyParams = (k: ApiKey) => ({
  id: k.id,
  organization_id: k.organizationId,
  name: k.name ?? null,
  rights: JSON.stringify(k.rights),
  secret_hash: k.secretHash,
  created_at: k.createdAt,
  updated_at: k.updatedAt,
  expires_at: k.expiresAt ?? null,
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

/** Searches this long (folded, in characters) or longer are answered by the trigram index. */
const INDEXED_LENGTH = 3;

interface EventRow {
  seq: number;
  unique_id: string;
  name: string;
  time: number;
  body: string;
}

/** What an event row keeps in its body: all but the columns it is read by. */
type EventBody = Omit<StoredEvent, 'seq' | 'uniqueId' | 'name' | 'time'>;

const toEvent = (row: EventRow): StoredEvent => ({
  ...(JSON.parse(row.body) as EventBody),
  seq: row.seq,
  uniqueId: row.unique_id,
  name: row.name,
  time: row.time,
});

type SearchIndex = 'organizations_search' | 'entities_search';

/** A table with a trigram index of its folded ID, name and description. */
interface Searchable {
  alias: string;
  index: string;
}
const ORGANIZATIONS: Searchable = { alias: 'o', index: 'organizations_search' };
const ENTITIES: Searchable = { alias: 'e', index: 'entities_search' };

/**
 * The WHERE terms of substring filters over a searchable table, their parameters pushed in the
 * order of their `?`. A filter matches where the folded column contains the folded text
 * (src/core/fold.ts): through the trigram index, which holds folded text, from three characters
 * on, by a scan below that. With `readable` (an SQL condition that pushes its own parameters),
 * the description and attributes are searched only where it holds; the ID and name always.
 */
function filterTerms(
  { alias, index }: Searchable,
  filters: SearchFilters,
  params: unknown[],
  readable?: () => string,
): string[] {
  const terms: string[] = [];
  const onlyReadable = (condition: () => string) => (readable ? `(${readable()} AND ${condition()})` : condition());
  const contains = (columns: readonly string[], folded: string) => () => {
    if ([...folded].length >= INDEXED_LENGTH) {
      params.push(`{${columns.join(' ')}} : "${folded.replaceAll('"', '""')}"`);
      return `${alias}.pk IN (SELECT rowid FROM ${index} WHERE ${index} MATCH ?)`;
    }
    params.push(...columns.map(() => folded));
    return `(${columns.map((c) => `instr(${FOLD_FUNCTION}(${alias}.${c}), ?) > 0`).join(' OR ')})`;
  };
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
    terms.push(
      onlyReadable(() => {
        params.push(key, fold(value));
        return `EXISTS (SELECT 1 FROM json_each(${alias}.attributes) AS a WHERE a.key = ? AND instr(${FOLD_FUNCTION}(a.value), ?) > 0)`;
      }),
    );
  }
  return terms;
}

/** An ORDER BY over `column`, the ID breaking ties so that pages never overlap. */
function orderBy(alias: string, column: string, direction: SortDirection): string {
  const dir = direction === 'desc' ? 'DESC' : 'ASC';
  return column === 'id' ? `${alias}.id ${dir}` : `${alias}.${column} ${dir}, ${alias}.id ${dir}`;
}

/**
 * The SQL of an organization listing; tests read its query plan. For a member (`readableWith`),
 * whether each organization is readable comes from the member's own membership, in the same query.
 */
export function organizationListing(query: OrganizationQuery): { sql: string; params: unknown[] } {
  const params: unknown[] = [];
  let readable: (() => string) | undefined;
  if (query.readableWith !== undefined) {
    if (query.memberOf === undefined) throw internal('store', 'readable_without_member', 'readableWith needs memberOf');
    const rights = JSON.stringify(query.readableWith);
    readable = () => {
      params.push(rights);
      return 'EXISTS (SELECT 1 FROM json_each(m.rights) AS r WHERE r.value IN (SELECT value FROM json_each(?)))';
    };
  }
  let sql = `SELECT o.*, ${readable ? readable() : '1'} AS readable FROM organizations AS o`;
  if (query.memberOf !== undefined) {
    sql += ' JOIN memberships AS m ON m.organization_id = o.id AND m.user_id = ?';
    params.push(query.memberOf);
  }
  const where = [query.deleted ? 'o.deleted_at IS NOT NULL' : 'o.deleted_at IS NULL'];
  where.push(...filterTerms(ORGANIZATIONS, query, params, readable));
  const order = orderBy('o', ORGANIZATION_ORDER_COLUMNS[query.order.field], query.order.direction);
  sql += ` WHERE ${where.join(' AND ')} ORDER BY ${order} LIMIT ? OFFSET ?`;
  params.push(query.limit, query.offset);
  return { sql, params };
}

/**
 * The SQL of an entity listing. Who may read what of each entity depends on effective rights,
 * which reach through organizations: the core narrows the result down (src/core/entities.ts).
 */
export function entityListing(query: EntityQuery): { sql: string; params: unknown[] } {
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
  where.push(...filterTerms(ENTITIES, query, params));
  const order = orderBy('e', ENTITY_ORDER_COLUMNS[query.order.field], query.order.direction);
  params.push(query.limit, query.offset);
  return {
    sql: `SELECT e.* FROM entities AS e WHERE ${where.join(' AND ')} ORDER BY ${order} LIMIT ? OFFSET ?`,
    params,
  };
}

class SqliteTransaction implements Transaction {
  private readonly statements = new Map<string, Database.Statement>();

  constructor(private readonly db: Database.Database) {}

  /** Each distinct SQL text is prepared once per process. */
  private stmt(sql: string): Database.Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  async accountKind(id: string): Promise<AccountKind | undefined> {
    return this.stmt('SELECT kind FROM accounts WHERE id = ?').pluck().get(id) as AccountKind | undefined;
  }

  async getOrganization(id: string): Promise<Organization | undefined> {
    const row = this.stmt('SELECT * FROM organizations WHERE id = ?').get(id) as OrganizationRow | undefined;
    return row && toOrganization(row);
  }

  /** Indexes a record's folded ID, name and description under its row's pk (see migrations.ts). */
  private index(index: SearchIndex, pk: number | bigint, record: { id: string; name?: string; description?: string }) {
    const folded = (text: string | undefined) => (text === undefined ? null : fold(text));
    this.stmt(`INSERT INTO ${index} (rowid, id, name, description) VALUES (?, ?, ?, ?)`).run(
      pk,
      fold(record.id),
      folded(record.name),
      folded(record.description),
    );
  }

  private unindex(index: SearchIndex, pk: number | bigint | undefined): void {
    if (pk !== undefined) this.stmt(`DELETE FROM ${index} WHERE rowid = ?`).run(pk);
  }

  async insertOrganization(organization: Organization): Promise<void> {
    this.stmt(`INSERT INTO accounts (id, kind) VALUES (?, 'organization')`).run(organization.id);
    const { lastInsertRowid } = this.stmt(
      `INSERT INTO organizations (id, name, description, attributes, fanout_notifications, created_at, updated_at, deleted_at)
       VALUES (:id, :name, :description, :attributes, :fanout_notifications, :created_at, :updated_at, :deleted_at)`,
    ).run(organizationParams(organization));
    this.index('organizations_search', lastInsertRowid, organization);
  }

  async updateOrganization(organization: Organization): Promise<void> {
    const pk = this.stmt(
      `UPDATE organizations SET name = :name, description = :description, attributes = :attributes,
         fanout_notifications = :fanout_notifications, created_at = :created_at, updated_at = :updated_at,
         deleted_at = :deleted_at
       WHERE id = :id RETURNING pk`,
    )
      .pluck()
      .get(organizationParams(organization)) as number | undefined;
    if (pk === undefined) return;
    this.unindex('organizations_search', pk);
    this.index('organizations_search', pk, organization);
  }

  async purgeOrganization(id: string): Promise<void> {
    this.unindex(
      'organizations_search',
      this.stmt('SELECT pk FROM organizations WHERE id = ?').pluck().get(id) as number,
    );
    this.stmt(`DELETE FROM accounts WHERE id = ? AND kind = 'organization'`).run(id);
  }

  async listOrganizations(query: OrganizationQuery): Promise<ListedOrganization[]> {
    const { sql, params } = organizationListing(query);
    const rows = this.stmt(sql).all(...params) as Array<OrganizationRow & { readable: number }>;
    return rows.map((row) => ({ ...toOrganization(row), readable: row.readable === 1 }));
  }

  async getUser(id: string): Promise<User | undefined> {
    const row = this.stmt('SELECT * FROM users WHERE id = ?').get(id) as UserRow | undefined;
    return row && toUser(row);
  }

  async insertUser(user: User): Promise<void> {
    this.stmt(`INSERT INTO accounts (id, kind) VALUES (?, 'user')`).run(user.id);
    this.stmt(`INSERT INTO users (id, name, admin, created_at, updated_at) VALUES (?, ?, ?, ?, ?)`).run(
      user.id,
      user.name ?? null,
      user.admin ? 1 : 0,
      user.createdAt,
      user.updatedAt,
    );
  }

  async updateUser(user: User): Promise<void> {
    this.stmt('UPDATE users SET name = ?, admin = ?, updated_at = ? WHERE id = ?').run(
      user.name ?? null,
      user.admin ? 1 : 0,
      user.updatedAt,
      user.id,
    );
  }

  async deleteUser(id: string): Promise<void> {
    this.stmt(`DELETE FROM accounts WHERE id = ? AND kind = 'user'`).run(id);
  }

  async listUsers(query: UserQuery): Promise<User[]> {
    const rows = this.stmt('SELECT * FROM users ORDER BY id LIMIT ? OFFSET ?').all(
      query.limit,
      query.offset,
    ) as UserRow[];
    return rows.map(toUser);
  }

  async getMembership(organizationId: string, userId: string): Promise<Membership | undefined> {
    const row = this.stmt('SELECT * FROM memberships WHERE organization_id = ? AND user_id = ?').get(
      organizationId,
      userId,
    ) as MembershipRow | undefined;
    return row && toMembership(row);
  }

  async listMemberships(organizationId: string): Promise<Membership[]> {
    const rows = this.stmt('SELECT * FROM memberships WHERE organization_id = ? ORDER BY user_id').all(
      organizationId,
    ) as MembershipRow[];
    return rows.map(toMembership);
  }

  async listUserMemberships(userId: string): Promise<Membership[]> {
    const rows = this.stmt('SELECT * FROM memberships WHERE user_id = ? ORDER BY organization_id').all(
      userId,
    ) as MembershipRow[];
    return rows.map(toMembership);
  }

  async putMembership(m: Membership): Promise<void> {
    this.stmt(
      `INSERT INTO memberships (organization_id, user_id, rights, created_at, updated_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (organization_id, user_id) DO UPDATE SET rights = excluded.rights, updated_at = excluded.updated_at`,
    ).run(m.organizationId, m.userId, JSON.stringify(m.rights), m.createdAt, m.updatedAt);
  }

  async deleteMembership(organizationId: string, userId: string): Promise<void> {
    this.stmt('DELETE FROM memberships WHERE organization_id = ? AND user_id = ?').run(organizationId, userId);
  }

  async getApiKey(id: string): Promise<ApiKey | undefined> {
    const row = this.stmt('SELECT * FROM api_keys WHERE id = ?').get(id) as ApiKeyRow | undefined;
    return row && toApiKey(row);
  }

  async listApiKeys(query: ApiKeyQuery): Promise<ApiKey[]> {
    const order = orderBy('k', API_KEY_ORDER_COLUMNS[query.order.field], query.order.direction);
    const rows = this.stmt(
      `SELECT * FROM api_keys AS k WHERE organization_id = ? ORDER BY ${order} LIMIT ? OFFSET ?`,
    ).all(query.organizationId, query.limit, query.offset) as ApiKeyRow[];
    return rows.map(toApiKey);
  }

  async insertApiKey(key: ApiKey): Promise<void> {
    this.stmt(
      `INSERT INTO api_keys (id, organization_id, name, rights, secret_hash, created_at, updated_at, expires_at)
       VALUES (:id, :organization_id, :name, :rights, :secret_hash, :created_at, :updated_at, :expires_at)`,
    ).run(apiKeyParams(key));
  }

  async updateApiKey(key: ApiKey): Promise<void> {
    this.stmt(
      `UPDATE api_keys SET name = :name, rights = :rights, updated_at = :updated_at, expires_at = :expires_at
       WHERE id = :id`,
    ).run(apiKeyParams(key));
  }

  async deleteApiKey(id: string): Promise<void> {
    this.stmt('DELETE FROM api_keys WHERE id = ?').run(id);
  }

  async getEntity(kind: EntityKindName, id: string): Promise<Entity | undefined> {
    const row = this.stmt('SELECT * FROM entities WHERE kind = ? AND id = ?').get(kind, id) as EntityRow | undefined;
    return row && toEntity(row);
  }

  async insertEntity(entity: Entity): Promise<void> {
    const { lastInsertRowid } = this.stmt(
      `INSERT INTO entities (kind, id, name, description, attributes, created_at, updated_at, deleted_at)
       VALUES (:kind, :id, :name, :description, :attributes, :created_at, :updated_at, :deleted_at)`,
    ).run(entityParams(entity));
    this.index('entities_search', lastInsertRowid, entity);
  }

  async updateEntity(entity: Entity): Promise<void> {
    const pk = this.stmt(
      `UPDATE entities SET name = :name, description = :description, attributes = :attributes,
         updated_at = :updated_at, deleted_at = :deleted_at
       WHERE kind = :kind AND id = :id RETURNING pk`,
    )
      .pluck()
      .get(entityParams(entity)) as number | undefined;
    if (pk === undefined) return;
    this.unindex('entities_search', pk);
    this.index('entities_search', pk, entity);
  }

  async purgeEntity(kind: EntityKindName, id: string): Promise<void> {
    const pk = this.stmt('DELETE FROM entities WHERE kind = ? AND id = ? RETURNING pk').pluck().get(kind, id);
    this.unindex('entities_search', pk as number | undefined);
  }

  async listEntities(query: EntityQuery): Promise<Entity[]> {
    const { sql, params } = entityListing(query);
    return (this.stmt(sql).all(...params) as EntityRow[]).map(toEntity);
  }

  async getEntityCollaborator(
    kind: EntityKindName,
    entityId: string,
    accountId: string,
  ): Promise<EntityCollaborator | undefined> {
    const row = this.stmt(`${ENTITY_COLLABORATOR_SELECT} WHERE e.kind = ? AND e.id = ? AND c.account_id = ?`).get(
      kind,
      entityId,
      accountId,
    ) as EntityCollaboratorRow | undefined;
    return row && toEntityCollaborator(row);
  }

  async listEntityCollaborators(kind: EntityKindName, entityId: string): Promise<EntityCollaborator[]> {
    const rows = this.stmt(`${ENTITY_COLLABORATOR_SELECT} WHERE e.kind = ? AND e.id = ? ORDER BY c.account_id`).all(
      kind,
      entityId,
    ) as EntityCollaboratorRow[];
    return rows.map(toEntityCollaborator);
  }

  async putEntityCollaborator(c: EntityCollaborator): Promise<void> {
    this.stmt(
      `INSERT INTO entity_collaborators (entity_pk, account_id, rights, created_at, updated_at)
       SELECT pk, ?, ?, ?, ? FROM entities WHERE kind = ? AND id = ?
       ON CONFLICT (entity_pk, account_id) DO UPDATE SET rights = excluded.rights, updated_at = excluded.updated_at`,
    ).run(c.collaborator.id, JSON.stringify(c.rights), c.createdAt, c.updatedAt, c.entityKind, c.entityId);
  }

  async deleteEntityCollaborator(kind: EntityKindName, entityId: string, accountId: string): Promise<void> {
    this.stmt(
      `DELETE FROM entity_collaborators
       WHERE entity_pk = (SELECT pk FROM entities WHERE kind = ? AND id = ?) AND account_id = ?`,
    ).run(kind, entityId, accountId);
  }

  async rightsSources(
    kind: EntityKindName,
    entityIds: readonly string[],
    userId: string,
  ): Promise<Map<string, RightsSources>> {
    // One indexed read per path: the entities' collaborator rows, and the user's memberships of the
    // organizations among them (live ones only: a deleted organization grants nothing).
    const rows = this.stmt(
      `SELECT e.id AS entity_id, c.account_id, c.rights AS entity_rights, m.rights AS member_rights
       FROM entities AS e
       JOIN entity_collaborators AS c ON c.entity_pk = e.pk
       LEFT JOIN memberships AS m ON m.organization_id = c.account_id AND m.user_id = :user
       LEFT JOIN organizations AS o ON o.id = m.organization_id
       WHERE e.kind = :kind AND e.id IN (SELECT value FROM json_each(:ids))
         AND (c.account_id = :user OR (m.user_id IS NOT NULL AND o.deleted_at IS NULL))
       ORDER BY e.id, c.account_id`,
    ).all({ kind, user: userId, ids: JSON.stringify(entityIds) }) as Array<{
      entity_id: string;
      account_id: string;
      entity_rights: string;
      member_rights: string | null;
    }>;
    const sources = new Map<string, RightsSources>(entityIds.map((id) => [id, { organizations: [] }]));
    for (const row of rows) {
      const source = sources.get(row.entity_id)!;
      if (row.member_rights === null) source.direct = JSON.parse(row.entity_rights);
      else
        source.organizations.push({
          organizationId: row.account_id,
          memberRights: JSON.parse(row.member_rights),
          organizationRights: JSON.parse(row.entity_rights),
        });
    }
    return sources;
  }

  async insertEvent(event: StoredEvent): Promise<void> {
    const { seq: _seq, uniqueId, name, time, ...rest } = event;
    const body: EventBody = rest;
    const { lastInsertRowid } = this.stmt('INSERT INTO events (unique_id, name, time, body) VALUES (?, ?, ?, ?)').run(
      uniqueId,
      name,
      time,
      JSON.stringify(body),
    );
    const identify = this.stmt('INSERT OR IGNORE INTO event_identifiers (identifier, seq) VALUES (?, ?)');
    for (const identifier of event.identifiers) identify.run(identifierKey(identifier), lastInsertRowid);
  }

  async lastEventId(): Promise<string | undefined> {
    return this.stmt('SELECT unique_id FROM events ORDER BY seq DESC LIMIT 1').pluck().get() as string | undefined;
  }

  async listEvents(query: EventQuery): Promise<StoredEvent[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (condition: string, value: unknown) => {
      where.push(condition);
      params.push(value);
    };
    if (query.identifiers !== undefined) {
      add(
        'e.seq IN (SELECT seq FROM event_identifiers WHERE identifier IN (SELECT value FROM json_each(?)))',
        JSON.stringify(query.identifiers),
      );
    }
    if (query.names !== undefined) add('e.name IN (SELECT value FROM json_each(?))', JSON.stringify(query.names));
    if (query.since !== undefined) add('e.time >= ?', query.since);
    if (query.afterSeq !== undefined) add('e.seq > ?', query.afterSeq);
    if (query.beforeSeq !== undefined) add('e.seq < ?', query.beforeSeq);
    const sql = `SELECT * FROM events AS e ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY e.seq ${query.newestFirst ? 'DESC' : 'ASC'} LIMIT ?`;
    return (this.stmt(sql).all(...params, query.limit) as EventRow[]).map(toEvent);
  }

  async pruneEvents(before: number): Promise<number> {
    this.stmt('DELETE FROM event_identifiers WHERE seq IN (SELECT seq FROM events WHERE time < ?)').run(before);
    return this.stmt('DELETE FROM events WHERE time < ?').run(before).changes;
  }
}

export class SqliteStore implements Store {
  private readonly tx: SqliteTransaction;

  constructor(
    private readonly db: Database.Database,
    readonly path: string,
  ) {
    this.tx = new SqliteTransaction(db);
  }

  read<T>(work: (tx: Transaction) => Promise<T>): Promise<T> {
    return this.transaction('BEGIN DEFERRED', work);
  }

  write<T>(work: (tx: Transaction) => Promise<T>): Promise<T> {
    // IMMEDIATE takes the write lock up front, so a transaction never fails half-way on a lock.
    return this.transaction('BEGIN IMMEDIATE', work);
  }

  private async transaction<T>(begin: string, work: (tx: Transaction) => Promise<T>): Promise<T> {
    if (this.db.inTransaction) throw internal('store', 'nested_transaction', 'transactions cannot be nested');
    await withBusyRetry(() => this.db.exec(begin), this.path);
    try {
      const result = await work(this.tx);
      this.db.exec('COMMIT');
      return result;
    } catch (error) {
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
      // SQLite's own failures are told in the user's terms; the work's errors pass through as they are.
      throw error instanceof Database.SqliteError ? storeError(error, this.path) : error;
    }
  }

  /** A consistent copy through SQLite's online backup, safe while other processes write. */
  async backup(destination: string): Promise<void> {
    try {
      await this.db.backup(destination);
    } catch (error) {
      throw storeError(error, destination);
    }
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}

/**
 * Runs `step`, retrying a few times when SQLite still answers busy after its own busy timeout
 * (many writers at once on a slow disk); any other failure is reported at once.
 */
async function withBusyRetry<T>(step: () => T, path: string): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return step();
    } catch (error) {
      if (error instanceof OrgsError) throw error;
      const busy = (error as { code?: string }).code?.startsWith('SQLITE_BUSY');
      if (!busy || attempt >= BUSY_RETRIES) throw storeError(error, path);
      await sleep(50 * attempt + Math.random() * 50);
    }
  }
}

/**
 * The store at `path` for reading only, if there is one of ours: never created, migrated or
 * written, and nothing left beside it (shell completion peeks at IDs this way).
 */
export async function peekSqliteStore(path: string): Promise<SqliteStore | undefined> {
  if (!existsSync(path)) return undefined;
  // A store in use has its -wal beside it: join it read-only, creating nothing. Without one, a
  // read-only connection would leave an empty -wal and -shm behind, while a writable one that
  // cannot write (query_only) removes them on close and leaves the store exactly as it was.
  const inUse = existsSync(`${path}-wal`);
  const db = new Database(path, { readonly: inUse, fileMustExist: true, timeout: 1000, nativeBinding: NATIVE_BINDING });
  try {
    registerFold(db);
    if (!inUse) db.pragma('query_only = ON');
    checkOwnership(db, path);
    if ((db.pragma('user_version', { simple: true }) as number) !== SCHEMA_VERSION) throw new Error('not migrated');
    return new SqliteStore(db, path);
  } catch {
    db.close();
    return undefined;
  }
}

/** Opens the store at `path`, creating it (and its folders, mode 0600) on first use. */
export async function openSqliteStore(path: string): Promise<SqliteStore> {
  let db: Database.Database | undefined;
  try {
    // Create the file ourselves so it gets mode 0600 (SQLite gives the WAL the same mode), and
    // so that a device or pipe is refused before SQLite opens it.
    ensureRegularFile(path, 'store');
    const opened = new Database(path, { nativeBinding: NATIVE_BINDING });
    db = opened;
    registerFold(opened);
    opened.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    // Nothing is written before the file is known to be ours.
    await withBusyRetry(() => checkOwnership(opened, path), path);
    await withBusyRetry(() => opened.pragma('journal_mode = WAL'), path);
    opened.pragma('synchronous = FULL');
    await withBusyRetry(() => migrate(opened, path), path);
    opened.pragma('foreign_keys = ON');
    return new SqliteStore(opened, path);
  } catch (error) {
    db?.close();
    throw error instanceof OrgsError ? error : storeError(error, path);
  }
}
