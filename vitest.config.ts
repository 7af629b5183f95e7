/**
 * Two projects: `sqlite`, every test against a store file, and `postgres`, the CLI suite
 * (test/cli, but for the tests no engine touches) again with ORGS_TEST_STORE=postgres, each
 * sandbox a database of its own on the server of test/postgres.ts; the tests about the SQLite
 * file itself skip there
 * (`skipIf(onPostgres)`). Without a server the postgres project is left out with one line on
 * stderr; under CI=true a missing server fails the run instead.
 */
import { randomBytes } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { defineConfig, type TestProjectInlineConfiguration } from 'vitest/config';
import { consoleAssets } from './scripts/console-assets.mjs';
import { postgresProblem } from './test/postgres.js';

const sqlite: TestProjectInlineConfiguration = {
  extends: true,
  test: { name: 'sqlite', include: ['test/**/*.test.ts'] },
};

/**
 * CLI tests whose behaviour no store engine touches (help, tables and terminal escapes, progress,
 * the README's quick start, the terminal under tmux): the sqlite project runs them once. Engine
 * parity itself is test/store/conformance.test.ts.
 */
const ENGINE_FREE = ['help', 'table', 'terminal-safety', 'progress', 'readme', 'terminal'].map(
  (name) => `test/cli/${name}.test.ts`,
);

const postgres: TestProjectInlineConfiguration = {
  extends: true,
  test: {
    name: 'postgres',
    include: ['test/cli/**/*.test.ts'],
    exclude: ENGINE_FREE,
    // ORGS_TEST_RUN names this run's databases, which the global teardown drops if a worker could not.
    env: { ORGS_TEST_STORE: 'postgres', ORGS_TEST_RUN: randomBytes(4).toString('hex') },
    globalSetup: ['test/postgres.ts'],
  },
};

/** The projects this run has: postgres only when its server answers. */
function projects(): TestProjectInlineConfiguration[] {
  const problem = postgresProblem();
  if (problem === undefined) return [sqlite, postgres];
  const why = `${problem}; set ORGS_TEST_POSTGRES to the URL of a server's administration database`;
  if (process.env.CI === 'true') throw new Error(`PostgreSQL suite cannot run under CI=true: ${why}`);
  process.stderr.write(`PostgreSQL suite skipped: ${why}\n`);
  return [sqlite];
}

/** `console-assets`, which the build makes, made the same way for the tests that serve the Console in-process. */
const consoleAssetsModule = {
  name: 'console-assets',
  resolveId: (id: string) => (id === 'console-assets' ? '\0console-assets' : undefined),
  load: (id: string) => (id === '\0console-assets' ? consoleAssets().contents : undefined),
};

export default defineConfig(() => ({
  plugins: [consoleAssetsModule],
  test: {
    // Black-box tests start a Node process per command; give them room on a 2-core machine.
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Files wait on PostgreSQL and on the processes they start as much as they compute: one
    // worker per core, not vitest's default of one fewer.
    maxWorkers: Math.max(2, availableParallelism()),
    projects: projects(),
  },
}));
