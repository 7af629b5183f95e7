/**
 * Where SQLite and PostgreSQL differ in the SQL of src/store/sql.ts, as a table: everything else
 * (tables, columns, queries, the `?` placeholders) is written once for both.
 */
import type { SortDirection } from '../core/store.js';
import { FOLD_FUNCTION } from './fold.js';

/** A table with a search index of its folded ID, name and description (`<table>_search`, keyed by `rowid`). */
export interface Searchable {
  table: 'organizations' | 'entities';
  alias: string;
  index: 'organizations_search' | 'entities_search';
}

/**
 * A statement that only inserts, declared with what an engine may do with it besides running its
 * SQL: PostgreSQL holds inserts back and sends those of one statement together (PostgresExecutor).
 */
export interface Insert {
  /** The table it inserts into (a WITH of inserts: the first); a commit that inserted events is announced. */
  readonly table: string;
  /** The statement as every engine runs it. */
  readonly sql: string;
  /** The parts of an `INSERT INTO table (columns) VALUES …`: rows of it can join in one statement. */
  readonly values?: InsertValues;
  /**
   * The tables its rows may refer to (foreign keys, lookups): PostgreSQL's queue lets its rows
   * join rows of the same statement queued earlier only past rows of none of these (nor of its
   * own table). Unset: any table.
   */
  readonly refers?: readonly string[];
}

export interface InsertValues {
  readonly columns: readonly string[];
  /** One row's values: a parameter per column, or with SQL of its own in places (a literal, a lookup). */
  readonly row: string;
  /** Rows in one statement: one, but for chunks copied or indexed anew. */
  readonly rows: number;
  /** `ON CONFLICT …`, or nothing. */
  readonly onConflict: string;
  /**
   * Where an upsert's key is among a row's parameters: PostgreSQL updates a row once per
   * statement, so rows that share it go apart.
   */
  readonly keyParams?: readonly number[];
}

export interface InsertOptions {
  /** One row's values, when not a parameter per column. */
  row?: string;
  /** Rows in one statement. */
  rows?: number;
  /**
   * What a row whose key is taken does: nothing, or update the row there; `params`: where the
   * key is among a row's parameters, when the row is not a parameter per column.
   */
  onConflict?: 'nothing' | { key: readonly string[]; set: string; params?: readonly number[] };
  /** Insert.refers. */
  refers?: readonly string[];
}

/** `INSERT INTO table (columns) VALUES row, …` with `rows` rows. */
export function valuesSql(table: string, { columns, row, onConflict }: InsertValues, rows: number): string {
  return `INSERT INTO ${table} (${columns.join(', ')}) VALUES ${Array(rows).fill(row).join(', ')}${onConflict}`;
}

/** `INSERT INTO table (columns) VALUES (?, …)`, declared by its parts. */
export function insertInto(table: string, columns: readonly string[], options: InsertOptions = {}): Insert {
  const { row = `(${columns.map(() => '?').join(', ')})`, rows = 1, onConflict, refers } = options;
  const upsert = typeof onConflict === 'object' ? onConflict : undefined;
  const values: InsertValues = {
    columns,
    row,
    rows,
    onConflict: upsert
      ? ` ON CONFLICT (${upsert.key.join(', ')}) DO UPDATE SET ${upsert.set}`
      : onConflict === 'nothing'
        ? ' ON CONFLICT DO NOTHING'
        : '',
    keyParams: upsert && (upsert.params ?? upsert.key.map((column) => columns.indexOf(column))),
  };
  return { table, sql: valuesSql(table, values, rows), values, refers };
}

/** What the SQL needs of a connection: rows, one row, or the number of rows a change touched. */
export interface Executor {
  all<T>(sql: string, params: readonly unknown[]): Promise<T[]>;
  get<T>(sql: string, params: readonly unknown[]): Promise<T | undefined>;
  run(sql: string, params: readonly unknown[]): Promise<number>;
  /**
   * A change (an UPDATE, a DELETE) whose outcome nobody waits for: an engine may send it and go on
   * (PostgreSQL pipelines it with what follows); its failure fails the transaction all the same.
   */
  write(sql: string, params: readonly unknown[]): Promise<void>;
  /** An insert whose outcome nobody waits for, as write's; PostgreSQL may hold it back, too (Insert). */
  insert(statement: Insert, params: readonly unknown[]): Promise<void>;
  /** insert() of many rows, each its parameters, in order: as few statements as the engine takes. */
  insertAll(statement: Insert, rows: readonly (readonly unknown[])[]): Promise<void>;
}

/** An event as stored: the columns it is read by, its JSON body, and its identifiers' keys. */
export interface EventRow {
  unique_id: string;
  name: string;
  time: number;
  body: string;
  identifiers: string[];
  /** The identifier whose newest record this event creates: its life begins here (`lives`). */
  begins?: string;
}

export interface Dialect {
  readonly name: 'sqlite' | 'postgres';
  /** A FROM item of the elements of a JSON array (text), as rows of one column, `value`. */
  jsonValues(json: string, alias: string): string;
  /** An aggregate: the group's values of `expression` as a JSON array (text). */
  jsonArray(expression: string): string;
  /** A JSON array of the values of these expressions (within jsonArray: a row of the group). */
  jsonRow(expressions: readonly string[]): string;
  /**
   * The condition that a record's folded `columns` contain `folded` (text of any length), its
   * parameters pushed in the order of their `?`.
   */
  contains(table: Searchable, columns: readonly string[], folded: string, params: unknown[]): string;
  /** The condition that attribute `key` is present with a value containing `folded`. */
  attributeContains(table: Searchable, key: string, folded: string, params: unknown[]): string;
  /** Whether the search index holds the folded attributes too. */
  readonly indexesAttributes: boolean;
  /**
   * Whether the search index takes its rows last in a transaction, one statement each (SQLite's
   * full-text index: SqlTransaction.index), rather than with the records they index.
   */
  readonly indexRowsLast: boolean;
  /** Where NULLs sort in `direction`: first ascending, last descending, as SQLite does by itself. */
  nulls(direction: SortDirection): string;
  /** The unique ID of the newest event, taking whatever keeps events in commit order. */
  lastEventId(db: Executor): Promise<string | undefined>;
  /** Writes events, in order, with their identifier rows and the lives they begin (after lastEventId). */
  insertEvents(db: Executor, events: readonly EventRow[]): Promise<void>;
  /** After rows were copied in with their keys: new rows are numbered after them. */
  restartKeys(db: Executor): Promise<void>;
}

/** The event `back` events before the newest inserted (SQLite: the parameters are the identifier and `back`). */
const BEFORE_LAST = '(?, last_insert_rowid() - ?)';
/** An event's identifier, for reading events by identifier. */
const IDENTIFY_EVENT = insertInto('event_identifiers', ['identifier', 'seq'], {
  row: BEFORE_LAST,
  onConflict: 'nothing',
});
/** A record's life begins at this event: `lives` (migration 6) keeps the newest one per identifier. */
const BEGIN_LIFE = insertInto('lives', ['identifier', 'since_seq'], {
  row: BEFORE_LAST,
  onConflict: { key: ['identifier'], set: 'since_seq = excluded.since_seq' },
});

const EVENT_INSERT = insertInto('events', ['unique_id', 'name', 'time', 'body']);

/** Searches this long (folded, in characters) or longer are answered by SQLite's trigram index. */
const INDEXED_LENGTH = 3;

export const SQLITE: Dialect = {
  name: 'sqlite',
  jsonValues: (json, alias) => `json_each(${json}) AS ${alias}`,
  jsonArray: (expression) => `json_group_array(${expression})`,
  jsonRow: (expressions) => `json_array(${expressions.join(', ')})`,
  // FTS5's trigram index from three characters on; a scan of the folded columns below that.
  contains: ({ alias, index }, columns, folded, params) => {
    if ([...folded].length >= INDEXED_LENGTH) {
      params.push(`{${columns.join(' ')}} : "${folded.replaceAll('"', '""')}"`);
      return `${alias}.pk IN (SELECT rowid FROM ${index} WHERE ${index} MATCH ?)`;
    }
    params.push(...columns.map(() => folded));
    return `(${columns.map((c) => `instr(${FOLD_FUNCTION}(${alias}.${c}), ?) > 0`).join(' OR ')})`;
  },
  attributeContains: ({ alias }, key, folded, params) => {
    params.push(key, folded);
    return `EXISTS (SELECT 1 FROM json_each(${alias}.attributes) AS a WHERE a.key = ? AND instr(${FOLD_FUNCTION}(a.value), ?) > 0)`;
  },
  indexesAttributes: false,
  indexRowsLast: true,
  nulls: () => '',
  // One writer at a time (BEGIN IMMEDIATE): the newest row is the newest commit.
  lastEventId: async (db) =>
    (await db.get<{ unique_id: string }>('SELECT unique_id FROM events ORDER BY seq DESC LIMIT 1', []))?.unique_id,
  // The events, then their identifiers and lives, their seqs not read back (RETURNING made each
  // statement of events a read): SQLite numbers new rows on from the greatest seq, one by one, so
  // the last event is last_insert_rowid() and the i-th of n that less n - 1 - i; inserts into the
  // WITHOUT ROWID tables that follow leave it as it is.
  insertEvents: async (db, events) => {
    await db.insertAll(
      EVENT_INSERT,
      events.map(({ unique_id, name, time, body }) => [unique_id, name, time, body]),
    );
    const identified: unknown[][] = [];
    const born: unknown[][] = [];
    events.forEach(({ identifiers, begins }, i) => {
      const back = events.length - 1 - i;
      for (const identifier of identifiers) identified.push([identifier, back]);
      if (begins !== undefined) born.push([begins, back]);
    });
    await db.insertAll(IDENTIFY_EVENT, identified);
    await db.insertAll(BEGIN_LIFE, born);
  },
  // An INTEGER PRIMARY KEY goes on from the greatest one by itself.
  restartKeys: async () => {},
};

/** The lock that keeps PostgreSQL's events in commit order (any number; "orgsevnt"). */
const EVENT_LOCK = 0x6f726773_65766e74n;
/** A unique ID's first characters, kept in the sequence `event_order` (60 bits: 12 of base32). */
const ORDER_PREFIX = 12;
const ULID_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** A unique ID's prefix as the number `event_order` keeps. */
function orderPrefix(uniqueId: string): string {
  let prefix = 0n;
  for (const c of uniqueId.slice(0, ORDER_PREFIX)) prefix = prefix * 32n + BigInt(ULID_ALPHABET.indexOf(c));
  return prefix.toString();
}

/** `%text%` for LIKE, with LIKE's own characters (and its escape, backslash) taken literally. */
const likePattern = (text: string) => `%${text.replace(/[\\%_]/g, '\\$&')}%`;

/**
 * Events in one statement, sent without waiting: the events (a JSON array of rows, numbered in
 * their order), their identifiers, the lives they begin (the last of each identifier's), and the
 * newest ID as the order register's. The same text for every batch: the executor's queue, grouped
 * by text, keeps them in order.
 */
const RECORD_EVENTS: Insert = {
  table: 'events',
  refers: [],
  sql: `WITH given AS (
          SELECT r.*, g.n FROM jsonb_array_elements(?::jsonb) WITH ORDINALITY AS g (row, n),
            jsonb_to_record(g.row) AS r (unique_id TEXT, name TEXT, time BIGINT, body TEXT, identifiers JSONB, begins TEXT)),
        event AS (INSERT INTO events (unique_id, name, time, body)
          SELECT unique_id, name, time, body FROM given ORDER BY n RETURNING seq, unique_id),
        numbered AS (SELECT given.*, event.seq FROM given JOIN event USING (unique_id)),
        identified AS (INSERT INTO event_identifiers (identifier, seq)
          SELECT DISTINCT i.value, numbered.seq FROM numbered, jsonb_array_elements_text(numbered.identifiers) AS i (value)),
        born AS (INSERT INTO lives (identifier, since_seq)
          SELECT begins, max(seq) FROM numbered WHERE begins IS NOT NULL GROUP BY begins
          ON CONFLICT (identifier) DO UPDATE SET since_seq = excluded.since_seq)
      SELECT setval('event_order', ?::bigint)`,
};

export const POSTGRES: Dialect = {
  name: 'postgres',
  jsonValues: (json, alias) => `jsonb_array_elements_text((${json})::jsonb) AS ${alias} (value)`,
  jsonArray: (expression) => `json_agg(${expression})::text`,
  jsonRow: (expressions) => `json_build_array(${expressions.join(', ')})`,
  // pg_trgm's GIN indexes answer LIKE on the folded text (short patterns by scanning the index table).
  contains: ({ alias, index }, columns, folded, params) => {
    params.push(...columns.map(() => likePattern(folded)));
    return `${alias}.pk IN (SELECT rowid FROM ${index} WHERE ${columns.map((c) => `${c} LIKE ?`).join(' OR ')})`;
  },
  attributeContains: ({ alias, index }, key, folded, params) => {
    params.push(key, folded);
    return `EXISTS (SELECT 1 FROM ${index} AS s, jsonb_each_text(s.attributes) AS a
      WHERE s.rowid = ${alias}.pk AND a.key = ? AND strpos(a.value, ?) > 0)`;
  },
  indexesAttributes: true,
  indexRowsLast: false,
  nulls: (direction) => (direction === 'asc' ? ' NULLS FIRST' : ' NULLS LAST'),
  /**
   * Writers run side by side here, so "the newest row" of a snapshot is not the newest commit. The
   * first event of a transaction takes a lock held until it ends, so that events are numbered
   * (`seq`) in commit order, and reads the newest unique ID's prefix from a sequence, which no
   * snapshot hides; the ID returned is the greatest with that prefix, so the next is beyond it.
   */
  lastEventId: async (db) => {
    await db.get('SELECT pg_advisory_xact_lock(?)', [EVENT_LOCK.toString()]);
    const row = await db.get<{ prefix: string; is_called: boolean }>(
      'SELECT last_value::text AS prefix, is_called FROM event_order',
      [],
    );
    if (!row?.is_called) return undefined;
    let prefix = BigInt(row.prefix);
    let text = '';
    for (let i = 0; i < ORDER_PREFIX; i++, prefix >>= 5n) text = ULID_ALPHABET[Number(prefix & 31n)] + text;
    return text.padEnd(26, 'Z');
  },
  insertEvents: async (db, events) => {
    if (events.length === 0) return;
    await db.insert(RECORD_EVENTS, [JSON.stringify(events), orderPrefix(events[events.length - 1]!.unique_id)]);
  },
  restartKeys: async (db) => {
    for (const [table, column] of [
      ['organizations', 'pk'],
      ['entities', 'pk'],
      ['events', 'seq'],
    ]) {
      await db.get(
        `SELECT setval(pg_get_serial_sequence('${table}', '${column}'), greatest(max(${column}), 1), max(${column}) IS NOT NULL) FROM ${table}`,
        [],
      );
    }
    const last = await db.get<{ unique_id: string }>('SELECT unique_id FROM events ORDER BY seq DESC LIMIT 1', []);
    if (last) await db.get('SELECT setval(?, ?::bigint)', ['event_order', orderPrefix(last.unique_id)]);
  },
};
