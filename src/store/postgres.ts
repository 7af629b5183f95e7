/**
 * The PostgreSQL store: a team's shared registry in a schema of its own (`orgs`). The same SQL as
 * SQLite's (src/store/sql.ts, src/store/dialect.ts); every command one transaction, SERIALIZABLE
 * when it writes, re-run from the start when PostgreSQL reports that it conflicted with another.
 * Loaded only for a postgres:// URL: SQLite's start-up never pays for `pg`.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import {
  alreadyExists,
  failedPrecondition,
  internal,
  invalidArgument,
  OrgsError,
  permissionDenied,
  unavailable,
} from '../core/errors.js';
import type { Store, Transaction } from '../core/store.js';
import { type Executor, type Insert, type InsertValues, POSTGRES, valuesSql } from './dialect.js';
import { damagedDatabase } from './errors.js';
import { readPostgresUrl, redactUrl } from './location.js';
import { MIGRATIONS, SCHEMA_VERSION } from './migrations.js';
import { RECORD_API_KEY_USE, SqlTransaction } from './sql.js';

export const SCHEMA = 'orgs';
/** The comment that marks the `orgs` schema as ours, with its version. */
const schemaComment = (version: number) => `orgs schema ${version}`;
const SCHEMA_COMMENT = /^orgs schema (\d+)$/;
/** Taken while migrating, so that two processes meeting an old schema upgrade it once. */
const MIGRATION_LOCK = 0x6f726773; // "orgs"
/** Where events are announced, for `orgs events --follow`. */
const EVENTS_CHANNEL = 'orgs_events';
/** How long --follow sleeps when no notification comes (a safety net: NOTIFY wakes it first). */
const FOLLOW_FALLBACK_MS = 2000;
/**
 * A transaction that conflicts with others (serialization failures, deadlocks) is run again after
 * a pause that grows (with jitter, so that rivals spread out) up to this, for as long as the
 * command may wait for a lock (connect-timeout).
 */
const MAX_PAUSE_MS = 250;

// node-postgres's deprecation notices (its own reading of ~/.pgpass, which STORES.md promises, is
// one) are addressed to orgs' developers, not to whoever runs orgs: they never reach the terminal.
process.noDeprecation = true;

// Times, keys and counts are BIGINT: milliseconds and row numbers, well within a JS number.
pg.types.setTypeParser(pg.types.builtins.INT8, Number);

const sqlState = (error: unknown) => (error as { code?: string })?.code ?? '';

/** SQLSTATEs of a transaction that lost to a concurrent one; run again, it sees the winner. */
const CONFLICTS = new Set(['40001', '40P01', '23505']);

/** SQLSTATE of a lock that could not be had within lock_timeout. */
const LOCK_NOT_AVAILABLE = '55P03';

const isConflict = (error: unknown) => CONFLICTS.has(sqlState(error));

/** SQLSTATEs of an object orgs made that is not there: a table, column, function or type dropped by hand. */
const MISSING_OBJECT = new Set(['42P01', '42703', '42883', '42704']);
/** SQLSTATEs of an object a migration makes that is there already. */
const DUPLICATE_OBJECT = new Set(['42P06', '42P07', '42701', '42710', '42723']);

/** PostgreSQL's and the connection's failures, told in the user's terms, the password never shown. */
export function postgresError(error: unknown, url: string): OrgsError {
  if (error instanceof OrgsError) return error;
  const code = sqlState(error);
  const message = error instanceof Error ? error.message : String(error);
  const where = redactUrl(url);
  if (MISSING_OBJECT.has(code)) {
    return damagedDatabase(where, `its schema "${SCHEMA}" lacks what orgs made in it (${message})`);
  }
  if (code === LOCK_NOT_AVAILABLE || code === '57014') {
    return unavailable(
      'store',
      'unavailable',
      `${where}: gave up waiting for a lock held by another connection (${message})`,
    );
  }
  // Serialization failures and deadlocks that outlasted every retry; a unique key violated by
  // orgs itself (which checks first) would be a bug, reported below as one.
  if (code === '40001' || code === '40P01') {
    return unavailable('store', 'unavailable', `${where}: kept conflicting with other writers; try again`);
  }
  if (code === '42501') {
    return permissionDenied('store', 'store_not_writable', `${where}: permission denied (${message})`);
  }
  // node-postgres's query_timeout (see answerWithinMs): the connection is cut, the outcome unknown.
  if (message === 'Query read timeout') {
    return unavailable('store', 'unavailable', `${where}: the server stopped answering in the middle of the command`);
  }
  // No SQLSTATE (the socket), connection exceptions (08), authentication (28), no such database
  // (3D000), the server shutting down (57P): the store cannot be reached.
  if (code === '' || /^(08|28|3D|57P|53)/.test(code) || /^E[A-Z]+$/.test(code)) {
    return unavailable('store', 'unavailable', `${where}: ${message}`);
  }
  return internal('store', 'store_failed', `the store ${where} failed, this is a bug: ${message}`);
}

/**
 * Whether these rows can go as one statement: always, but for an upsert, which PostgreSQL refuses
 * to apply twice to one row in one statement: its rows' keys must differ.
 */
function canMerge({ keyParams }: InsertValues, rows: readonly unknown[][]): boolean {
  if (keyParams === undefined) return true;
  return new Set(rows.map((params) => JSON.stringify(keyParams.map((i) => params[i])))).size === rows.length;
}
/** Rows of INSERTs held back at most (src/core/create-batch.ts writes a few hundred records at a time). */
const QUEUED_ROWS = 1000;
/** Parameters per statement, below PostgreSQL's limit of 65,535. */
const MAX_PARAMS = 60_000;

/**
 * node-postgres behind the Executor of src/store/sql.ts: `?` placeholders numbered, each statement
 * prepared once, and writes sent without waiting (the connection pipelines). INSERTs wait in a
 * queue until something else is sent (a read, an UPDATE or DELETE, the commit); then they go in
 * the order they came, but that the rows of one SQL join those queued before them where no row
 * they may refer to came in between (Insert.refers), and those of one `INSERT … VALUES`
 * (Insert.values) go as one multi-row INSERT: a bulk create's batches, which read nothing between
 * their inserts, cost a few statements per table instead of several per record. Past QUEUED_ROWS
 * rows the queue goes by itself, so that PostgreSQL works on a batch's first rows while the core
 * makes the next.
 */
class PostgresExecutor implements Executor {
  /** The first failure of the transaction under way: PostgreSQL refuses every statement after it. */
  failure: unknown;
  /** Whether the transaction under way recorded events, to be announced when it commits. */
  wroteEvents = false;
  /** Writes sent and not yet answered. */
  private inFlight: Array<Promise<unknown>> = [];
  /** INSERTs not yet sent, in the order they came, those of one SQL in a row together. */
  private queued: Array<{ statement: Insert; rows: unknown[][] }> = [];
  private queuedRows = 0;
  private readonly statements = new Map<string, { name: string; text: string }>();

  constructor(private readonly client: pg.Client) {}

  private statement(sql: string) {
    let statement = this.statements.get(sql);
    if (!statement) {
      let n = 0;
      statement = { name: `orgs_${this.statements.size}`, text: sql.replace(/\?/g, () => `$${++n}`) };
      this.statements.set(sql, statement);
    }
    return statement;
  }

  private async query<T>(sql: string, params: readonly unknown[]): Promise<pg.QueryResult<T & pg.QueryResultRow>> {
    this.sendQueued();
    try {
      return await this.client.query<T & pg.QueryResultRow>({ ...this.statement(sql), values: params as unknown[] });
    } catch (error) {
      this.failure ??= error;
      throw error;
    }
  }

  /** Sends without waiting; the failure is kept in `failure` (and fails whatever follows). */
  private send(sql: string, params: readonly unknown[]): void {
    this.inFlight.push(this.query(sql, params).catch(() => {}));
  }

  /** The queued INSERTs, each SQL's rows as few statements as PostgreSQL takes. */
  private sendQueued(): void {
    if (this.queued.length === 0) return;
    const queued = this.queued;
    this.queued = [];
    this.queuedRows = 0;
    for (const { statement, rows } of queued) {
      const { table, sql, values } = statement;
      if (!values || !canMerge(values, rows)) {
        for (const params of rows) this.send(sql, params);
        continue;
      }
      const perStatement = Math.max(1, Math.floor(MAX_PARAMS / Math.max(1, rows[0]!.length)));
      for (let start = 0; start < rows.length; start += perStatement) {
        const batch = rows.slice(start, start + perStatement);
        const merged = batch.length === 1 ? sql : valuesSql(table, values, values.rows * batch.length);
        this.send(merged, batch.flat());
      }
    }
  }

  async all<T>(sql: string, params: readonly unknown[]): Promise<T[]> {
    return (await this.query<T>(sql, params)).rows;
  }

  async get<T>(sql: string, params: readonly unknown[]): Promise<T | undefined> {
    return (await this.query<T>(sql, params)).rows[0];
  }

  async run(sql: string, params: readonly unknown[]): Promise<number> {
    return (await this.query(sql, params)).rowCount ?? 0;
  }

  async write(sql: string, params: readonly unknown[]): Promise<void> {
    this.send(sql, params);
  }

  async insert(statement: Insert, params: readonly unknown[]): Promise<void> {
    await this.insertAll(statement, [params]);
  }

  async insertAll(statement: Insert, rows: readonly (readonly unknown[])[]): Promise<void> {
    if (rows.length === 0) return;
    if (statement.table === 'events') this.wroteEvents = true;
    const queued = this.entryFor(statement);
    for (const params of rows) queued.rows.push([...params]);
    this.queuedRows += rows.length;
    if (this.queuedRows >= QUEUED_ROWS) this.sendQueued();
  }

  /**
   * Where rows of `statement` join the queue: the rows of the same SQL queued before them, unless
   * rows of a table they may refer to (or of their own) came in between, which must go first;
   * else a new entry at the end.
   */
  private entryFor(statement: Insert): { statement: Insert; rows: unknown[][] } {
    for (let i = this.queued.length - 1; i >= 0; i--) {
      const entry = this.queued[i]!;
      if (entry.statement.sql === statement.sql) return entry;
      const { table } = entry.statement;
      if (!statement.refers || table === statement.table || statement.refers.includes(table)) break;
    }
    const entry = { statement, rows: [] };
    this.queued.push(entry);
    return entry;
  }

  /** Sends what is queued and waits for every write; the transaction's first failure, if any, is thrown. */
  async settle(): Promise<void> {
    this.sendQueued();
    const inFlight = this.inFlight;
    this.inFlight = [];
    await Promise.all(inFlight);
    if (this.failure !== undefined) throw this.failure;
  }

  /** A new transaction: nothing queued or in flight, no failure. */
  reset(): void {
    this.failure = undefined;
    this.wroteEvents = false;
    this.inFlight = [];
    this.queued = [];
    this.queuedRows = 0;
  }
}

export class PostgresStore implements Store {
  readonly executor: PostgresExecutor;
  private listening = false;
  private notified = false;
  private wake?: () => void;
  /** One connection, one transaction at a time: BEGIN inside a transaction would end it. */
  private inTransaction = false;

  constructor(
    private readonly client: pg.Client,
    /** The store's URL with its password removed. */
    readonly location: string,
    private readonly fail: (error: unknown) => OrgsError,
    /**
     * connect-timeout: how long a command may keep re-running a transaction that conflicts with
     * others, and wait for the server to close the connection.
     */
    private readonly connectTimeoutMs: number,
  ) {
    this.executor = new PostgresExecutor(client);
  }

  /** A snapshot: every read of the command sees the same committed state. */
  read<T>(work: (tx: Transaction) => Promise<T>): Promise<T> {
    return this.transaction('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY', work);
  }

  /**
   * SERIALIZABLE: the rules the core checks before it writes (the last owner, unique IDs, rights
   * held) hold as if commands ran one at a time; one that conflicts with another is run again.
   */
  write<T>(work: (tx: Transaction) => Promise<T>): Promise<T> {
    return this.transaction('BEGIN ISOLATION LEVEL SERIALIZABLE', work);
  }

  trial<T>(work: (tx: Transaction, undo: () => Promise<Transaction>) => Promise<T>): Promise<T> {
    const undo = async () => {
      await this.executor.settle();
      await this.executor.run('ROLLBACK TO SAVEPOINT trial', []);
      return new SqlTransaction(this.executor, POSTGRES);
    };
    return this.transaction(
      'BEGIN ISOLATION LEVEL SERIALIZABLE',
      async (tx) => {
        await this.executor.run('SAVEPOINT trial', []);
        return work(tx, undo);
      },
      'ROLLBACK',
    );
  }

  private async transaction<T>(
    begin: string,
    work: (tx: Transaction) => Promise<T>,
    end: 'COMMIT' | 'ROLLBACK' = 'COMMIT',
  ): Promise<T> {
    if (this.inTransaction) throw internal('store', 'nested_transaction', 'transactions cannot be nested');
    this.inTransaction = true;
    try {
      return await this.attempts(begin, work, end);
    } finally {
      this.inTransaction = false;
    }
  }

  /**
   * READ COMMITTED: a key's row changed meanwhile is no conflict to run again for. A lock held by
   * another writer fails at once (lock_timeout's least wait; 0 would mean waiting for ever).
   */
  async recordApiKeyUse(id: string, hour: number): Promise<boolean> {
    if (this.inTransaction) throw internal('store', 'nested_transaction', 'transactions cannot be nested');
    this.inTransaction = true;
    this.executor.reset();
    try {
      await this.executor.run('BEGIN', []);
      await this.executor.run(`SET LOCAL lock_timeout = '1ms'`, []);
      const written = await this.executor.run(RECORD_API_KEY_USE, [hour, id, hour]);
      await this.executor.run('COMMIT', []);
      return written > 0;
    } catch (error) {
      await this.client.query('ROLLBACK').catch(() => {});
      if (sqlState(error) === LOCK_NOT_AVAILABLE) return false;
      throw this.fail(error);
    } finally {
      this.inTransaction = false;
    }
  }

  /** Runs the transaction, again from its start after a conflict, for as long as connect-timeout allows. */
  private async attempts<T>(
    begin: string,
    work: (tx: Transaction) => Promise<T>,
    end: 'COMMIT' | 'ROLLBACK',
  ): Promise<T> {
    const deadline = Date.now() + this.connectTimeoutMs;
    for (let attempt = 1; ; attempt++) {
      this.executor.reset();
      try {
        await this.executor.run(begin, []);
        const tx = new SqlTransaction(this.executor, POSTGRES);
        const result = await work(tx);
        if (end === 'COMMIT') await tx.finish();
        // Every write answered; one that failed (even if the work caught it) loses the transaction.
        await this.executor.settle();
        if (end === 'COMMIT' && this.executor.wroteEvents) await this.executor.run(`NOTIFY ${EVENTS_CHANNEL}`, []);
        await this.executor.run(end, []);
        return result;
      } catch (error) {
        await this.executor.settle().catch(() => {});
        await this.client.query('ROLLBACK').catch(() => {});
        // The work's own errors (a rule it checked, say) pass as they are; the database's are told.
        const failure = this.executor.failure;
        if (failure === undefined) throw error;
        if (isConflict(failure) && Date.now() + MAX_PAUSE_MS < deadline) {
          await sleep(Math.random() * Math.min(MAX_PAUSE_MS, 5 * 2 ** attempt));
          continue;
        }
        throw this.fail(failure);
      }
    }
  }

  /** Resolves when another process has committed events (NOTIFY), or after a while at the latest. */
  async waitForEvents(): Promise<void> {
    if (!this.listening) {
      this.client.on('notification', () => {
        this.notified = true;
        this.wake?.();
      });
      await this.client.query(`LISTEN ${EVENTS_CHANNEL}`).catch((error) => {
        throw this.fail(error);
      });
      this.listening = true;
      // Events committed before LISTEN announced nothing to us: look once more.
      return;
    }
    if (!this.notified) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, FOLLOW_FALLBACK_MS);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    this.wake = undefined;
    this.notified = false;
  }

  async close(): Promise<void> {
    await disconnect(this.client, this.connectTimeoutMs);
  }
}

export interface PostgresOptions {
  connectTimeoutMs: number;
}

/** How long a statement may wait for a lock: connect-timeout, in the whole seconds PostgreSQL takes. */
const lockWaitSeconds = (connectTimeoutMs: number) => Math.max(1, Math.ceil(connectTimeoutMs / 1000));

/**
 * How long a statement may go unanswered before the server is taken for gone: its wait for a lock,
 * then connect-timeout again for the answer. A server that stops answering (the connection open,
 * nothing coming back, which TCP keepalive does not notice) fails the command at this bound.
 */
const answerWithinMs = (connectTimeoutMs: number) => lockWaitSeconds(connectTimeoutMs) * 1000 + connectTimeoutMs;

/**
 * Ends the connection; a server that does not close its side within `withinMs` is cut off, so that
 * the command still ends.
 */
async function disconnect(client: pg.Client, withinMs: number): Promise<void> {
  const cutOff = setTimeout(() => client.connection.stream.destroy(), withinMs);
  try {
    await client.end();
  } catch {
    // Ending a broken connection: it is gone either way.
  } finally {
    clearTimeout(cutOff);
  }
}

/**
 * The URL node-postgres is given: its password percent-encoded (see readPostgresUrl), its
 * parameters read as libpq reads them (STORES.md): `sslmode=require` encrypts without checking the
 * certificate, as in libpq, and node-postgres does not warn that it will mean that one day.
 */
function driverUrl(url: string): string {
  const parsed = readPostgresUrl(url);
  parsed.searchParams.set('uselibpqcompat', 'true');
  return parsed.toString();
}

/** A client for `url`; one whose parameters node-postgres refuses (sslmode=verify-ca without sslrootcert, …) is an invalid argument. */
function clientFor(url: string, config: pg.ClientConfig): pg.Client {
  try {
    return new pg.Client({ ...config, connectionString: driverUrl(url) });
  } catch (error) {
    if (error instanceof OrgsError) throw error;
    throw invalidArgument('store', 'invalid_url', `${redactUrl(url)}: ${(error as Error).message}`);
  }
}

/** Connects to the database at `url`, with the session settings every command runs under. */
export async function connect(url: string, { connectTimeoutMs }: PostgresOptions): Promise<pg.Client> {
  const seconds = lockWaitSeconds(connectTimeoutMs);
  const client = clientFor(url, {
    connectionTimeoutMillis: connectTimeoutMs,
    query_timeout: answerWithinMs(connectTimeoutMs),
    keepAlive: true,
    application_name: 'orgs',
    // Statements are sent without waiting for the previous one's answer (see PostgresExecutor).
    pipeline: true,
    // Never wait forever: not for a lock, nor on a transaction whose process went away.
    options: `-c search_path=${SCHEMA},public -c lock_timeout=${seconds}s -c idle_in_transaction_session_timeout=${seconds * 6}s`,
  });
  // A connection that breaks later fails the command's next query; nothing to do meanwhile.
  client.on('error', () => {});
  try {
    await client.connect();
  } catch (error) {
    await disconnect(client, connectTimeoutMs);
    throw postgresError(error, url);
  }
  return client;
}

/** The `orgs` schema: absent, ours at a version, or something else's (with the comment it has instead of ours). */
type SchemaState = number | 'absent' | { foreignComment: string | null };

async function schemaVersion(client: pg.Client): Promise<SchemaState> {
  const { rows } = await client.query<{ comment: string | null }>(
    `SELECT obj_description(oid, 'pg_namespace') AS comment FROM pg_namespace WHERE nspname = $1`,
    [SCHEMA],
  );
  if (rows.length === 0) return 'absent';
  const { comment } = rows[0]!;
  const match = SCHEMA_COMMENT.exec(comment ?? '');
  return match ? Number(match[1]) : { foreignComment: comment };
}

/** Refuses, untouched, a database whose `orgs` schema is not ours, or is newer than this orgs. */
function checkOwnership(version: SchemaState, where: string): asserts version is number | 'absent' {
  if (typeof version === 'object') {
    const { foreignComment } = version;
    const mark = foreignComment === null ? 'no comment' : `the comment ${JSON.stringify(foreignComment)}`;
    throw failedPrecondition(
      'store',
      'foreign_database',
      `${where} has a schema "${SCHEMA}" that orgs did not make (${mark}, not "${schemaComment(SCHEMA_VERSION)}"); give orgs a database of its own`,
    );
  }
  if (version !== 'absent' && version > SCHEMA_VERSION) {
    throw failedPrecondition(
      'store',
      'newer_schema',
      `${where} was made by a newer version of orgs (schema ${version}, this one knows ${SCHEMA_VERSION}); upgrade orgs`,
    );
  }
}

/** The `orgs` schema's migrations after `from`, and the mark that makes it ours at this version. */
async function applyMigrations(client: pg.Client, from: number | 'absent'): Promise<void> {
  if (from === 'absent') await client.query(`CREATE SCHEMA ${SCHEMA}`);
  for (const { postgres } of MIGRATIONS.slice(from === 'absent' ? 0 : from)) if (postgres) await client.query(postgres);
  await client.query(`COMMENT ON SCHEMA ${SCHEMA} IS '${schemaComment(SCHEMA_VERSION)}'`);
}

/** Runs `work` in a transaction that holds the migration lock, whole or not at all. */
async function underMigrationLock(client: pg.Client, work: () => Promise<void>): Promise<void> {
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await work();
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  }
}

/** Creates the `orgs` schema on first use, or upgrades it, in one transaction; another process may have done it first. */
async function migrate(client: pg.Client, where: string): Promise<void> {
  const found = await schemaVersion(client);
  checkOwnership(found, where);
  if (found === SCHEMA_VERSION) return;
  await underMigrationLock(client, async () => {
    const version = await schemaVersion(client);
    checkOwnership(version, where);
    if (version === SCHEMA_VERSION) return;
    try {
      await applyMigrations(client, version);
    } catch (error) {
      // What the next versions add is there already: the mark says older than the schema is.
      if (version === 'absent' || !DUPLICATE_OBJECT.has(sqlState(error))) throw error;
      throw damagedDatabase(
        where,
        `its schema "${SCHEMA}" is marked "${schemaComment(version)}" but holds what later versions add (${(error as Error).message}); this orgs makes "${schemaComment(SCHEMA_VERSION)}"`,
      );
    }
  });
}

/**
 * Makes a store in the database at `url`, which must hold no `orgs` schema, with what `copy`
 * writes into it: the schema and every record in one transaction, so that a failed backup leaves
 * the database as it was.
 */
export async function backupToPostgres(
  url: string,
  options: PostgresOptions,
  copy: (to: Executor) => Promise<void>,
): Promise<void> {
  const client = await connect(url, options);
  const where = redactUrl(url);
  try {
    await underMigrationLock(client, async () => {
      if ((await schemaVersion(client)) !== 'absent') {
        throw alreadyExists(
          'cli',
          'backup_exists',
          `${where} already has a schema "${SCHEMA}"; back up into a database without one`,
        );
      }
      await applyMigrations(client, 'absent');
      await copy(new PostgresExecutor(client));
      // The planner knows nothing of the copied rows until the tables are analyzed, which
      // autovacuum does when it gets to them, or never where it is off: till then it guesses, and
      // the access questions' joins ran a hundred times slower on its guesses.
      await client.query(`ANALYZE ${(await tablesOf(client)).join(', ')}`);
    });
  } catch (error) {
    throw postgresError(error, url);
  } finally {
    await disconnect(client, options.connectTimeoutMs);
  }
}

/** The tables of the `orgs` schema, qualified. */
async function tablesOf(client: pg.Client): Promise<string[]> {
  const { rows } = await client.query<{ name: string }>(
    `SELECT format('%I.%I', schemaname, tablename) AS name FROM pg_tables WHERE schemaname = $1`,
    [SCHEMA],
  );
  return rows.map((row) => row.name);
}

/** Opens the store in the database at `url`, creating or upgrading its schema on first use. */
export async function openPostgresStore(url: string, options: PostgresOptions): Promise<PostgresStore> {
  const client = await connect(url, options);
  const fail = (error: unknown) => postgresError(error, url);
  try {
    await migrate(client, redactUrl(url));
  } catch (error) {
    await disconnect(client, options.connectTimeoutMs);
    throw fail(error);
  }
  return new PostgresStore(client, redactUrl(url), fail, options.connectTimeoutMs);
}
