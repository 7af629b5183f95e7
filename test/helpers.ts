/**
 * Running the CLI as a user would: a fresh store and config folder per test. A sandbox runs a
 * command in-process (main() against a captured Runtime, test/runtime.ts), or with `spawn` as a
 * real process of the built bin/orgs.js, for what only a process shows. The store is an SQLite
 * file in the sandbox's folder, or, when the postgres project runs (onPostgres), an empty database
 * of its own on the test server (test/postgres.ts: emptied when the sandbox is cleaned up, for the
 * file's next sandbox, and dropped after the file).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { execa, type Options } from 'execa';
import fc from 'fast-check';
import { afterAll, beforeAll, expect } from 'vitest';
import { main } from '../src/cli/main.js';
import { OrgsError } from '../src/core/errors.js';
import { isPostgresUrl } from '../src/store/location.js';
import { rightsOfGroup } from './fixtures/rights.js';
import { testRuntime } from './runtime.js';
import {
  dropSpareDatabases,
  dumpDatabase,
  onPostgres,
  queryDatabase,
  releaseTestDatabase,
  takeTestDatabase,
} from './postgres.js';

export { onPostgres } from './postgres.js';

export const BIN = resolve(import.meta.dirname, '..', 'bin', 'orgs.js');

export interface Result {
  stdout: string;
  stderr: string;
  exitCode: number;
  /** stdout parsed as JSON (throws when it is not). */
  json: any;
}

export interface RunOptions {
  env?: Record<string, string | undefined>;
  input?: string;
  /** The folder the command runs in (default: the test process's). */
  cwd?: string;
  /** The clock of an in-process command (default: the wall clock). */
  clock?: () => number;
  /**
   * A spawned process is killed (SIGKILL) after this many milliseconds: for paths where a
   * regression would never return, so that it fails the test instead of spinning.
   */
  timeout?: number;
}

export interface Sandbox {
  dir: string;
  /** The store: the path of an SQLite file (not there until a command makes it), or a postgres:// URL. */
  db: string;
  configDir: string;
  env: Record<string, string>;
  /**
   * Runs `orgs …args` in-process against this sandbox's store. Commands of one sandbox run one
   * after the other, as a person types them (in one thread, an SQLite writer waiting for another
   * would wait for nothing).
   */
  run(args: string[], options?: RunOptions): Promise<Result>;
  /** Runs and fails the test unless the exit code is 0. */
  ok(args: string[], options?: RunOptions): Promise<Result>;
  /** Runs `orgs …args` as a process of the built bin/orgs.js, for what only a real process shows. */
  spawn(args: string[], options?: RunOptions): Promise<Result>;
  /** Removes the sandbox's folder and gives back (or drops) its database. */
  cleanup(): Promise<void>;
}

/** What a finished orgs process left: its output, exit code, and stdout as JSON on demand. */
export function resultOf(child: { stdout?: unknown; stderr?: unknown; exitCode?: number }): Result {
  const stdout = String(child.stdout);
  return {
    stdout,
    stderr: String(child.stderr),
    exitCode: child.exitCode ?? -1,
    get json() {
      return JSON.parse(stdout);
    },
  };
}

// The empty databases sandboxes gave back are dropped after the file's last test (this module is
// loaded while the file is collected, so the hook is the file's).
if (onPostgres) afterAll(dropSpareDatabases);

export function sandbox(): Sandbox {
  const dir = mkdtempSync(join(tmpdir(), 'orgs-test-'));
  const database = onPostgres ? takeTestDatabase() : undefined;
  const db = database?.url ?? join(dir, 'data', 'orgs.db');
  const configDir = join(dir, 'config');
  const env = { ORGS_DB: db, ORGS_CONFIG_DIR: configDir, NO_COLOR: '1' };
  const envOf = (options: RunOptions) => ({ ...env, ORGS_USER_ID: undefined, ORGS_API_KEY: undefined, ...options.env });
  const spawn: Sandbox['spawn'] = async (args, options = {}) => {
    const execaOptions: Options = {
      env: envOf(options),
      extendEnv: true,
      reject: false,
      stripFinalNewline: false,
      cwd: options.cwd,
      ...(options.timeout === undefined ? {} : { timeout: options.timeout, killSignal: 'SIGKILL' as const }),
      ...(options.input === undefined ? { stdin: 'ignore' } : { input: options.input }),
    };
    return resultOf(await execa('node', [BIN, ...args], execaOptions));
  };
  let previous: Promise<unknown> = Promise.resolve();
  const run: Sandbox['run'] = (args, options = {}) => {
    const result = previous.then(async () => {
      const io = testRuntime({
        env: { ...process.env, ...envOf(options) },
        cwd: options.cwd,
        input: options.input,
        clock: options.clock,
      });
      const exitCode = await main(args, io.runtime);
      return resultOf({ stdout: io.stdout(), stderr: io.stderr(), exitCode });
    });
    previous = result.catch(() => {});
    return result;
  };
  return {
    dir,
    db,
    configDir,
    env,
    run,
    spawn,
    async ok(args, options) {
      const result = await run(args, options);
      if (result.exitCode !== 0) {
        throw new Error(`orgs ${args.join(' ')} exited ${result.exitCode}: ${result.stderr}`);
      }
      return result;
    },
    async cleanup() {
      rmSync(dir, { recursive: true, force: true });
      if (database) await releaseTestDatabase(database);
    },
  };
}

/** A stderr of exactly one error line, `error:<namespace>:<name> (…)`; returns the name. */
export function errorName(result: Pick<Result, 'stderr'>): string {
  const lines = result.stderr.trimEnd().split('\n');
  const match = /^error:[a-z_/]+:([a-z_]+) \(.*\)$/.exec(lines[lines.length - 1] ?? '');
  if (!match) throw new Error(`not an error line: ${JSON.stringify(result.stderr)}`);
  return match[1]!;
}

/**
 * A failure as the contract has it: exactly `exitCode` (never "some non-zero code": an internal
 * error is exit 1), nothing on stdout, exactly one `error:<namespace>:<name> (<message>)` line on
 * stderr and no stack trace; the name too when given. Returns the name.
 */
export function expectError(
  result: { stdout: string; stderr: string; exitCode?: number | undefined },
  exitCode: number,
  name?: string,
): string {
  expect(result.exitCode, `stderr: ${result.stderr}`).toBe(exitCode);
  expect(result.stdout, 'nothing on stdout').toBe('');
  expect(result.stderr.trimEnd().split('\n'), 'exactly one stderr line').toHaveLength(1);
  expect(result.stderr).not.toMatch(/^\s+at /m);
  const actual = errorName(result);
  if (name !== undefined) expect(actual).toBe(name);
  return actual;
}

/**
 * Runs a command that must fail as the contract says (see expectError) and leave the sandbox's
 * store exactly as it was.
 */
export async function expectFails(
  s: Sandbox,
  args: string[],
  exitCode: number,
  name?: string,
  options?: Parameters<Sandbox['run']>[1],
): Promise<Result> {
  const before = await storeRows(s.db);
  const result = await s.run(args, options);
  expectError(result, exitCode, name);
  expect(await storeRows(s.db), `orgs ${args.join(' ')} left the store unchanged`).toEqual(before);
  return result;
}

/**
 * Every row of every table of a store (an SQLite file or a postgres:// URL, as Sandbox.db), each
 * as JSON, in a stable order (undefined before the file or schema exists): to show that a command
 * that failed left the store as it was, or to read what it holds. Read in-process on either engine.
 */
export async function storeRows(path: string): Promise<Record<string, string[]> | undefined> {
  if (isPostgresUrl(path)) return dumpDatabase(path);
  if (!existsSync(path)) return undefined;
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    const tables = db
      .prepare(`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`)
      .pluck()
      .all() as string[];
    return Object.fromEntries(
      tables.map((table) => [
        table,
        db
          .prepare(`SELECT * FROM "${table}"`)
          .all()
          .map((row) => JSON.stringify(row))
          .sort(),
      ]),
    );
  } finally {
    db.close();
  }
}

/**
 * storeRows without what a read may write: the hour an API key was last used (ACCESS.md, "write
 * nothing, last_used_at aside").
 */
export async function storeRowsBesidesKeyUse(path: string): Promise<Record<string, string[]> | undefined> {
  const rows = await storeRows(path);
  if (rows?.api_keys) {
    rows.api_keys = rows.api_keys.map((row) => JSON.stringify({ ...JSON.parse(row), last_used_at: undefined })).sort();
  }
  return rows;
}

/**
 * The first column of what `sql` (one SELECT, written for both engines) reads from a store, an
 * SQLite file or a postgres:// URL (search_path orgs), each value as text; none before an SQLite
 * file exists.
 */
export async function storeQuery(path: string, sql: string): Promise<string[]> {
  if (isPostgresUrl(path)) return queryDatabase(path, sql);
  if (!existsSync(path)) return [];
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    return db.prepare(sql).pluck().all().map(String);
  } finally {
    db.close();
  }
}

/** The seed of every fast-check property: FC_SEED, else a fixed one, so a run can be replayed. */
export const FC_SEED = process.env.FC_SEED === undefined ? 20_261_201 : Number(process.env.FC_SEED);

/**
 * Checks a fast-check property on exactly `numRuns` cases (the count its test name promises) from
 * FC_SEED. With `timeLimitMs`, running out of time fails the test (fast-check would otherwise
 * pass a run cut short after one case); a failure's message names the seed and path to replay it.
 */
export async function checkProperty<Ts>(
  property: fc.IRawProperty<Ts>,
  numRuns: number,
  timeLimitMs?: number,
): Promise<void> {
  const details = await fc.check(property, {
    numRuns,
    seed: FC_SEED,
    ...(timeLimitMs === undefined ? {} : { interruptAfterTimeLimit: timeLimitMs, markInterruptAsFailure: true }),
  });
  if (details.failed) throw new Error(fc.defaultReportMessage(details) ?? `failed with seed ${FC_SEED}`);
  expect(details.numRuns, `cases run (seed ${FC_SEED})`).toBe(numRuns);
}

const warnedMissing = new Set<string>();

/**
 * Whether `tool` (tmux, zsh, fish, …) is on PATH, for `test.skipIf(!needsTool('zsh'))`. Under
 * CI=true a missing tool throws, so the run fails instead of skipping (.ci/run installs them);
 * elsewhere its tests skip, with one warning per missing tool.
 */
export function needsTool(tool: string): boolean {
  if (spawnSync('sh', ['-c', 'command -v "$1"', 'sh', tool], { stdio: 'ignore' }).status === 0) return true;
  if (process.env.CI === 'true') {
    throw new Error(`${tool} is not installed; under CI=true the tests that need it fail instead of skipping`);
  }
  if (!warnedMissing.has(tool)) {
    warnedMissing.add(tool);
    console.warn(`${tool} is not installed: skipping the tests that need it`);
  }
  return false;
}

/**
 * Resolves once `condition` holds, looked at each time `stream` delivers data (after the caller's
 * own listeners have taken it in); fails as soon as the stream ends without it (the process is
 * gone), and a stream that stays silent is the test's timeout to end. Returns how long it took.
 */
export function untilOutput(stream: NodeJS.ReadableStream, condition: () => boolean, what: string): Promise<number> {
  const start = Date.now();
  return new Promise((resolve, reject) => {
    const finish = (settle: () => void) => {
      stream.off('data', check);
      stream.off('end', ended);
      settle();
    };
    const check = () => {
      if (condition()) finish(() => resolve(Date.now() - start));
    };
    const ended = () => {
      if (!condition()) finish(() => reject(new Error(`the output ended without ${what}`)));
    };
    stream.on('data', check);
    stream.on('end', ended);
    check();
  });
}

/** Run options that act as this user. */
export const as = (userId: string) => ({ env: { ORGS_USER_ID: userId } });

/** The Things Stack's flags that make the user (or organization) both contacts of a record. */
export const contactFlags = (id: string, kind: 'user' | 'organization' = 'user') => [
  `--administrative-contact.ids.${kind}-ids.${kind}-id`,
  id,
  `--technical-contact.ids.${kind}-ids.${kind}-id`,
  id,
];

/** Concatenated JSON documents, as `orgs events` prints them (each begins with a line `{`). */
export const documents = (stdout: string): any[] =>
  stdout
    .split(/^(?=\{$)/m)
    .filter((text) => text.trim())
    .map((text) => JSON.parse(text));

/** Both contacts of a record, the account's, as `get --all` prints them. */
export const contactsView = (id: string, kind: 'user' | 'organization' = 'user') => {
  const ids = { [`${kind}_ids`]: { [`${kind}_id`]: id } };
  return { administrative_contact: ids, technical_contact: ids };
};

/** Run options that act with this API key. */
export const withKey = (key: string) => ({ env: { ORGS_API_KEY: key } });

/** The organization group of rights.tsv (test/fixtures), in catalogue order: the tests' own oracle. */
export const ORGANIZATION = rightsOfGroup('organization');

/** One sandbox for a describe: built once by `setup`, removed after its last test. */
export function shared(setup: (s: Sandbox) => Promise<void>): { s: Sandbox } {
  const box = {} as { s: Sandbox };
  beforeAll(async () => {
    box.s = sandbox();
    await setup(box.s);
  });
  afterAll(() => box.s?.cleanup());
  return box;
}

/** The OrgsError a core call fails with (a test fails if it succeeds or throws anything else). */
export async function failure(promise: Promise<unknown>): Promise<OrgsError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof OrgsError) return error;
    throw error;
  }
  throw new Error('expected an OrgsError');
}
