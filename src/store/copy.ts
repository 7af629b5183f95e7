/**
 * Copying every record of one store into another, of either engine: the same tables and columns
 * on both (src/store/migrations.ts), read in key order in chunks, written as multi-row inserts.
 * `orgs backup` runs it inside one read transaction of the source and one write transaction of
 * the destination, so the copy is one consistent snapshot and lands whole or not at all.
 */
import { type Dialect, type Executor, insertInto, SQLITE } from './dialect.js';
import { SqlTransaction } from './sql.js';

/** A store to copy from: its rows, read inside one of its read transactions. */
export interface CopySource {
  readonly executor: Executor;
  read<T>(work: () => Promise<T>): Promise<T>;
}

/** A new SQLite store at `path` holding every record of `source`, as one snapshot of it. */
export async function copyToSqliteFile(source: CopySource, path: string): Promise<void> {
  // Loaded here: a backup into PostgreSQL needs no SQLite.
  const { openSqliteStore } = await import('./sqlite.js');
  const destination = await openSqliteStore(path);
  try {
    await source.read(() => destination.write(() => copyRecords(source.executor, destination.executor, SQLITE)));
  } finally {
    await destination.close();
  }
}

/** Every table, parents before children, with the key its rows are read in order of. */
const TABLES: ReadonlyArray<readonly [table: string, key: readonly string[]]> = [
  ['accounts', ['id']],
  ['users', ['id']],
  ['organizations', ['pk']],
  ['memberships', ['organization_id', 'user_id']],
  ['api_keys', ['id']],
  ['entities', ['pk']],
  ['entity_collaborators', ['entity_pk', 'account_id']],
  ['events', ['seq']],
  ['event_identifiers', ['identifier', 'seq']],
  ['lives', ['identifier']],
];

const CHUNK_ROWS = 1000;
/** Parameters per INSERT, well below either engine's limit. */
const MAX_PARAMS = 30_000;

/** Copies every row of `from` into the empty store `to`, then indexes it for search there. */
export async function copyRecords(from: Executor, to: Executor, target: Dialect): Promise<void> {
  for (const [table, key] of TABLES) {
    const order = key.join(', ');
    let after: unknown[] | undefined;
    for (;;) {
      const where = after ? `WHERE (${order}) > (${key.map(() => '?').join(', ')})` : '';
      const rows = await from.all<Record<string, unknown>>(
        `SELECT * FROM ${table} ${where} ORDER BY ${order} LIMIT ${CHUNK_ROWS}`,
        after ?? [],
      );
      if (rows.length === 0) break;
      await insertRows(to, table, rows);
      const last = rows[rows.length - 1]!;
      after = key.map((column) => last[column]);
    }
  }
  await new SqlTransaction(to, target).reindex();
  await target.restartKeys(to);
}

async function insertRows(to: Executor, table: string, rows: ReadonlyArray<Record<string, unknown>>): Promise<void> {
  const columns = Object.keys(rows[0]!);
  const perInsert = Math.max(1, Math.floor(MAX_PARAMS / columns.length));
  for (let start = 0; start < rows.length; start += perInsert) {
    const batch = rows.slice(start, start + perInsert);
    await to.insert(
      insertInto(table, columns, { rows: batch.length }),
      batch.flatMap((row) => columns.map((column) => row[column])),
    );
  }
}
