import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { execa } from 'execa';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { BIN, storeRows, expectError, expectFails, needsTool, onPostgres, sandbox, type Sandbox } from '../helpers.js';

let s: Sandbox;
beforeEach(() => {
  s = sandbox();
});
afterEach(() => s.cleanup());

/** The candidates `orgs __complete` prints for the last of `words`; it must never fail or complain. */
async function complete(...words: string[]): Promise<string[]> {
  const result = await s.run(['__complete', '--', ...words]);
  expect(result.exitCode).toBe(0);
  expect(result.stderr).toBe('');
  return result.stdout === '' ? [] : result.stdout.trimEnd().split('\n');
}

/** Live organizations org1, org2 and other; gone is deleted. Users user1, user2 and admin3. */
async function seed(): Promise<void> {
  await s.ok(['create', 'org1', '--user-id', 'user1']);
  await s.ok(['create', 'org2', '--user-id', 'user1']);
  await s.ok(['create', 'other', '--user-id', 'user2']);
  await s.ok(['create', 'gone', '--user-id', 'user1']);
  await s.ok(['delete', 'gone']);
  await s.ok(['users', 'create', 'admin3', '--admin']);
}

/** Every file beside the store, with a hash of its content. */
function snapshot(dir: string): Record<string, string> {
  return Object.fromEntries(
    readdirSync(dir).map((name) => [
      name,
      createHash('sha256')
        .update(readFileSync(join(dir, name)))
        .digest('hex'),
    ]),
  );
}

describe('orgs completion', () => {
  for (const [shell, check] of [
    ['bash', ['bash', '-n']],
    ['zsh', ['zsh', '-n']],
    ['fish', ['fish', '--no-execute']],
  ] as const) {
    test.skipIf(!needsTool(shell))(`prints a ${shell} script that the shell parses`, async () => {
      const result = await s.ok(['completion', shell]);
      expect(result.stderr).toBe('');
      expect(result.stdout).toContain('orgs __complete --');
      const file = join(s.dir, `orgs.${shell}`);
      writeFileSync(file, result.stdout);
      const parsed = spawnSync(check[0], [...check.slice(1), file], { encoding: 'utf8' });
      expect(parsed.stderr).toBe('');
      expect(parsed.status).toBe(0);
    });
  }

  test('an unknown or missing shell is a usage error', async () => {
    expectError(await s.run(['completion', 'tcsh']), 2, 'invalid_argument');
    expectError(await s.run(['completion']), 2, 'missing_argument');
  });

  test('help lists completion but not the hidden command', async () => {
    const help = (await s.ok(['--help'])).stdout;
    expect(help).toMatch(/^ {2}completion\b/m);
    expect(help).not.toContain('__complete');
    expect(await complete('')).not.toContain('__complete');
  });
});

describe('orgs __complete', () => {
  test('commands, their aliases and subcommands', async () => {
    expect(await complete('coll')).toEqual(['collaborators', 'collaborator']);
    expect(await complete('collaborators', 's')).toEqual(['set']);
    expect(await complete('members', '')).toEqual(expect.arrayContaining(['list', 'ls', 'get', 'set', 'delete', 'rm']));
    expect(await complete('api-keys', 'c')).toEqual(['create']);
    expect(await complete('users', 'g')).toEqual(['get']);
    const all = await complete('');
    expect(all).toEqual(expect.arrayContaining(['create', 'add', 'list', 'ls', 'config', 'backup', 'completion']));
    expect(all).not.toContain('help');
    expect(await complete('--db', 'x.db', 'whoa')).toEqual(['whoami']);
    expect(await complete('nonsense', '')).toEqual([]);
  });

  test('organization group names are transparent, as on the command line', async () => {
    expect(await complete('o')).toEqual(['organizations', 'organization', 'org', 'o']);
    expect(await complete('org', 'cr')).toEqual(['create']);
    expect(await complete('organizations', 'collaborators', 'g')).toEqual(['get']);
    expect(await complete('org', 'o')).toEqual([]);
  });

  test('flags of the command, every --right-* flag among them', async () => {
    const help = (await s.ok(['collaborators', 'set', '--help'])).stdout;
    const rights = [...new Set(help.match(/--right-[a-z-]+/g))];
    expect(rights).toHaveLength(50);
    const offered = await complete('collaborators', 'set', '--right-');
    expect(offered.sort()).toEqual(rights.sort());
    const organization = await complete('collaborators', 'set', '--right-org');
    expect(organization.sort()).toEqual(rights.filter((flag) => flag.startsWith('--right-organization-')).sort());
    expect(organization).toContain('--right-organization-all');
    expect(await complete('api-keys', 'create', '--right-organization-a')).toEqual(
      expect.arrayContaining(['--right-organization-all', '--right-organization-add-as-collaborator']),
    );
    expect(await complete('collaborators', 'set', '--us')).toEqual(['--user-id']);
  });

  test('flags already given are not offered again', async () => {
    expect(await complete('list', '--')).toEqual(
      expect.arrayContaining(['--user-id', '--deleted', '--limit', '--page', '--order', '--all', '--help', '--db']),
    );
    const afterDeleted = await complete('list', '--deleted', '--limit', '5', '--');
    expect(afterDeleted).toContain('--page');
    expect(afterDeleted).not.toContain('--deleted');
    expect(afterDeleted).not.toContain('--limit');
    expect(await complete('set', 'org1', '--no-fanout-notifications', '--fan')).toEqual([]);
    const rights = await complete('collaborators', 'set', '--right-organization-all', '--right-organization-a');
    expect(rights).toContain('--right-organization-add-as-collaborator');
    expect(rights).not.toContain('--right-organization-all');
  });

  test('with nothing positional left, an empty word offers the flags', async () => {
    expect(await complete('collaborators', 'set', 'org1', '')).toEqual(
      expect.arrayContaining(['--organization-id', '--user-id', '--right-organization-all']),
    );
    expect(await complete('whoami', 'x')).toEqual([]);
  });

  test('order values of the command', async () => {
    expect(await complete('list', '--order', '')).toEqual([
      'organization_id',
      'name',
      'created_at',
      '-organization_id',
      '-name',
      '-created_at',
    ]);
    expect(await complete('search', '--order', '-n')).toEqual(['-name']);
    expect(await complete('collaborators', 'list', 'org1', '--order', '')).toEqual(['id', 'rights', '-id', '-rights']);
    expect(await complete('api-keys', 'list', '--order', 'ex')).toEqual(['expires_at']);
    expect(await complete('list', '--order=-c')).toEqual(['--order=-created_at']);
  });

  test('shells for completion', async () => {
    expect(await complete('completion', '')).toEqual(['bash', 'zsh', 'fish']);
    expect(await complete('completion', 'z')).toEqual(['zsh']);
  });

  test.skipIf(onPostgres)('organization IDs from the store, deleted ones left out', async () => {
    await seed();
    expect(await complete('get', '')).toEqual(['org1', 'org2', 'other']);
    expect(await complete('get', 'or')).toEqual(['org1', 'org2']);
    expect(await complete('org', 'delete', 'oth')).toEqual(['other']);
    expect(await complete('collaborators', 'list', 'o')).toEqual(['org1', 'org2', 'other']);
    expect(await complete('collaborators', 'set', '--organization-id', 'org')).toEqual(['org1', 'org2']);
    expect(await complete('api-keys', 'create', '--organization-id=org')).toEqual([
      '--organization-id=org1',
      '--organization-id=org2',
    ]);
    expect(await complete('get', 'g')).toEqual([]);
    // restore takes deleted organizations only; create makes up a new ID.
    expect(await complete('restore', '')).toEqual(['gone']);
    expect(await complete('create', '')).toEqual([]);
    // The ID is given by its flag already.
    expect(await complete('get', '--organization-id', 'org1', '')).not.toContain('org1');
  });

  test.skipIf(onPostgres)('user IDs from the store', async () => {
    await seed();
    expect(await complete('users', 'get', '')).toEqual(['admin3', 'user1', 'user2']);
    expect(await complete('user', 'delete', 'user')).toEqual(['user1', 'user2']);
    expect(await complete('users', 'set', '--user-id', 'a')).toEqual(['admin3']);
    expect(await complete('collaborators', 'set', '--organization-id', 'org1', '--user-id', 'user')).toEqual([
      'user1',
      'user2',
    ]);
    expect(await complete('create', 'org9', '--user-id', 'u')).toEqual(['user1', 'user2']);
    expect(await complete('users', 'create', '')).toEqual([]);
  });

  test.skipIf(onPostgres)('the store named by --db on the command line', async () => {
    await seed();
    const elsewhere = join(s.dir, 'elsewhere.db');
    await s.ok(['--db', elsewhere, 'create', 'far-away', '--user-id', 'user9']);
    expect(await complete('--db', elsewhere, 'get', '')).toEqual(['far-away']);
    expect(await complete('get', '--db', elsewhere, '')).toEqual(['far-away']);
    expect(await complete(`--db=${elsewhere}`, 'users', 'get', '')).toEqual(['user9']);
  });

  test.skipIf(onPostgres)('a missing store is neither created nor complained about', async () => {
    expect(await complete('get', '')).toEqual([]);
    expect(await complete('users', 'get', 'u')).toEqual([]);
    expect(existsSync(dirname(s.db))).toBe(false);
    const missing = join(s.dir, 'nowhere', 'orgs.db');
    expect(await complete('--db', missing, 'get', '')).toEqual([]);
    expect(existsSync(dirname(missing))).toBe(false);
  });

  test.skipIf(onPostgres)('the store is left exactly as it was', async () => {
    await seed();
    const before = snapshot(dirname(s.db));
    expect(await complete('get', '')).toEqual(['org1', 'org2', 'other']);
    expect(await complete('users', 'get', '')).toEqual(['admin3', 'user1', 'user2']);
    expect(snapshot(dirname(s.db))).toEqual(before);
  });

  test.skipIf(onPostgres)('a file that is not an orgs store gives no candidates and stays untouched', async () => {
    const text = join(s.dir, 'notes.db');
    writeFileSync(text, 'not a database\n');
    const foreign = join(s.dir, 'foreign.db');
    const created = spawnSync(
      'node',
      [
        '-e',
        `const D = require('better-sqlite3'); const db = new D(${JSON.stringify(foreign)});
         db.exec("CREATE TABLE organizations (id TEXT, deleted_at INTEGER); INSERT INTO organizations VALUES ('orgx', NULL)");
         db.close();`,
      ],
      { cwd: dirname(BIN) },
    );
    expect(created.status).toBe(0);
    const before = snapshot(s.dir);
    for (const file of [text, foreign, s.dir]) expect(await complete('--db', file, 'get', '')).toEqual([]);
    expect(snapshot(s.dir)).toEqual(before);
    await expectFails(s, ['list'], 5, 'foreign_database', { env: { ORGS_DB: foreign } });
  });
});

describe.runIf(onPostgres)('orgs __complete on a PostgreSQL store', () => {
  test('offers commands and flags but no IDs (a Tab press does not wait on a network), and leaves the database as it was', async () => {
    await seed();
    const before = await storeRows(s.db);
    expect(await complete('get', '')).toEqual([]);
    expect(await complete('users', 'get', 'u')).toEqual([]);
    expect(await complete('restore', '')).toEqual([]);
    expect(await complete('collaborators', 's')).toEqual(['set']);
    expect(await complete('collaborators', 'set', '--us')).toEqual(['--user-id']);
    expect(await storeRows(s.db)).toEqual(before);
  });
});

describe('in a real shell', () => {
  /** COMPREPLY after bash completes `words` with the script from `orgs completion bash`. */
  async function bashCompletes(words: string[]): Promise<string[]> {
    const script = `
      orgs() { node ${JSON.stringify(BIN)} "$@"; }
      source <(orgs completion bash)
      COMP_WORDS=(${words.map((word) => `'${word}'`).join(' ')})
      COMP_CWORD=$((\${#COMP_WORDS[@]} - 1))
      COMP_LINE="\${COMP_WORDS[*]}"
      COMP_POINT=\${#COMP_LINE}
      _orgs_completion
      printf '%s\\n' "\${COMPREPLY[@]}"
    `;
    const result = await execa('bash', ['-c', script], { env: s.env, extendEnv: true, reject: false });
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    return result.stdout.split('\n').filter((line) => line !== '');
  }

  test.skipIf(onPostgres || !needsTool('bash'))('bash completes organization rights and IDs', async () => {
    await seed();
    const help = (await s.ok(['collaborators', 'set', '--help'])).stdout;
    const organizationRights = [...new Set(help.match(/--right-organization-[a-z-]+/g))];
    expect(organizationRights.length).toBeGreaterThan(10);
    expect((await bashCompletes(['orgs', 'collaborators', 'set', '--right-org'])).sort()).toEqual(
      organizationRights.sort(),
    );
    expect(await bashCompletes(['orgs', 'get', 'or'])).toEqual(['org1', 'org2']);
    // bash splits --organization-id=or at the =; the reply replaces only the part after it.
    expect(await bashCompletes(['orgs', 'get', '--organization-id', '=', 'or'])).toEqual(['org1', 'org2']);
  });

  test.skipIf(onPostgres || !needsTool('fish'))('fish completes commands and IDs', async () => {
    await seed();
    const shim = join(s.dir, 'bin');
    mkdirSync(shim);
    writeFileSync(join(shim, 'orgs'), `#!/bin/sh\nexec node ${JSON.stringify(BIN)} "$@"\n`, { mode: 0o755 });
    const script = (await s.ok(['completion', 'fish'])).stdout;
    const result = await execa(
      'fish',
      ['--no-config', '-c', `${script}\ncomplete -C'orgs coll'\ncomplete -C'orgs org get or'`],
      { env: { ...s.env, PATH: `${shim}:${process.env.PATH}` }, extendEnv: true, reject: false },
    );
    expect(result.stderr).toBe('');
    expect(result.stdout.split('\n').sort()).toEqual(['collaborator', 'collaborators', 'org1', 'org2']);
  });
});
