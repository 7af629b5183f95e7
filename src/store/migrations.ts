/**
 * The schema, as numbered migrations, each written for SQLite and PostgreSQL side by side: the
 * two have the same tables and columns at every version (src/store/sql.ts runs one SQL text on
 * both), so a new migration is written for both at once. SQLite's `PRAGMA user_version`, and the
 * comment on PostgreSQL's `orgs` schema, hold the number of the last one applied, so a store made
 * by any version of orgs opens with every later one. Never edit a migration that has shipped: add
 * the next one.
 */
export const APPLICATION_ID = 0x6f726773; // "orgs": tells our files from other programs' databases

/**
 * The trigram index of a table's folded ID, name and description (`<table>_search`), filled from
 * the table. The store keeps it in step with every write (src/store/sqlite.ts), not triggers: an
 * FTS5 insert made by a trigger costs SQLite about three times one made directly. Contentless: a
 * row is deleted by rowid, whatever its text was folded to when indexed. The text of migrations 3
 * and 4, which must stay as it is: change the index in a new migration.
 */
function foldedSearchIndex(table: string): string {
  const index = `${table}_search`;
  return `CREATE VIRTUAL TABLE ${index} USING fts5 (
    id, name, description, content = '', contentless_delete = 1, tokenize = 'trigram case_sensitive 1'
  );
  INSERT INTO ${index} (rowid, id, name, description)
    SELECT pk, orgs_fold(id), orgs_fold(name), orgs_fold(description) FROM ${table};`;
}

/**
 * PostgreSQL's search index of a table: its folded ID, name, description and attributes under the
 * row's pk (`rowid`, as SQLite's FTS5 calls it), with a pg_trgm GIN index per searched column.
 */
function trigramIndex(table: string): string {
  const index = `${table}_search`;
  return `CREATE TABLE ${index} (
    rowid       BIGINT PRIMARY KEY,
    id          TEXT NOT NULL,
    name        TEXT,
    description TEXT,
    attributes  JSONB NOT NULL
  );
  CREATE INDEX ${index}_id ON ${index} USING gin (id gin_trgm_ops);
  CREATE INDEX ${index}_name ON ${index} USING gin (name gin_trgm_ops);
  CREATE INDEX ${index}_description ON ${index} USING gin (description gin_trgm_ops);`;
}

/** Migration 6's `lives`, from the events that begin and end records (the text of migration 6). */
const LIVES_FROM_TRAIL = `INSERT INTO lives (identifier, since_seq)
    SELECT i.identifier, max(CASE WHEN e.name LIKE '%.create' THEN e.seq ELSE e.seq + 1 END)
    FROM events AS e JOIN event_identifiers AS i ON i.seq = e.seq
    WHERE e.name IN ('user.create', 'user.delete', 'organization.create', 'organization.purge',
      'application.create', 'application.purge', 'gateway.create', 'gateway.purge', 'client.create', 'client.purge')
    GROUP BY i.identifier;`;

export interface Migration {
  sqlite: string;
  postgres: string;
}

export const MIGRATIONS: readonly Migration[] = [
  // 1: accounts (the shared ID namespace of users and organizations), users, organizations,
  // memberships and API keys. Purging an account cascades to everything hanging off it.
  {
    sqlite: `
  CREATE TABLE accounts (
    id   TEXT PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('user', 'organization'))
  ) WITHOUT ROWID;

  CREATE TABLE users (
    id         TEXT PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
    name       TEXT,
    admin      INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  ) WITHOUT ROWID;

  CREATE TABLE organizations (
    id                   TEXT PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
    name                 TEXT,
    description          TEXT,
    attributes           TEXT,
    fanout_notifications INTEGER NOT NULL DEFAULT 0,
    created_at           INTEGER NOT NULL,
    updated_at           INTEGER NOT NULL,
    deleted_at           INTEGER
  );
  CREATE INDEX organizations_by_name ON organizations (name, id);
  CREATE INDEX organizations_by_created_at ON organizations (created_at, id);

  CREATE TABLE memberships (
    organization_id TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    user_id         TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    rights          TEXT NOT NULL,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    PRIMARY KEY (organization_id, user_id)
  ) WITHOUT ROWID;
  CREATE INDEX memberships_by_user ON memberships (user_id, organization_id);

  CREATE TABLE api_keys (
    id              TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    name            TEXT,
    rights          TEXT NOT NULL,
    secret_hash     TEXT NOT NULL,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    expires_at      INTEGER
  ) WITHOUT ROWID;
  CREATE INDEX api_keys_by_organization ON api_keys (organization_id);
  `,
    // Text in byte order ("C"), and NULLs first ascending as on SQLite, so that both list alike;
    // times are milliseconds (BIGINT), booleans 0 or 1, rights and attributes JSON text, as on SQLite.
    postgres: `
  CREATE TABLE accounts (
    id   TEXT COLLATE "C" PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('user', 'organization'))
  );

  CREATE TABLE users (
    id         TEXT COLLATE "C" PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
    name       TEXT,
    admin      INTEGER NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
  );

  CREATE TABLE organizations (
    id                   TEXT COLLATE "C" PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
    name                 TEXT COLLATE "C",
    description          TEXT,
    attributes           TEXT,
    fanout_notifications INTEGER NOT NULL DEFAULT 0,
    created_at           BIGINT NOT NULL,
    updated_at           BIGINT NOT NULL,
    deleted_at           BIGINT
  );
  CREATE INDEX organizations_by_name ON organizations (name NULLS FIRST, id);
  CREATE INDEX organizations_by_created_at ON organizations (created_at, id);

  CREATE TABLE memberships (
    organization_id TEXT COLLATE "C" NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    user_id         TEXT COLLATE "C" NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    rights          TEXT NOT NULL,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL,
    PRIMARY KEY (organization_id, user_id)
  );
  CREATE INDEX memberships_by_user ON memberships (user_id, organization_id);

  CREATE TABLE api_keys (
    id              TEXT COLLATE "C" PRIMARY KEY,
    organization_id TEXT COLLATE "C" NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    name            TEXT COLLATE "C",
    rights          TEXT NOT NULL,
    secret_hash     TEXT NOT NULL,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL,
    expires_at      BIGINT
  );
  CREATE INDEX api_keys_by_organization ON api_keys (organization_id);
  `,
  },

  // 2: substring search through an FTS5 trigram index. The index refers to organizations by an
  // INTEGER PRIMARY KEY, which VACUUM never renumbers, so the table is rebuilt around one
  // (foreign keys are off while migrating; see schema.ts). On PostgreSQL, pg_trgm's GIN indexes
  // over a table of the same shape, which the store fills as SQLite's (src/store/sql.ts), with the
  // folded attributes too (PostgreSQL has no orgs_fold to fold them when searching).
  {
    sqlite: `
  CREATE TABLE organizations_new (
    pk                   INTEGER PRIMARY KEY,
    id                   TEXT NOT NULL UNIQUE REFERENCES accounts (id) ON DELETE CASCADE,
    name                 TEXT,
    description          TEXT,
    attributes           TEXT,
    fanout_notifications INTEGER NOT NULL DEFAULT 0,
    created_at           INTEGER NOT NULL,
    updated_at           INTEGER NOT NULL,
    deleted_at           INTEGER
  );
  INSERT INTO organizations_new (id, name, description, attributes, fanout_notifications, created_at, updated_at, deleted_at)
    SELECT id, name, description, attributes, fanout_notifications, created_at, updated_at, deleted_at
    FROM organizations ORDER BY created_at, id;
  DROP TABLE organizations;
  ALTER TABLE organizations_new RENAME TO organizations;
  CREATE INDEX organizations_by_name ON organizations (name, id);
  CREATE INDEX organizations_by_created_at ON organizations (created_at, id);

  CREATE VIRTUAL TABLE organizations_search USING fts5 (
    id, name, description, content = 'organizations', content_rowid = 'pk', tokenize = 'trigram'
  );
  INSERT INTO organizations_search (organizations_search) VALUES ('rebuild');
  CREATE TRIGGER organizations_search_insert AFTER INSERT ON organizations BEGIN
    INSERT INTO organizations_search (rowid, id, name, description) VALUES (new.pk, new.id, new.name, new.description);
  END;
  CREATE TRIGGER organizations_search_delete AFTER DELETE ON organizations BEGIN
    INSERT INTO organizations_search (organizations_search, rowid, id, name, description)
      VALUES ('delete', old.pk, old.id, old.name, old.description);
  END;
  CREATE TRIGGER organizations_search_update AFTER UPDATE OF id, name, description ON organizations BEGIN
    INSERT INTO organizations_search (organizations_search, rowid, id, name, description)
      VALUES ('delete', old.pk, old.id, old.name, old.description);
    INSERT INTO organizations_search (rowid, id, name, description) VALUES (new.pk, new.id, new.name, new.description);
  END;
  `,
    postgres: `
  CREATE EXTENSION IF NOT EXISTS pg_trgm;
  ALTER TABLE organizations ADD COLUMN pk BIGINT GENERATED BY DEFAULT AS IDENTITY UNIQUE;
  ${trigramIndex('organizations')}
  `,
  },

  // 3: the trigram index holds text folded by orgs_fold (src/core/fold.ts), the function the
  // short searches use too, so that both agree for every length and script; FTS5's own folding
  // (ASCII for LIKE, its own tables for trigrams) is off. Contentless: a row is deleted by rowid,
  // whatever its text was folded to when indexed. PostgreSQL's index held folded text from 2 on.
  {
    sqlite: `
  DROP TRIGGER organizations_search_insert;
  DROP TRIGGER organizations_search_delete;
  DROP TRIGGER organizations_search_update;
  DROP TABLE organizations_search;
  ${foldedSearchIndex('organizations')}
  `,
    postgres: '',
  },

  // 4: applications, gateways and clients in one table (their kinds differ in names only), with
  // their own trigram index of folded text, as in 3, and their collaborators: users or
  // organizations, both accounts, so purging or deleting either cascades to its collaborations.
  // The second index serves "what does this account collaborate on" (listing, and the
  // effective-rights paths through organizations).
  {
    sqlite: `
  CREATE TABLE entities (
    pk          INTEGER PRIMARY KEY,
    kind        TEXT NOT NULL CHECK (kind IN ('application', 'gateway', 'client')),
    id          TEXT NOT NULL,
    name        TEXT,
    description TEXT,
    attributes  TEXT,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    deleted_at  INTEGER,
    UNIQUE (kind, id)
  );
  CREATE INDEX entities_by_name ON entities (kind, name, id);
  CREATE INDEX entities_by_created_at ON entities (kind, created_at, id);

  ${foldedSearchIndex('entities')}

  CREATE TABLE entity_collaborators (
    entity_pk  INTEGER NOT NULL REFERENCES entities (pk) ON DELETE CASCADE,
    account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    rights     TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (entity_pk, account_id)
  ) WITHOUT ROWID;
  CREATE INDEX entity_collaborators_by_account ON entity_collaborators (account_id, entity_pk);
  `,
    postgres: `
  CREATE TABLE entities (
    pk          BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    kind        TEXT NOT NULL CHECK (kind IN ('application', 'gateway', 'client')),
    id          TEXT COLLATE "C" NOT NULL,
    name        TEXT COLLATE "C",
    description TEXT,
    attributes  TEXT,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    deleted_at  BIGINT,
    UNIQUE (kind, id)
  );
  CREATE INDEX entities_by_name ON entities (kind, name NULLS FIRST, id);
  CREATE INDEX entities_by_created_at ON entities (kind, created_at, id);

  ${trigramIndex('entities')}

  CREATE TABLE entity_collaborators (
    entity_pk  BIGINT NOT NULL REFERENCES entities (pk) ON DELETE CASCADE,
    account_id TEXT COLLATE "C" NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    rights     TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (entity_pk, account_id)
  );
  CREATE INDEX entity_collaborators_by_account ON entity_collaborators (account_id, entity_pk);
  `,
  },

  // 5: the audit trail. An event is one compact row (its JSON body beside the columns it is
  // read by) and one row per identifier, so that the events of an organization, user or entity
  // are an index range whatever the number of events; `seq` is the order of commits. On
  // PostgreSQL, `event_order` keeps the newest unique ID's prefix beyond any snapshot (dialect.ts).
  {
    sqlite: `
  CREATE TABLE events (
    seq       INTEGER PRIMARY KEY,
    unique_id TEXT NOT NULL,
    name      TEXT NOT NULL,
    time      INTEGER NOT NULL,
    body      TEXT NOT NULL
  );
  CREATE INDEX events_by_time ON events (time);
  CREATE TABLE event_identifiers (
    identifier TEXT NOT NULL,
    seq        INTEGER NOT NULL,
    PRIMARY KEY (identifier, seq)
  ) WITHOUT ROWID;
  `,
    postgres: `
  CREATE TABLE events (
    seq       BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    unique_id TEXT NOT NULL,
    name      TEXT COLLATE "C" NOT NULL,
    time      BIGINT NOT NULL,
    body      TEXT NOT NULL
  );
  CREATE INDEX events_by_time ON events (time);
  CREATE TABLE event_identifiers (
    identifier TEXT COLLATE "C" NOT NULL,
    seq        BIGINT NOT NULL,
    PRIMARY KEY (identifier, seq)
  );
  CREATE SEQUENCE event_order MINVALUE 0;
  `,
  },

  // 6: a record's life. A purge (or a user's deletion) frees an ID that a new record can take,
  // while the trail keeps the former record's events under the same identifier: `lives` holds,
  // per identifier, the seq of its newest record's creation event (`<kind>.create`, written with
  // that event), so that a record's own events are those from there on. Filled from the trail:
  // the newest creation, or past the newest end (purge, user deletion) where that was pruned.
  {
    sqlite: `
  CREATE TABLE lives (
    identifier TEXT PRIMARY KEY,
    since_seq  INTEGER NOT NULL
  ) WITHOUT ROWID;
  ${LIVES_FROM_TRAIL}
  `,
    postgres: `
  CREATE TABLE lives (
    identifier TEXT COLLATE "C" PRIMARY KEY,
    since_seq  BIGINT NOT NULL
  );
  ${LIVES_FROM_TRAIL}
  `,
  },

  // 7: when each API key last authenticated, to the hour (ACCESS.md, review's api_key_unused);
  // NULL for a key never used since.
  {
    sqlite: `ALTER TABLE api_keys ADD COLUMN last_used_at INTEGER;`,
    postgres: `ALTER TABLE api_keys ADD COLUMN last_used_at BIGINT;`,
  },

  // 8: the administrative and technical contacts of organizations and entities (API.md), each
  // `user:<id>` or `organization:<id>`; NULL for records made before, which had none.
  {
    sqlite: `
  ALTER TABLE organizations ADD COLUMN administrative_contact TEXT;
  ALTER TABLE organizations ADD COLUMN technical_contact TEXT;
  ALTER TABLE entities ADD COLUMN administrative_contact TEXT;
  ALTER TABLE entities ADD COLUMN technical_contact TEXT;
  `,
    postgres: `
  ALTER TABLE organizations ADD COLUMN administrative_contact TEXT COLLATE "C";
  ALTER TABLE organizations ADD COLUMN technical_contact TEXT COLLATE "C";
  ALTER TABLE entities ADD COLUMN administrative_contact TEXT COLLATE "C";
  ALTER TABLE entities ADD COLUMN technical_contact TEXT COLLATE "C";
  `,
  },

  // 9: API keys of users, applications and gateways besides organizations (API.md): a key names
  // its owner by kind and ID. No foreign key can follow an owner of several tables, so the store
  // deletes an owner's keys with it (SQLite rebuilds the table to drop its foreign key).
  {
    sqlite: `
  CREATE TABLE api_keys_of_owners (
    id           TEXT PRIMARY KEY,
    owner_kind   TEXT NOT NULL CHECK (owner_kind IN ('user', 'organization', 'application', 'gateway')),
    owner_id     TEXT NOT NULL,
    name         TEXT,
    rights       TEXT NOT NULL,
    secret_hash  TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    expires_at   INTEGER,
    last_used_at INTEGER
  ) WITHOUT ROWID;
  INSERT INTO api_keys_of_owners
    SELECT id, 'organization', organization_id, name, rights, secret_hash, created_at, updated_at, expires_at, last_used_at
    FROM api_keys;
  DROP TABLE api_keys;
  ALTER TABLE api_keys_of_owners RENAME TO api_keys;
  CREATE INDEX api_keys_by_owner ON api_keys (owner_kind, owner_id);
  `,
    postgres: `
  ALTER TABLE api_keys DROP CONSTRAINT api_keys_organization_id_fkey;
  ALTER TABLE api_keys RENAME COLUMN organization_id TO owner_id;
  ALTER TABLE api_keys ADD COLUMN owner_kind TEXT COLLATE "C" NOT NULL DEFAULT 'organization'
    CHECK (owner_kind IN ('user', 'organization', 'application', 'gateway'));
  ALTER TABLE api_keys ALTER COLUMN owner_kind DROP DEFAULT;
  DROP INDEX api_keys_by_organization;
  CREATE INDEX api_keys_by_owner ON api_keys (owner_kind, owner_id);
  `,
  },
];

/** The version of a store with every migration applied, on either engine. */
export const SCHEMA_VERSION = MIGRATIONS.length;
