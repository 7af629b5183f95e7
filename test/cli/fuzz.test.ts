/**
 * Fuzzing the CLI with fast-check: random argument lists and random stdin for bulk `create`,
 * against a store seeded with a few organizations, users and API keys.
 *
 * Each case gets its own copy of the seeded store (the SQLite file copied, or on PostgreSQL a
 * database made from the seeded one as its template, or the last case's when that case left it
 * exactly as seeded) and an empty config folder, and runs one
 * `orgs` command in-process (main() against a Runtime of its own: argv as given, only the
 * environment given, cwd inside the sandbox). Properties, from CONTRACT.md:
 * - the exit code is one of 0, 2, 3, 4, 5 (never 1, internal, nor a signal or a hang);
 * - stderr never holds a stack trace or a Node `…Error:` line, nor a raw control character (it is
 *   not a TTY and NO_COLOR is set: no colour codes, and nothing that breaks the one error line);
 * - a failing run writes nothing on stdout (bulk create: only the documents it created) and its
 *   stderr ends with one line `error:<namespace>:<name> (<message>)`; a successful run reports no
 *   error line;
 * - a failing run leaves the store unchanged (every table of the store compared); a partly
 *   failing bulk create adds exactly the organizations it printed, with their collaborators,
 *   nothing else (in the tables of record: accounts, users, organizations, memberships, api_keys);
 * - the secret of a seeded API key never shows on stdout or stderr unless it was on the command
 *   line.
 *
 * Case counts are in the test names and are exact: ARGV_RUNS + STDIN_RUNS = 190 commands, from the seed FC_SEED (test/helpers.ts checkProperty; set it
 * to explore other cases, a failure prints the one to replay). A property whose cases and any
 * shrinking are not done by TIME_LIMIT_MS fails rather than passing on the cases it ran.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { FLAGGED_RIGHTS } from '../fixtures/rights.js';
import { main } from '../../src/cli/main.js';
import { checkProperty, onPostgres } from '../helpers.js';
import { testRuntime } from '../runtime.js';
import { createTestDatabase, dropTestDatabase, dropTestDatabaseLater, dumpDatabase } from '../postgres.js';

const ARGV_RUNS = 140;
const STDIN_RUNS = 50;
const TIME_LIMIT_MS = 480_000;
const ERROR_LINE = /^error:[a-z_/]+:[a-z_]+ \(.*\)$/;

// ---------------------------------------------------------------------------------------------
// The seeded store, made once through the core services and copied for every case.

let template: string;
/** On PostgreSQL: the seeded database, the template of every case's, and its rows (every case's before). */
let templateDatabase: { name: string; url: string } | undefined;
let templateRows: Rows | undefined;
/** On PostgreSQL: the cases' databases being dropped in the background, and what went wrong. */
const drops: Array<Promise<void>> = [];
const dropFailures: unknown[] = [];
const seededKeys: Array<{ token: string; id: string; secret: string }> = [];

/** Runs orgs in-process, in `cwd`, with only the environment given (and stdin's content, if any). */
async function orgs(args: string[], cwd: string, env: Record<string, string | undefined>, input?: string | Uint8Array) {
  const io = testRuntime({ cwd, env: { NO_COLOR: '1', ...env }, input });
  const exitCode = await main(args, io.runtime);
  return { exitCode, stdout: io.stdout(), stderr: io.stderr() };
}

beforeAll(async () => {
  template = mkdtempSync(join(tmpdir(), 'orgs-fuzz-template-'));
  if (onPostgres) templateDatabase = createTestDatabase();
  const seed = async (...args: string[]) => {
    const child = await orgs(args, template, {
      ORGS_DB: templateDatabase?.url ?? join(template, 'orgs.db'),
      ORGS_CONFIG_DIR: join(template, 'config'),
    });
    if (child.exitCode !== 0)
      throw new Error(`seeding: orgs ${args.join(' ')} exited ${child.exitCode}: ${child.stderr}`);
    return child.stdout;
  };
  await seed('users', 'create', 'boss', '--admin', '--name', 'The Boss');
  await seed(
    'create',
    'org1',
    '--user-id',
    'u1',
    '--name',
    'One',
    '--description',
    'the first',
    '--attributes',
    'team=red',
  );
  await seed('create', 'org2', '--user-id', 'u2', '--name', '%_ wild', '--fanout-notifications');
  await seed('create', 'org-gone', '--user-id', 'u1');
  await seed('delete', 'org-gone');
  await seed(
    'collaborators',
    'set',
    '--organization-id',
    'org1',
    '--user-id',
    'u3',
    '--right-organization-settings-members',
    '--right-organization-settings-api-keys',
  );
  for (const [org, ...rights] of [
    ['org1', '--right-organization-all'],
    ['org2', '--right-organization-info', '--right-application-link'],
  ]) {
    const token = String(JSON.parse(await seed('api-keys', 'create', org!, '--name', `${org} key`, ...rights)).key);
    const [, id, secret] = token.split('.');
    seededKeys.push({ token, id: id!, secret: secret! });
  }
  if (templateDatabase) templateRows = await dump(templateDatabase.url);
}, 180_000);

afterAll(async () => {
  rmSync(template, { recursive: true, force: true });
  if (templateDatabase) dropTestDatabase(templateDatabase.name);
  if (unchanged) dropTestDatabase(unchanged.name);
  await Promise.all(drops);
  if (dropFailures.length > 0) throw dropFailures[0];
});

type Rows = Record<string, Array<Record<string, unknown>>>;

/** Every row of every table, sorted: the documented store, read without the CLI. */
async function dump(db: string): Promise<Rows> {
  if (onPostgres) {
    const tables = (await dumpDatabase(db)) ?? {};
    return Object.fromEntries(
      Object.entries(tables).map(([name, rows]) => [name, rows.map((row: string) => JSON.parse(row))]),
    );
  }
  const conn = new Database(db, { readonly: true, fileMustExist: true });
  try {
    const tables = conn.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as Array<{
      name: string;
    }>;
    const out: Rows = {};
    for (const { name } of tables) {
      out[name] = (conn.prepare(`SELECT * FROM "${name}"`).all() as Array<Record<string, unknown>>).sort((a, b) =>
        JSON.stringify(a) < JSON.stringify(b) ? -1 : 1,
      );
    }
    return out;
  } finally {
    conn.close();
  }
}

interface Run {
  args: string[];
  env: Record<string, string>;
  exitCode: number;
  stdout: string;
  stderr: string;
  before: Rows;
  after: Rows;
}

/**
 * On PostgreSQL: a case's database that its command left exactly as seeded (most cases fail, and a
 * failure changes nothing), for the next case instead of a new copy of the template.
 */
let unchanged: { name: string; url: string } | undefined;

/** One `orgs` command, in-process, in a fresh sandbox holding a copy of the seeded store. */
async function runOrgs(args: string[], env: Record<string, string>, input?: string | Uint8Array): Promise<Run> {
  const dir = mkdtempSync(join(tmpdir(), 'orgs-fuzz-'));
  let database = templateDatabase && (unchanged ?? createTestDatabase(templateDatabase.name));
  unchanged = undefined;
  try {
    let db: string;
    if (database) {
      db = database.url;
    } else {
      db = join(dir, 'data', 'orgs.db');
      mkdirSync(join(dir, 'data'));
      for (const file of readdirSync(template))
        if (file.startsWith('orgs.db')) copyFileSync(join(template, file), join(dir, 'data', file));
    }
    const before = templateRows ?? (await dump(db));
    const child = await orgs(
      args,
      dir,
      {
        ORGS_DB: db,
        ORGS_CONFIG_DIR: join(dir, 'config'),
        HOME: dir,
        XDG_DATA_HOME: join(dir, 'xdg-data'),
        XDG_CONFIG_HOME: join(dir, 'xdg-config'),
        ...env,
      },
      input,
    );
    const after = await dump(db);
    if (database && JSON.stringify(after) === JSON.stringify(templateRows))
      [unchanged, database] = [database, undefined];
    return { args, env, exitCode: child.exitCode, stdout: child.stdout, stderr: child.stderr, before, after };
  } finally {
    rmSync(dir, { recursive: true, force: true });
    if (database) drops.push(dropTestDatabaseLater(database.name).catch((error) => void dropFailures.push(error)));
  }
}

const short = (text: string) => (text.length > 300 ? `${text.slice(0, 300)}…(${text.length} chars)` : text);
const describeRun = (r: Run) =>
  `orgs ${JSON.stringify(r.args.map(short))} env ${JSON.stringify(r.env)} → exit ${r.exitCode}\nstdout: ${short(r.stdout)}\nstderr: ${short(r.stderr)}`;

/** The properties every run keeps, whatever its input. */
function checkCommon(r: Run, input?: string): void {
  const why = describeRun(r);
  expect([0, 2, 3, 4, 5], `exit code: ${why}`).toContain(r.exitCode);
  expect(r.stderr, `stack trace on stderr: ${why}`).not.toMatch(/^ {4}at |^\s+at .+:\d+:\d+\)?$/m);
  expect(r.stderr, `Node error on stderr: ${why}`).not.toMatch(/^(?:Uncaught )?[A-Za-z]*Error(?: \[[A-Z_]+\])?: /m);
  expect(r.stderr, `Node internals on stderr: ${why}`).not.toMatch(/node:internal|\bat async\b|file:\/\/\//);
  // Not a TTY and NO_COLOR: no colour codes, and no raw control character to break "one line".
  expect(r.stderr, `raw control character on stderr: ${why}`).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f-\x9f]/);
  const given = [...r.args, ...Object.values(r.env), input ?? ''].join('\n');
  for (const { secret } of seededKeys) {
    if (!given.includes(secret)) {
      expect(r.stdout.includes(secret) || r.stderr.includes(secret), `a seeded secret leaked: ${why}`).toBe(false);
    }
  }
  if (r.exitCode === 0) {
    expect(r.stderr, `a successful run reported an error: ${why}`).not.toMatch(/^error:/m);
  } else {
    const lines = r.stderr.replace(/\n$/, '').split('\n');
    expect(r.stderr, `a failing run said nothing on stderr: ${why}`).not.toBe('');
    expect(r.stderr.endsWith('\n'), `the error line is not terminated: ${why}`).toBe(true);
    expect(lines[lines.length - 1], `the last stderr line is not one error line: ${why}`).toMatch(ERROR_LINE);
  }
}

// ---------------------------------------------------------------------------------------------
// Argument lists.

/** Real command paths, each with the flags it takes (`=`: the flag takes a value; `*`: the --right-* flags). */
const SELECTORS = ['--name', '--description', '--attributes', '--deleted-at', '--fanout-notifications', '--all'];
const PAGING = ['--limit=', '--page=', '--order='];
const ORG_CREATE = [
  '--organization-id=',
  '--user-id=',
  '--name=',
  '--description=',
  '--attributes=',
  '--fanout-notifications',
];
const ORG_ONLY = ['--organization-id='];
const COMMANDS: Array<[string[], string[]]> = [
  ...['create', 'add', 'register'].map((c): [string[], string[]] => [[c], ORG_CREATE]),
  [['organizations', 'create'], ORG_CREATE],
  ...[['list'], ['ls'], ['org', 'list']].map((c): [string[], string[]] => [
    c,
    ['--user-id=', '--deleted', ...PAGING, ...SELECTORS],
  ]),
  [
    ['search'],
    [
      '--query=',
      '--id-contains=',
      '--name-contains=',
      '--description-contains=',
      '--attributes-contain=',
      '--deleted',
      ...PAGING,
      ...SELECTORS,
    ],
  ],
  ...[['get'], ['info'], ['o', 'get']].map((c): [string[], string[]] => [c, ['--organization-id=', ...SELECTORS]]),
  ...['set', 'update'].map((c): [string[], string[]] => [
    [c],
    [
      '--organization-id=',
      '--name=',
      '--description=',
      '--attributes=',
      '--fanout-notifications',
      '--no-fanout-notifications',
      '--unset=',
    ],
  ]),
  ...[['delete'], ['del'], ['remove'], ['rm'], ['organization', 'delete'], ['restore'], ['rights']].map(
    (c): [string[], string[]] => [c, ORG_ONLY],
  ),
  ...['purge', 'permanent-delete', 'hard-delete'].map((c): [string[], string[]] => [
    [c],
    ['--organization-id=', '--force'],
  ]),
  ...[
    ['collaborators', 'list'],
    ['members', 'ls'],
  ].map((c): [string[], string[]] => [c, ['--organization-id=', ...PAGING]]),
  ...[
    ['collaborator', 'get'],
    ['collaborators', 'delete'],
    ['members', 'rm'],
  ].map((c): [string[], string[]] => [c, ['--organization-id=', '--user-id=']]),
  ...[
    ['collaborators', 'set'],
    ['member', 'update'],
  ].map((c): [string[], string[]] => [c, ['--organization-id=', '--user-id=', '*']]),
  [
    ['api-keys', 'list'],
    ['--organization-id=', ...PAGING],
  ],
  ...[
    ['api-key', 'get'],
    ['api-keys', 'delete'],
  ].map((c): [string[], string[]] => [c, ['--organization-id=', '--api-key-id=']]),
  ...[
    ['api-keys', 'create'],
    ['api-keys', 'generate'],
  ].map((c): [string[], string[]] => [c, ['--organization-id=', '--name=', '--api-key-expiry=', '*']]),
  [
    ['api-keys', 'set'],
    ['--organization-id=', '--api-key-id=', '--name=', '--api-key-expiry=', '*'],
  ],
  [
    ['users', 'create'],
    ['--user-id=', '--name=', '--admin'],
  ],
  [
    ['users', 'list'],
    ['--limit=', '--page='],
  ],
  ...[
    ['user', 'get'],
    ['users', 'delete'],
  ].map((c): [string[], string[]] => [c, ['--user-id=']]),
  [
    ['users', 'set'],
    ['--user-id=', '--name=', '--admin', '--no-admin'],
  ],
  [['login'], ['--user-id=', '--api-key=']],
  ...[
    ['logout'],
    ['whoami'],
    ['config', 'list'],
    ['config', 'path'],
    ['help'],
    ['collaborators'],
    ['api-keys'],
    ['config'],
    [],
  ].map((c): [string[], string[]] => [c, []]),
  ...[
    ['config', 'get'],
    ['config', 'set'],
    ['config', 'unset'],
  ].map((c): [string[], string[]] => [c, []]),
];
const PATHS = COMMANDS.map(([path]) => path);
const WORDS = [
  ...new Set(PATHS.flat()),
  'organizations',
  'organization',
  'org',
  'o',
  'ls',
  'info',
  'generate',
  'list',
  'get',
  'set',
];
const FLAGS = [
  '--organization-id',
  '--user-id',
  '--name',
  '--description',
  '--attributes',
  '--fanout-notifications',
  '--no-fanout-notifications',
  '--unset',
  '--deleted',
  '--limit',
  '--page',
  '--order',
  '--query',
  '--id-contains',
  '--name-contains',
  '--description-contains',
  '--attributes-contain',
  '--all',
  '--deleted-at',
  '--force',
  '--api-key-id',
  '--api-key-expiry',
  '--api-key',
  '--admin',
  '--no-admin',
  '--help',
  '-h',
  '-V',
  '--version',
  '--',
  '-',
  '--right-all',
  '--right-user-info',
  '--right-organization',
  '---',
  '-x',
];
const RIGHT_FLAGS = FLAGGED_RIGHTS.map((r) => r.cliFlag);
const SQL = [
  "'; DROP TABLE organizations; --",
  '" OR 1=1 --',
  "org1' OR '1'='1",
  '%',
  '_',
  '%%',
  '\\',
  '\\%',
  '*',
  'org%',
  'o_g1',
  "'); DELETE FROM memberships; --",
  'NULL',
];
const PLAIN_VALUES = [
  'org1',
  'org2',
  'org-gone',
  'new-org',
  'u1',
  'u2',
  'u3',
  'boss',
  'nobody',
  'org1 ',
  ' org1',
  'ORG1',
  'org--1',
  '-org1',
  'a',
  'ab',
  'x'.repeat(36),
  'x'.repeat(37),
  'a=b',
  'team=red',
  'team=',
  '=x',
  'Bad Key=x',
  'team=a=b',
  'name,description',
  'attributes',
  'bogus',
  'name,bogus',
  '2030-01-31T12:00:00Z',
  '2020-01-01T00:00:00Z',
  '2030-02-30T00:00:00Z',
  'tomorrow',
  '0',
  '1',
  '2',
  '50',
  '1000',
  '1001',
  '-1',
  '1e3',
  '0x10',
  '99999999999999999',
  '9007199254740993',
  'NaN',
  'name',
  '-name',
  'created_at',
  '-created_at',
  'organization_id',
  'id',
  '-rights',
  'api_key_id',
  'expires_at',
  'restore-window',
  'output-format',
  'db',
  'user-id',
  'api-key',
  '24h',
  '0s',
  '1h30m',
  'banana',
  'json',
  'yaml',
  '',
  ' ',
  'NNSXS.X.Y',
  'NNSXS',
  'true',
  'false',
  '{}',
  '[]',
  'null',
  '__proto__',
  'constructor',
  'toString',
  'hasOwnProperty',
];

const noNul = (text: string) => text.replaceAll('\0', '');
/** C0 controls (no NUL), DEL, C1, the Unicode line separators and a terminal escape sequence. */
const controlChars = fc.string({
  unit: fc.oneof(
    fc.integer({ min: 1, max: 0x1f }).map((c) => String.fromCharCode(c)),
    fc.constantFrom('\r', '\n', '\x7f', '\x85', '\u2028', '\u2029', '\x1b[31m', '\x1b]0;title\x07'),
  ),
  minLength: 1,
  maxLength: 6,
});
/** 10 kB and more of one repeated piece, kept under Linux's 128 kB limit for one argument. */
const huge = fc
  .tuple(
    fc.constantFrom('a', 'é', '𝔸', '%', 'org1', "'; DROP TABLE organizations; --", '\u202e', '\u0301', '\n'),
    fc.integer({ min: 10_000, max: 60_000 }),
  )
  .map(([piece, bytes]) => piece.repeat(Math.ceil(bytes / Buffer.byteLength(piece))));

function argvArbitrary(): fc.Arbitrary<string[]> {
  const keyValues = seededKeys.flatMap((k) => [k.id, k.token, `${k.id.slice(0, 10)}`, k.token.toLowerCase()]);
  const value = fc.oneof(
    { weight: 10, arbitrary: fc.constantFrom(...PLAIN_VALUES, ...keyValues) },
    { weight: 2, arbitrary: fc.constantFrom(...SQL) },
    { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 30 }) },
    { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 20 }).map(noNul) },
    {
      weight: 2,
      arbitrary: fc
        .tuple(fc.constantFrom(...PLAIN_VALUES), controlChars, fc.constantFrom(...PLAIN_VALUES))
        .map(([a, b, c]) => a + b + c),
    },
    { weight: 1, arbitrary: controlChars },
    { weight: 1, arbitrary: huge },
  );
  const flag = fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...FLAGS) },
    { weight: 2, arbitrary: fc.constantFrom(...RIGHT_FLAGS) },
  );
  const anyToken = fc.oneof(
    { weight: 4, arbitrary: fc.tuple(flag, value).map(([f, v]) => [f, v]) },
    { weight: 3, arbitrary: flag.map((f) => [f]) },
    { weight: 3, arbitrary: value.map((v) => [v]) },
    { weight: 1, arbitrary: fc.tuple(flag, value).map(([f, v]) => [`${f}=${v}`]) },
    { weight: 1, arbitrary: fc.constantFrom(...WORDS).map((w) => [w]) },
  );
  const ids = ['org1', 'org2', 'org-gone', 'new-org', 'u1', 'u2', 'u3', 'boss', 'nobody'];
  /** Plausible values for a flag, so that runs reach past the parser; any value now and then. */
  const hinted = (good: fc.Arbitrary<string>) =>
    fc.oneof({ weight: 3, arbitrary: good }, { weight: 2, arbitrary: value });
  const HINTS: Record<string, fc.Arbitrary<string>> = {
    '--organization-id=': fc.constantFrom(...ids),
    '--user-id=': fc.constantFrom(...ids),
    '--api-key-id=': fc.constantFrom(...seededKeys.map((k) => k.id), 'NOSUCHKEY'),
    '--api-key=': fc.constantFrom(...seededKeys.map((k) => k.token), 'NNSXS.X.Y'),
    '--limit=': fc.constantFrom('1', '2', '50', '1000', '1001', '0', '-1', 'x'),
    '--page=': fc.constantFrom('1', '2', '3', '0', '99999999999999999'),
    '--order=': fc.constantFrom(
      'organization_id',
      '-organization_id',
      'name',
      '-created_at',
      'id',
      '-rights',
      'api_key_id',
      'expires_at',
      'bogus',
    ),
    '--api-key-expiry=': fc.constantFrom(
      '2030-01-31T12:00:00Z',
      '2099-12-31T23:59:59.999+02:00',
      '2020-01-01T00:00:00Z',
      '2030-02-30T00:00:00Z',
      'soon',
    ),
    '--attributes=': fc.constantFrom('team=blue', 'team=', 'k=v', 'abc=' + 'v'.repeat(201), 'Bad=x', 'noequals'),
    '--attributes-contain=': fc.constantFrom('team=re', 'team=%', 'team=_', 'abc=x'),
    '--unset=': fc.constantFrom('name', 'description', 'attributes', 'name,description,attributes', 'bogus', ''),
  };
  const positional = fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...ids, ...seededKeys.map((k) => k.id)) },
    { weight: 2, arbitrary: value },
  );
  /** Mostly the flags the command takes, with their values; now and then anything at all. */
  const tokensFor = (flags: string[]) => {
    const own = flags.flatMap((f) => (f === '*' ? RIGHT_FLAGS : [f]));
    if (own.length === 0)
      return fc.oneof({ weight: 3, arbitrary: positional.map((v) => [v]) }, { weight: 1, arbitrary: anyToken });
    const ownToken = fc
      .constantFrom(...own)
      .chain((f) =>
        fc.tuple(fc.constant(f), f.endsWith('=') ? hinted(HINTS[f] ?? value) : fc.constant(''), fc.boolean()),
      )
      .map(([f, v, joined]) => (f.endsWith('=') ? (joined ? [`${f}${v}`] : [f.slice(0, -1), v]) : [f]));
    return fc.oneof(
      { weight: 8, arbitrary: ownToken },
      { weight: 1, arbitrary: positional.map((v) => [v]) },
      { weight: 1, arbitrary: anyToken },
    );
  };
  const structured = fc
    .constantFrom(...COMMANDS)
    .chain(([path, flags]) => fc.tuple(fc.constant(path), fc.array(tokensFor(flags), { maxLength: 6 })))
    .map(([path, rest]) => [...path, ...rest.flat()]);
  const chaotic = fc.array(fc.oneof(fc.constantFrom(...WORDS, ...FLAGS, ...RIGHT_FLAGS), value), { maxLength: 8 });
  // Well-formed changes with plausible IDs and fuzzed text, to reach the checks inside the store's
  // transaction (rights, owners, deleted organizations) where a failure must roll everything back.
  const org = fc.constantFrom('org1', 'org2', 'org-gone', 'new-org', 'u1');
  const user = fc.constantFrom('u1', 'u2', 'u3', 'boss', 'nobody', 'org2');
  const key = fc.constantFrom(...seededKeys.map((k) => k.id), 'NOSUCHKEY');
  const rightFlags = fc.subarray(RIGHT_FLAGS, { maxLength: 4 });
  const text = fc.oneof(fc.constantFrom('Name', ''), value);
  const opt = (flag: string, v: fc.Arbitrary<string>) =>
    fc.option(
      v.map((x) => [flag, x]),
      { nil: [] as string[] },
    );
  const wellFormed = fc.oneof(
    fc
      .tuple(org, user, rightFlags)
      .map(([o, u, r]) => ['collaborators', 'set', '--organization-id', o, '--user-id', u, ...r]),
    fc.tuple(org, user).map(([o, u]) => ['collaborators', 'delete', '--organization-id', o, '--user-id', u]),
    fc
      .tuple(org, rightFlags, opt('--name', text), opt('--api-key-expiry', HINTS['--api-key-expiry=']!))
      .map(([o, r, n, e]) => ['api-keys', 'create', o, ...r, ...n, ...e]),
    fc.tuple(org, key, rightFlags, opt('--name', text)).map(([o, k, r, n]) => ['api-keys', 'set', o, k, ...r, ...n]),
    fc.tuple(org, key).map(([o, k]) => ['api-keys', 'delete', o, k]),
    fc.tuple(fc.constantFrom('delete', 'restore', 'rights', 'get'), org).map(([c, o]) => [c, o]),
    fc.tuple(org, fc.boolean()).map(([o, force]) => ['purge', o, ...(force ? ['--force'] : [])]),
    fc
      .tuple(
        org,
        opt('--name', text),
        opt('--description', text),
        opt('--attributes', HINTS['--attributes=']!),
        opt('--unset', HINTS['--unset=']!),
      )
      .map(([o, n, d, a, u]) => ['set', o, ...n, ...d, ...a, ...u]),
    fc
      .tuple(fc.oneof(org, value), opt('--user-id', user), opt('--name', text), opt('--description', text))
      .map(([o, u, n, d]) => ['create', o, ...u, ...n, ...d]),
    fc
      .tuple(fc.constantFrom('create', 'delete', 'set', 'get'), fc.oneof(user, value), fc.boolean())
      .map(([c, u, admin]) => ['users', c, u, ...(admin ? ['--admin'] : [])]),
    fc
      .tuple(
        fc.oneof(fc.constantFrom('name', 'query', 'id-contains', 'description-contains'), fc.constant('name-contains')),
        fc.oneof(fc.constantFrom(...SQL), value),
      )
      .map(([f, v]) => ['search', `--${f}`, v]),
  );
  return fc
    .oneof(
      { weight: 3, arbitrary: structured },
      { weight: 3, arbitrary: wellFormed },
      { weight: 1, arbitrary: chaotic },
    )
    .map((args) =>
      // Nothing that could write outside the sandbox: no --db, no backup (it takes a path).
      args.map((a) => (a.startsWith('--db') || a === 'backup' ? `x${a}` : a)),
    );
}

function callerArbitrary(): fc.Arbitrary<Record<string, string>> {
  return fc.constantFrom<Record<string, string>>(
    {},
    {},
    {},
    { ORGS_USER_ID: 'u1' },
    { ORGS_USER_ID: 'u1' },
    { ORGS_USER_ID: 'u2' },
    { ORGS_USER_ID: 'u3' },
    { ORGS_USER_ID: 'boss' },
    { ORGS_USER_ID: 'nobody' },
    { ORGS_USER_ID: 'org1' },
    { ORGS_USER_ID: 'Not A User' },
    { ORGS_API_KEY: seededKeys[0]!.token },
    { ORGS_API_KEY: seededKeys[0]!.token },
    { ORGS_API_KEY: seededKeys[1]!.token },
    { ORGS_API_KEY: `NNSXS.${seededKeys[0]!.id}.${'A'.repeat(52)}` },
    { ORGS_API_KEY: 'garbage' },
  );
}

// ---------------------------------------------------------------------------------------------
// Bulk create: stdin.

/** stdout of bulk create: JSON documents one after another (each `JSON.stringify(…, null, 2)` + newline). */
function printedIds(stdout: string): string[] {
  if (stdout.trim() === '') return [];
  return stdout
    .trim()
    .split(/\n(?=\{\n)/)
    .map((doc) => (JSON.parse(doc) as { ids: { organization_id: string } }).ids.organization_id);
}

/** The tables of record; others (search indexes) are derived from them. */
const CORE_TABLES = ['accounts', 'users', 'organizations', 'memberships', 'api_keys'];
const core = (rows: Rows): Rows => Object.fromEntries(CORE_TABLES.map((t) => [t, rows[t] ?? []]));

/**
 * The tables of record after, without what creating `ids` may add: those organizations, their
 * accounts and memberships, and the users registered as their collaborators.
 */
function withoutCreated(before: Rows, after: Rows, ids: string[]): Rows {
  const created = new Set(ids);
  const newMembers = new Set(
    (after.memberships ?? []).filter((m) => created.has(String(m.organization_id))).map((m) => String(m.user_id)),
  );
  const existedBefore = (table: string, id: unknown) => (before[table] ?? []).some((row) => row.id === id);
  const out: Rows = {};
  for (const [table, rows] of Object.entries(core(after))) {
    out[table] = rows.filter((row) => {
      switch (table) {
        case 'organizations':
          return !created.has(String(row.id));
        case 'memberships':
          return !created.has(String(row.organization_id));
        case 'accounts':
          return (
            !created.has(String(row.id)) && !(newMembers.has(String(row.id)) && !existedBefore('accounts', row.id))
          );
        case 'users':
          return !(newMembers.has(String(row.id)) && !existedBefore('users', row.id));
        default:
          return true;
      }
    });
  }
  return out;
}

const idArb = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      'bulk-1',
      'bulk-2',
      'bulk-3',
      'org1',
      'org-gone',
      'u1',
      'boss',
      'Bad_ID',
      'ab',
      '',
      "'; DROP TABLE organizations; --",
    ),
  },
  { weight: 2, arbitrary: fc.stringMatching(/^[a-z0-9]{3,8}$/) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 12 }) },
);
const docArb = fc.record(
  {
    ids: fc.oneof(
      { weight: 8, arbitrary: fc.record({ organization_id: idArb }) },
      { weight: 1, arbitrary: fc.jsonValue() },
    ),
    name: fc.oneof(fc.string({ unit: 'grapheme', maxLength: 60 }), fc.jsonValue()),
    description: fc.string({ maxLength: 40 }),
    attributes: fc.oneof(
      fc.dictionary(fc.constantFrom('team', 'k', 'Bad Key', 'abc', '__proto__'), fc.string({ maxLength: 10 })),
      fc.jsonValue(),
    ),
    fanout_notifications: fc.oneof(fc.boolean(), fc.jsonValue()),
    extra: fc.jsonValue(),
  },
  { requiredKeys: ['ids'] },
);
const separator = fc.constantFrom('\n', '', ' ', '\r\n', '\n\n', '\t', ',', ']', '}{');
const nested = fc
  .tuple(fc.integer({ min: 500, max: 200_000 }), fc.constantFrom('array', 'object', 'unbalanced', 'in-doc'))
  .map(([n, kind]) => {
    switch (kind) {
      case 'array':
        return '['.repeat(n) + ']'.repeat(n);
      case 'object':
        return '{"a":'.repeat(n) + '1' + '}'.repeat(n);
      case 'unbalanced':
        return '['.repeat(n);
      default:
        return `{"ids":{"organization_id":"deep"},"name":${'['.repeat(n)}${']'.repeat(n)}}`;
    }
  });
const stdinArb: fc.Arbitrary<string | Uint8Array> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc
      .tuple(fc.array(docArb, { minLength: 1, maxLength: 5 }), separator)
      .map(([docs, sep]) => docs.map((d) => JSON.stringify(d)).join(sep)),
  },
  {
    weight: 2,
    arbitrary: fc.tuple(fc.array(docArb, { minLength: 1, maxLength: 3 }), fc.nat()).map(([docs, cut]) => {
      const text = docs.map((d) => JSON.stringify(d)).join('\n');
      return text.slice(0, cut % (text.length + 1));
    }),
  },
  {
    // Shaped like the output of orgs (pretty-printed), then corrupted at one place.
    weight: 3,
    arbitrary: fc
      .tuple(
        fc.array(docArb, { minLength: 1, maxLength: 3 }),
        fc.nat(),
        fc.constantFrom('', 'x', '"', '{', '}', ',', '\n', '\\'),
      )
      .map(([docs, at, insert]) => {
        const text = docs.map((d) => `${JSON.stringify(d, null, 2)}\n`).join('');
        const i = at % (text.length + 1);
        return text.slice(0, i) + insert + text.slice(insert === '' ? i + 1 : i);
      }),
  },
  { weight: 2, arbitrary: fc.json() },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 200 }) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 300 }) },
  { weight: 2, arbitrary: nested },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      // A document over the 1 MiB limit, then a good one.
      `{"ids":{"organization_id":"big"},"name":"${'x'.repeat(1_100_000)}"}\n{"ids":{"organization_id":"after-big"}}`,
      `{"ids":{"organization_id":"long"},"description":"${'é'.repeat(100_000)}"}`,
      `"${'s'.repeat(300_000)}`,
      Array.from({ length: 2000 }, (_, i) => `{"ids":{"organization_id":"many-${i}"}}`).join('\n'),
    ),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      '',
      ' ',
      '\n\n',
      '\uFEFF{"ids":{"organization_id":"bom"}}',
      'null',
      '1 2 3',
      '"x"',
      '[]',
      '{}',
      '}{',
      '\u2028',
    ),
  },
);
const bulkFlags = fc
  .subarray([
    ['--user-id', 'u1'],
    ['--user-id', 'org1'],
    ['--user-id', 'Bad User'],
    ['--name', 'From flags'],
    ['--name', 'n'.repeat(51)],
    ['--description', "'; DROP TABLE organizations; --"],
    ['--attributes', 'team=blue'],
    ['--attributes', 'Bad Key=x'],
    ['--fanout-notifications'],
  ])
  .map((groups) => groups.flat());

// ---------------------------------------------------------------------------------------------

describe('fuzzing the built CLI', () => {
  test(
    `random argument lists (${ARGV_RUNS} runs): exit codes 0/2/3/4/5, no stack traces, one error line, store unchanged on failure`,
    async () => {
      await checkProperty(
        fc.asyncProperty(argvArbitrary(), callerArbitrary(), async (args, env) => {
          const r = await runOrgs(args, env);
          checkCommon(r);
          if (r.exitCode !== 0) {
            expect(r.stdout, `a failing run wrote on stdout: ${describeRun(r)}`).toBe('');
            expect(r.after, `a failing run changed the store: ${describeRun(r)}`).toEqual(r.before);
          }
        }),
        ARGV_RUNS,
        TIME_LIMIT_MS,
      );
    },
    TIME_LIMIT_MS + 60_000,
  );

  test(
    `random stdin for bulk create (${STDIN_RUNS} runs): malformed, deeply nested, huge and unicode documents`,
    async () => {
      await checkProperty(
        fc.asyncProperty(stdinArb, bulkFlags, callerArbitrary(), fc.boolean(), async (input, flags, env, group) => {
          const args = [...(group ? ['organizations'] : []), 'create', ...flags];
          const r = await runOrgs(args, env, input);
          const text = typeof input === 'string' ? input : Buffer.from(input).toString('utf8');
          checkCommon(r, text);
          const why = describeRun(r);
          // Bulk mode reports each failed document on stderr; every line there is an error line.
          for (const line of r.stderr
            .replace(/\n$/, '')
            .split('\n')
            .filter((l) => l !== '')) {
            expect(line, `a stderr line of bulk create is not an error line: ${why}`).toMatch(ERROR_LINE);
          }
          let ids: string[] = [];
          expect(() => (ids = printedIds(r.stdout)), `stdout is not a stream of organizations: ${why}`).not.toThrow();
          // Everything printed was created, and is in the store.
          const stored = new Set((r.after.organizations ?? []).map((o) => String(o.id)));
          for (const id of ids) expect(stored.has(id), `printed ${id} but did not store it: ${why}`).toBe(true);
          if (r.exitCode !== 0) {
            expect(
              withoutCreated(r.before, r.after, ids),
              `a failing bulk create changed more than what it printed: ${why}`,
            ).toEqual(core(r.before));
          } else {
            expect(ids.length, `bulk create succeeded without creating anything: ${why}`).toBeGreaterThan(0);
          }
        }),
        STDIN_RUNS,
        TIME_LIMIT_MS,
      );
    },
    TIME_LIMIT_MS + 60_000,
  );
});
