/**
 * A PostgreSQL store for the tests that need a real server (test/store/postgres*.test.ts): a
 * database of its own (test/postgres.ts), a config folder, and `orgs` run against them (in-process,
 * or as a process of the built bin/orgs.js, or in a pool of processes for races), dropped when the
 * test is done, whatever happened.
 */
import { spawn as spawnProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { main } from '../src/cli/main.js';
import { BIN, resultOf, type Result } from './helpers.js';
import { createTestDatabase, dropTestDatabase, postgresReachable, queryRows } from './postgres.js';
import { testRuntime } from './runtime.js';
import { startWorkers } from './workers.js';

/**
 * Whether the server answers, for `describe.skipIf(!…)`: without one the file is skipped with one
 * line, except under CI=true, where that fails the run.
 */
export function serverFor(what: string): boolean {
  if (postgresReachable()) return true;
  if (process.env.CI === 'true') throw new Error(`${what}: the test server does not answer (CI=true)`);
  console.log(`${what} skipped: no server answers (set ORGS_TEST_POSTGRES to one)`);
  return false;
}

/** A database of its own, a config folder, and `orgs` run against them. */
export function store() {
  const { name, url } = createTestDatabase();
  const configDir = mkdtempSync(join(tmpdir(), 'orgs-pg-'));
  const env = {
    ORGS_DB: url,
    ORGS_CONFIG_DIR: configDir,
    NO_COLOR: '1',
    ORGS_USER_ID: undefined,
    ORGS_API_KEY: undefined,
  };
  /** `timeout`: the process is killed (SIGKILL) after so many milliseconds, for runs that might never end. */
  const spawn = (args: string[], input?: string, extra: Record<string, string | undefined> = {}, timeout?: number) =>
    execa('node', [BIN, ...args], {
      env: { ...env, ...extra },
      extendEnv: true,
      reject: false,
      stripFinalNewline: false,
      ...(timeout === undefined ? {} : { timeout, killSignal: 'SIGKILL' as const }),
      ...(input === undefined ? { stdin: 'ignore' as const } : { input }),
    });
  /** Runs `orgs …args` in-process. */
  const run = async (args: string[], input?: string, extra?: Record<string, string | undefined>): Promise<Result> => {
    const io = testRuntime({ env: { ...process.env, ...env, ...extra }, input });
    const exitCode = await main(args, io.runtime);
    return resultOf({ stdout: io.stdout(), stderr: io.stderr(), exitCode });
  };
  return {
    url,
    spawn,
    run,
    /** `size` real orgs processes on this store, each running the commands it is given (test/workers.ts). */
    workers: (size: number) => startWorkers(size, env),
    async ok(args: string[], input?: string, extra?: Record<string, string | undefined>): Promise<Result> {
      const result = await run(args, input, extra);
      if (result.exitCode !== 0) throw new Error(`orgs ${args.join(' ')} exited ${result.exitCode}: ${result.stderr}`);
      return result;
    },
    /** The rows of a query, one line each (columns joined by `|`, as psql -A prints them). */
    sql: (query: string) => queryRows(url, query),
    /**
     * Another connection that runs `sql` in a transaction and holds it (and its locks) until
     * released: `ready` once it holds them.
     */
    hold(sql: string) {
      const psql = spawnProcess('psql', [url, '-AtXq', '-v', 'ON_ERROR_STOP=1'], {
        stdio: ['pipe', 'pipe', 'inherit'],
      });
      psql.stdin.write(`BEGIN; ${sql}; SELECT 'held';\n`);
      const ready = new Promise<void>((resolve) => {
        psql.stdout.on('data', (chunk: Buffer) => {
          if (chunk.toString().includes('held')) resolve();
        });
      });
      const release = () =>
        new Promise<void>((resolve) => {
          psql.once('exit', () => resolve());
          psql.stdin.end('ROLLBACK;\n');
        });
      return { ready, release };
    },
    drop() {
      dropTestDatabase(name);
      rmSync(configDir, { recursive: true, force: true });
    },
  };
}
export type TestStore = ReturnType<typeof store>;

export async function inStore(work: (s: TestStore) => Promise<void>): Promise<void> {
  const s = store();
  try {
    await work(s);
  } finally {
    s.drop();
  }
}
