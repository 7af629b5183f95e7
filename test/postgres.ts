/**
 * The PostgreSQL server the tests run against: ORGS_TEST_POSTGRES (a URL of a database to connect
 * to for administration), else the local server at 127.0.0.1:5432. Each test database is made
 * with a random name (`orgs_test_<random>`, or `orgs_test_<run>_<random>` within a vitest run
 * that set ORGS_TEST_RUN) and dropped when its test is done, so that runs never see each other's
 * data; what a run's workers could not drop (a worker that died), its global teardown does.
 */
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export const ADMIN_URL = process.env.ORGS_TEST_POSTGRES || 'postgres://root@127.0.0.1:5432/postgres';

/** Whether the PostgreSQL suite runs: ORGS_TEST_STORE=postgres (see vitest.config.ts). */
export const onPostgres = process.env.ORGS_TEST_STORE === 'postgres';

/** The tag of this vitest run in its databases' names (vitest.config.ts sets it), if any. */
const RUN = /^[a-z0-9]{1,16}$/.test(process.env.ORGS_TEST_RUN ?? '') ? process.env.ORGS_TEST_RUN : undefined;
const PREFIX = RUN === undefined ? 'orgs_test_' : `orgs_test_${RUN}_`;

function psql(sql: string, url = ADMIN_URL): string {
  const result = spawnSync('psql', [url, '-v', 'ON_ERROR_STOP=1', '-AtXq', '-c', sql], {
    encoding: 'utf8',
    // A dump of thousands of rows is megabytes.
    maxBuffer: 1 << 30,
  });
  if (result.status !== 0) throw new Error(`psql ${JSON.stringify(sql)} failed: ${result.stderr || result.error}`);
  return result.stdout;
}

/** The URL of `database` on the test server. */
export function databaseUrl(database: string): string {
  const url = new URL(ADMIN_URL);
  url.pathname = `/${database}`;
  return url.toString();
}

/**
 * A new empty database, or a copy of `template` (a test database no one is connected to any
 * more); returns its name and URL.
 */
export function createTestDatabase(template?: string): { name: string; url: string } {
  const name = `${PREFIX}${randomBytes(6).toString('hex')}`;
  if (template === undefined) {
    psql(`CREATE DATABASE ${name}`);
  } else {
    // The last connection of a process that just exited may take a moment to go away.
    for (let attempt = 1; ; attempt++) {
      try {
        psql(`CREATE DATABASE ${name} TEMPLATE ${template}`);
        break;
      } catch (error) {
        if (attempt === 50 || !/is being accessed by other users/.test(String(error))) throw error;
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100);
      }
    }
  }
  return { name, url: databaseUrl(name) };
}

export function dropTestDatabase(name: string): void {
  psql(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
}

/**
 * Drops a test database in the background (DROP DATABASE waits for a checkpoint: a tenth of a
 * second on an idle server, a second or two on a busy one): the promise settles when it is gone,
 * and rejects if it could not be dropped.
 */
export function dropTestDatabaseLater(name: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      'psql',
      [ADMIN_URL, '-v', 'ON_ERROR_STOP=1', '-AtXq', '-c', `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`],
      {
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`dropping ${name} failed: ${stderr}`))));
  });
}

/**
 * Empty test databases of this process, to be used again: making a database and dropping it cost
 * the server up to two seconds when it is busy (DROP DATABASE waits for a checkpoint); emptying
 * one costs a tenth of that.
 */
const spare: Array<{ name: string; url: string }> = [];

/**
 * A database with nothing of a test's in it: new (no `orgs` schema), or one that an earlier test of
 * this file gave back (its `orgs` schema, if any, as the store makes it and empty): give it back
 * with releaseTestDatabase.
 */
export function takeTestDatabase(): { name: string; url: string } {
  return spare.pop() ?? createTestDatabase();
}

/**
 * Every row of the `orgs` schema removed and its sequences restarted: a store as new, without
 * the third of a second its migration costs. DELETE, with the foreign keys' triggers off, since
 * TRUNCATE makes every table and index anew (a tenth of a second or more).
 */
const EMPTY_ORGS_SCHEMA = `BEGIN;
SET LOCAL session_replication_role = replica;
DO $$
DECLARE item record;
BEGIN
  FOR item IN SELECT tablename FROM pg_tables WHERE schemaname = 'orgs' LOOP
    EXECUTE format('DELETE FROM orgs.%I', item.tablename);
  END LOOP;
  FOR item IN SELECT sequencename FROM pg_sequences WHERE schemaname = 'orgs' LOOP
    EXECUTE format('ALTER SEQUENCE orgs.%I RESTART', item.sequencename);
  END LOOP;
END $$;
COMMIT`;

/** Empties the `orgs` schema of the database at `url` (EMPTY_ORGS_SCHEMA). */
export async function emptyOrgsSchema(url: string): Promise<void> {
  await withClient(url, (client) => client.query(EMPTY_ORGS_SCHEMA));
}

/** Everything the `orgs` schema is made of (relations and columns, indexes, constraints, functions, its mark), as one text. */
const SCHEMA_SHAPE = `SELECT coalesce(string_agg(item, E'\\n' ORDER BY item), '') AS shape FROM (
  SELECT 'relation ' || c.relname || ' ' || c.relkind::text || ' ' || coalesce((SELECT string_agg(a.attname || ' '
           || format_type(a.atttypid, a.atttypmod) || ' ' || a.attnotnull, ', ' ORDER BY a.attnum)
         FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped), '') AS item
    FROM pg_class c WHERE c.relnamespace = 'orgs'::regnamespace
  UNION ALL SELECT 'index ' || indexdef FROM pg_indexes WHERE schemaname = 'orgs'
  UNION ALL SELECT 'constraint ' || conname || ' ' || pg_get_constraintdef(oid) FROM pg_constraint
    WHERE connamespace = 'orgs'::regnamespace
  UNION ALL SELECT 'function ' || proname || '(' || pg_get_function_identity_arguments(oid) || ')' FROM pg_proc
    WHERE pronamespace = 'orgs'::regnamespace
  UNION ALL SELECT 'trigger ' || tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
    WHERE c.relnamespace = 'orgs'::regnamespace AND NOT t.tgisinternal
  UNION ALL SELECT 'mark ' || coalesce(obj_description(oid, 'pg_namespace'), '') FROM pg_namespace WHERE nspname = 'orgs'
) AS items`;

/**
 * The shape of an `orgs` schema as this orgs makes it, learnt once per worker from a new database
 * the store is opened on (and given out, empty, as the first spare).
 */
let pristineShape: Promise<string> | undefined;
function madeShape(): Promise<string> {
  pristineShape ??= (async () => {
    const { openPostgresStore } = await import('../src/store/postgres.js');
    const database = createTestDatabase();
    await (await openPostgresStore(database.url, { connectTimeoutMs: 10_000 })).close();
    const shape = await withClient(database.url, async (client) => (await client.query(SCHEMA_SHAPE)).rows[0].shape);
    spare.push(database);
    return shape;
  })();
  return pristineShape;
}

/**
 * Gives back a database of takeTestDatabase for the file's next sandbox: the connections left to
 * it (a process that was killed) ended; its `orgs` schema emptied when it is as the store makes it
 * (most are: a test only adds and changes rows), dropped with all it holds otherwise (a test that
 * damaged or downgraded it). One that still holds anything else a test made, or that cannot be
 * emptied, is dropped instead.
 */
export async function releaseTestDatabase(database: { name: string; url: string }): Promise<void> {
  try {
    const made = await madeShape();
    const leftovers = await withClient(database.url, async (client) => {
      await client.query(
        `SET lock_timeout = '5s';
         SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
           WHERE datname = current_database() AND pid <> pg_backend_pid();`,
      );
      const { shape } = (await client.query(SCHEMA_SHAPE)).rows[0];
      await client.query(shape === made ? EMPTY_ORGS_SCHEMA : 'DROP SCHEMA IF EXISTS orgs CASCADE');
      const { rows } = await client.query(
        `SELECT 'schema ' || nspname FROM pg_namespace
           WHERE nspname NOT IN ('public', 'information_schema', 'orgs') AND nspname NOT LIKE 'pg\\_%'
         UNION ALL SELECT 'relation ' || relname FROM pg_class WHERE relnamespace = 'public'::regnamespace
         UNION ALL SELECT 'function ' || proname FROM pg_proc WHERE pronamespace = 'public'::regnamespace
         UNION ALL SELECT 'type ' || typname FROM pg_type WHERE typnamespace = 'public'::regnamespace
         UNION ALL SELECT 'extension ' || extname FROM pg_extension WHERE extname NOT IN ('plpgsql', 'pg_trgm')`,
      );
      return rows.length;
    });
    if (leftovers === 0) {
      spare.push(database);
      return;
    }
  } catch {
    // Not emptied: dropped below.
  }
  dropTestDatabase(database.name);
}

/** Drops the databases kept for reuse: after the last test of a file. */
export function dropSpareDatabases(): void {
  for (const database of spare.splice(0)) dropTestDatabase(database.name);
}

/**
 * vitest's global setup of the postgres project (vitest.config.ts): returns the teardown that
 * drops every database of this run (ORGS_TEST_RUN) still there, whatever became of its worker.
 */
export function setup(project: { config: { env?: Record<string, string | undefined> } }): () => void {
  const run = project.config.env?.ORGS_TEST_RUN;
  if (run === undefined || !/^[a-z0-9]{1,16}$/.test(run)) throw new Error('ORGS_TEST_RUN is not set to a run tag');
  return () => {
    const names = psql(`SELECT datname FROM pg_database WHERE datname LIKE 'orgs\\_test\\_${run}\\_%' ORDER BY 1`)
      .split('\n')
      .filter(Boolean);
    for (const name of names) dropTestDatabase(name);
  };
}

/** Runs SQL in a test database (search_path orgs), returning psql's unaligned output. */
export function sqlIn(url: string, sql: string): string {
  return psql(`SET search_path = orgs, public; ${sql}`, url);
}

/** Runs `work` with a connection of its own to `url` (search_path orgs), closed afterwards. */
async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => {});
  await client.connect();
  try {
    await client.query('SET search_path = orgs, public');
    return await work(client);
  } finally {
    await client.end().catch(() => {});
  }
}

/**
 * Each row `sql` reads in a test database (search_path orgs) as one line, its columns joined by
 * `|` as `psql -A` prints them (true as t, false as f, NULL as nothing).
 */
export async function queryRows(url: string, sql: string): Promise<string[]> {
  const text = (value: unknown) =>
    value === null ? '' : typeof value === 'boolean' ? (value ? 't' : 'f') : String(value);
  return withClient(url, async (client) => {
    // Several statements give one result each; psql -c prints the last one's rows.
    const results = [await client.query({ text: sql, rowMode: 'array' })].flat();
    return (results.at(-1)?.rows ?? []).map((row: unknown[]) => row.map(text).join('|'));
  });
}

/** The first column of each row `sql` reads in a test database (search_path orgs), as text. */
export async function queryDatabase(url: string, sql: string): Promise<string[]> {
  return withClient(url, async (client) => {
    const result = await client.query({ text: sql, rowMode: 'array' });
    return result.rows.map((row: unknown[]) => String(row[0]));
  });
}

/**
 * Every row of every table of the `orgs` schema at `url`, in a stable order (undefined before
 * the schema exists), shaped as storeRows shapes an SQLite file's; read in-process, without psql.
 */
export async function dumpDatabase(url: string): Promise<Record<string, string[]> | undefined> {
  return withClient(url, async (client) => {
    const tables = (
      await client.query<{ table_name: string }>(
        `SELECT table_name FROM information_schema.tables WHERE table_schema = 'orgs' ORDER BY 1`,
      )
    ).rows.map((row) => row.table_name);
    if (tables.length === 0) return undefined;
    const rows = await client.query<{ t: string; row: string }>(
      tables
        .map((table) => `SELECT '${table}' AS t, row_to_json(r)::text AS row FROM orgs."${table}" AS r`)
        .join(' UNION ALL '),
    );
    const dump: Record<string, string[]> = Object.fromEntries(tables.map((table) => [table, []]));
    for (const { t, row } of rows.rows) dump[t]!.push(row);
    for (const table of tables) dump[table]!.sort();
    return dump;
  });
}

/**
 * Why the test server cannot be used (psql missing, the server not answering), in one line; or
 * undefined when it answers.
 */
export function postgresProblem(): string | undefined {
  const result = spawnSync('psql', [ADMIN_URL, '-AtXqc', 'SELECT 1'], { encoding: 'utf8', timeout: 10_000 });
  if (result.status === 0) return undefined;
  const where = redactedAdminUrl();
  if ((result.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT')
    return `psql is not installed (needed to reach ${where})`;
  if (result.error) return `psql ${where} failed: ${result.error.message}`;
  const reason = result.stderr.trim().split('\n')[0] || `psql exited ${result.status ?? result.signal}`;
  return `no PostgreSQL server answers at ${where} (${reason})`;
}

/** Whether the test server answers (a laptop may have none). */
export function postgresReachable(): boolean {
  return postgresProblem() === undefined;
}

/** ADMIN_URL fit to print: its password, if any, replaced by `***`. */
export function redactedAdminUrl(): string {
  try {
    const url = new URL(ADMIN_URL);
    if (url.password) url.password = '***';
    return url.toString();
  } catch {
    return '(ORGS_TEST_POSTGRES, not a URL)';
  }
}
