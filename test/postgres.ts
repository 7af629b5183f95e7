/**
 * The PostgreSQL server the tests run against: ORGS_TEST_POSTGRES (a URL of a database to connect
 * to for administration), else the local server at 127.0.0.1:5432. Each test database is made
 * with a random name (`orgs_test_<random>`) and dropped when its test is done, so that runs
 * never see each other's data.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';

export const ADMIN_URL = process.env.ORGS_TEST_POSTGRES || 'postgres://root@127.0.0.1:5432/postgres';

/** Whether the PostgreSQL suite runs: ORGS_TEST_STORE=postgres (see vitest.config.ts). */
export const onPostgres = process.env.ORGS_TEST_STORE === 'postgres';

function psql(sql: string, url = ADMIN_URL): string {
  const result = spawnSync('psql', [url, '-v', 'ON_ERROR_STOP=1', '-AtXq', '-c', sql], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`psql ${JSON.stringify(sql)} failed: ${result.stderr || result.error}`);
  return result.stdout;
}

/** The URL of `database` on the test server. */
export function databaseUrl(database: string): string {
  const url = new URL(ADMIN_URL);
  url.pathname = `/${database}`;
  return url.toString();
}

/** A new empty database; returns its name and URL. */
export function createTestDatabase(): { name: string; url: string } {
  const name = `orgs_test_${randomBytes(6).toString('hex')}`;
  psql(`CREATE DATABASE ${name}`);
  return { name, url: databaseUrl(name) };
}

export function dropTestDatabase(name: string): void {
  psql(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
}

/** Runs SQL in a test database (search_path orgs), returning psql's unaligned output. */
export function sqlIn(url: string, sql: string): string {
  return psql(`SET search_path = orgs, public; ${sql}`, url);
}

/**
 * Every row of every table of the `orgs` schema at `url`, in a stable order (undefined before
 * the schema exists), shaped as dumpStore shapes an SQLite file's.
 */
export function dumpDatabase(url: string): Record<string, string[]> | undefined {
  const tables = psql(
    `SELECT table_name FROM information_schema.tables WHERE table_schema = 'orgs' ORDER BY 1`,
    url,
  )
    .split('\n')
    .filter(Boolean);
  if (tables.length === 0) return undefined;
  const rows = sqlIn(
    url,
    tables.map((table) => `SELECT '${table}', row_to_json(t)::text FROM orgs."${table}" AS t`).join(' UNION ALL '),
  );
  const dump: Record<string, string[]> = Object.fromEntries(tables.map((table) => [table, []]));
  for (const line of rows.split('\n').filter(Boolean)) {
    const bar = line.indexOf('|');
    dump[line.slice(0, bar)]!.push(line.slice(bar + 1));
  }
  for (const table of tables) dump[table]!.sort();
  return dump;
}

/** Whether the test server answers (a laptop may have none). */
export function postgresReachable(): boolean {
  return spawnSync('psql', [ADMIN_URL, '-AtXqc', 'SELECT 1'], { encoding: 'utf8', timeout: 10_000 }).status === 0;
}
