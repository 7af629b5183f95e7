/** The SQLite store: one file, WAL, one transaction per command, statements prepared once. */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { internal, OrgsError } from '../core/errors.js';
import type { Store, Transaction } from '../core/store.js';
import { type Executor, type Insert, SQLITE, valuesSql } from './dialect.js';
import { registerFold } from './fold.js';
import { RECORD_API_KEY_USE, SqlTransaction } from './sql.js';
import { SCHEMA_VERSION } from './migrations.js';
import { checkOwnership, migrate } from './schema.js';
import { storeError } from './errors.js';
import { ensureRegularFile } from './files.js';

const BUSY_TIMEOUT_MS = 5000;
/** The addon's path, given directly: better-sqlite3's own search for it costs start-up time. */
const NATIVE_BINDING = createRequire(import.meta.url).resolve('better-sqlite3/build/Release/better_sqlite3.node');
const BUSY_RETRIES = 5;
/** How often --follow looks for new events: well within the second it promises. */
const FOLLOW_INTERVAL_MS = 250;

/**
 * Rows in chunks of few sizes (CHUNK, then the remainder's powers of two), so that a statement
 * of each size is prepared once, however many rows come: 100 rows are 32 + 32 + 32 + 4.
 */
function* chunksOf<T>(rows: readonly T[]): Generator<T[]> {
  let start = 0;
  for (; rows.length - start >= CHUNK; start += CHUNK) yield rows.slice(start, start + CHUNK);
  for (let size = CHUNK >> 1; size > 0; size >>= 1) {
    if (rows.length - start >= size) {
      yield rows.slice(start, start + size);
      start += size;
    }
  }
}
/** Rows per statement of a multi-row insert on SQLite: larger ones were measured no faster, and cost memory. */
const CHUNK = 32;

/** better-sqlite3 behind the Executor of src/store/sql.ts: each distinct SQL text prepared once. */
class SqliteExecutor implements Executor {
  private readonly statements = new Map<string, Database.Statement>();
  /** An insert's multi-row statements, by its SQL and then their number of rows. */
  private readonly multiRow = new Map<string, Database.Statement[]>();

  constructor(private readonly db: Database.Database) {}

  /** Runs a statement now (a PRAGMA of the store's own), prepared once. */
  runNow(sql: string): void {
    this.stmt(sql).run();
  }

  private stmt(sql: string): Database.Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  async all<T>(sql: string, params: readonly unknown[]): Promise<T[]> {
    return this.stmt(sql).all(...params) as T[];
  }

  async get<T>(sql: string, params: readonly unknown[]): Promise<T | undefined> {
    return this.stmt(sql).get(...params) as T | undefined;
  }

  async run(sql: string, params: readonly unknown[]): Promise<number> {
    return this.stmt(sql).run(...params).changes;
  }

  async write(sql: string, params: readonly unknown[]): Promise<void> {
    this.stmt(sql).run(...params);
  }

  async insert({ sql }: Insert, params: readonly unknown[]): Promise<void> {
    this.stmt(sql).run(...params);
  }

  /** Multi-row statements of a few sizes (chunksOf), where the insert is one of VALUES; else row by row. */
  async insertAll({ table, sql, values }: Insert, rows: readonly (readonly unknown[])[]): Promise<void> {
    if (!values || values.rows !== 1) {
      const statement = this.stmt(sql);
      for (const params of rows) statement.run(...params);
      return;
    }
    let sizes = this.multiRow.get(sql);
    if (!sizes) this.multiRow.set(sql, (sizes = []));
    for (const chunk of chunksOf(rows)) {
      const statement = (sizes[chunk.length] ??= this.stmt(valuesSql(table, values, chunk.length)));
      statement.run(...chunk.flat());
    }
  }
}

export class SqliteStore implements Store {
  readonly executor: SqliteExecutor;

  constructor(
    private readonly db: Database.Database,
    readonly path: string,
  ) {
    this.executor = new SqliteExecutor(db);
  }

  /** How the store is named to the user. */
  get location(): string {
    return this.path;
  }

  /** A snapshot for reading, and only reading: a write in it fails, as on PostgreSQL (READ ONLY). */
  async read<T>(work: (tx: Transaction) => Promise<T>): Promise<T> {
    if (this.db.inTransaction) throw internal('store', 'nested_transaction', 'transactions cannot be nested');
    // Prepared once (db.pragma() prepares anew each time: a tenth of a served request's work).
    this.executor.runNow('PRAGMA query_only = ON');
    try {
      return await this.transaction('BEGIN DEFERRED', work);
    } finally {
      this.executor.runNow('PRAGMA query_only = OFF');
    }
  }

  write<T>(work: (tx: Transaction) => Promise<T>): Promise<T> {
    // IMMEDIATE takes the write lock up front, so a transaction never fails half-way on a lock.
    return this.transaction('BEGIN IMMEDIATE', work);
  }

  trial<T>(work: (tx: Transaction, undo: () => Promise<Transaction>) => Promise<T>): Promise<T> {
    const undo = async () => {
      this.db.exec('ROLLBACK TO trial');
      return new SqlTransaction(this.executor, SQLITE);
    };
    return this.transaction(
      'BEGIN IMMEDIATE',
      (tx) => {
        this.db.exec('SAVEPOINT trial');
        return work(tx, undo);
      },
      'ROLLBACK',
    );
  }

  async recordApiKeyUse(id: string, hour: number): Promise<boolean> {
    if (this.db.inTransaction) throw internal('store', 'nested_transaction', 'transactions cannot be nested');
    // No busy timeout: another writer holding the lock means no record this time, not a wait.
    this.db.pragma('busy_timeout = 0');
    try {
      this.db.exec('BEGIN IMMEDIATE');
    } catch (error) {
      if ((error as { code?: string }).code?.startsWith('SQLITE_BUSY')) return false;
      throw storeError(error, this.path);
    } finally {
      this.db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    }
    try {
      const written = await this.executor.run(RECORD_API_KEY_USE, [hour, id, hour]);
      this.db.exec('COMMIT');
      return written > 0;
    } catch (error) {
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
      throw storeError(error, this.path);
    }
  }

  private async transaction<T>(
    begin: string,
    work: (tx: Transaction) => Promise<T>,
    end: 'COMMIT' | 'ROLLBACK' = 'COMMIT',
  ): Promise<T> {
    if (this.db.inTransaction) throw internal('store', 'nested_transaction', 'transactions cannot be nested');
    await withBusyRetry(() => this.db.exec(begin), this.path);
    try {
      const tx = new SqlTransaction(this.executor, SQLITE);
      const result = await work(tx);
      if (end === 'COMMIT') await tx.finish();
      this.db.exec(end);
      return result;
    } catch (error) {
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
      // SQLite's own failures are told in the user's terms; the work's errors pass through as they are.
      throw error instanceof Database.SqliteError ? storeError(error, this.path) : error;
    }
  }

  /** Nothing announces SQLite's commits: look again a little later. */
  async waitForEvents(): Promise<void> {
    await sleep(FOLLOW_INTERVAL_MS);
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
    // A statement's undo inside a transaction (its statement journal) goes to a temporary file
    // once it passes 64 KiB, as a batch's multi-row inserts do: writing those files was a tenth of
    // bulk create. In memory they cost what they hold; so do sorts past the page cache, which
    // would otherwise spill to a file. better-sqlite3 builds SQLite with a 16 MB page cache: 4 MiB
    // takes 12 MiB less where a command fills it (bulk create), at the same speed. Together, at
    // 300,000 organizations, a list's 250th page of 1,000 (a sort) takes 86 MiB, was 88.
    opened.pragma('temp_store = MEMORY');
    opened.pragma('cache_size = -4096');
    await withBusyRetry(() => migrate(opened, path), path);
    opened.pragma('foreign_keys = ON');
    return new SqliteStore(opened, path);
  } catch (error) {
    db?.close();
    throw error instanceof OrgsError ? error : storeError(error, path);
  }
}
