/**
 * The configuration file: written whole by orgs, never silently trusted. A bad file or value is
 * one plain error naming it; a command that fails to write it changes nothing.
 */
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { expectError, expectFails, onPostgres, type Result, sandbox, type Sandbox } from '../helpers.js';

let s: Sandbox;
let configFile: string;
beforeEach(() => {
  s = sandbox();
  configFile = join(s.configDir, 'config.json');
});
afterEach(() => s.cleanup());

function writeConfig(text: string): void {
  mkdirSync(s.configDir, { recursive: true });
  writeFileSync(configFile, text);
}

/** For paths where the old code never returned: a regression fails instead of spinning forever. */
const runBounded = (args: string[], env: Record<string, string | undefined>, cwd?: string): Promise<Result> =>
  s.spawn(args, { env, cwd, timeout: 20_000 });

describe('a configuration file that is not valid JSON', () => {
  const broken = '{"restore-window": "2h",';

  test.each([
    [['config', 'set', 'restore-window', '1h']],
    [['config', 'unset', 'restore-window']],
    [['logout']],
    [['login', '--user-id', 'user2']],
    [['list']],
  ])('orgs %j says "fix or remove it", as every command does, and leaves it as it was (conf crashed)', async (args) => {
    await s.ok(['list']);
    writeConfig(broken);
    const result = await expectFails(s, args, 2, 'invalid_config');
    expect(result.stderr).toContain(`${configFile} is not a JSON object`);
    expect(result.stderr).toContain('fix or remove it');
    expect(readFileSync(configFile, 'utf8')).toBe(broken);
  });

  test('once it is fixed, the file orgs writes is valid JSON, mode 0600', async () => {
    writeConfig(broken);
    await expectFails(s, ['config', 'set', 'restore-window', '1h'], 2, 'invalid_config');
    writeConfig('{"restore-window": "2h"}');
    await s.ok(['config', 'set', 'output-format', 'table']);
    expect(JSON.parse(readFileSync(configFile, 'utf8'))).toEqual({ 'restore-window': '2h', 'output-format': 'table' });
    expect(statSync(configFile).mode & 0o777).toBe(0o600);
  });
});

describe('a configuration folder that cannot be written', () => {
  // Tests run as root, where a folder of mode 0500 stops nothing: a regular file where the folder
  // should be, and /proc (where nothing can be created, whoever runs), fail for real.
  test('ORGS_CONFIG_DIR a regular file, or under one, is a failed precondition (5) naming the file', async () => {
    const file = join(s.dir, 'notes.txt');
    writeFileSync(file, 'notes');
    for (const dir of [file, join(file, 'orgs')]) {
      const result = await expectFails(s, ['config', 'set', 'restore-window', '1h'], 5, 'invalid_config_path', {
        env: { ORGS_CONFIG_DIR: dir },
      });
      expect(result.stderr).toContain(join(dir, 'config.json'));
    }
    expect(readFileSync(file, 'utf8')).toBe('notes');
  });

  test.skipIf(!existsSync('/proc/self'))(
    'ORGS_CONFIG_DIR in /proc is not found (3); it used to loop forever in mkdir',
    async () => {
      const result = await runBounded(['config', 'set', 'restore-window', '1h'], {
        ORGS_CONFIG_DIR: '/proc/orgs-test',
      });
      expectError(result, 3, 'config_path_not_found');
      expect(result.stderr).toContain('/proc/orgs-test/config.json');
    },
  );

  test('a login that cannot write the configuration registers nobody', async () => {
    await s.ok(['list']);
    const file = join(s.dir, 'notes.txt');
    writeFileSync(file, 'notes');
    await expectFails(s, ['login', '--user-id', 'newcomer'], 5, 'invalid_config_path', {
      env: { ORGS_CONFIG_DIR: file },
    });
    const users = await s.ok(['users', 'list']);
    expect(users.json.map((u: any) => u.ids.user_id)).not.toContain('newcomer');
    // And it works where the configuration can be written.
    await s.ok(['login', '--user-id', 'newcomer']);
    expect((await s.ok(['whoami'])).json).toEqual({ user_id: 'newcomer', admin: false });
  });
});

test.skipIf(onPostgres)(
  'config set db stores the absolute path: the store does not change with the current folder',
  async () => {
    const env = { ORGS_DB: undefined };
    const here = join(s.dir, 'here');
    const elsewhere = join(s.dir, 'elsewhere');
    mkdirSync(here);
    mkdirSync(elsewhere);
    expect((await runBounded(['config', 'set', 'db', 'rel.db'], env, here)).exitCode).toBe(0);
    expect(JSON.parse(readFileSync(configFile, 'utf8')).db).toBe(join(here, 'rel.db'));
    const fromElsewhere = await runBounded(['config', 'get', 'db'], env, elsewhere);
    expect(fromElsewhere.stdout).toBe(`${join(here, 'rel.db')}\n`);
    expect((await runBounded(['create', 'org1', '--user-id', 'user1'], env, elsewhere)).exitCode).toBe(0);
    expect(existsSync(join(here, 'rel.db'))).toBe(true);
    expect(existsSync(join(elsewhere, 'rel.db'))).toBe(false);
  },
);

describe('a configured login of the wrong type', () => {
  const SECRET = 'NNSXS.ABCDEFGHIJKLMNOPQRSTUVWXYZ234567ABCDEFGHIJKLMNOP.SECRETSECRETSECRET';

  test.each([
    ['user-id', '{"user-id": 42}'],
    ['user-id', '{"user-id": ["user2"]}'],
    ['user-id', '{"user-id": null}'],
    ['api-key', '{"api-key": {}}'],
    ['api-key', `{"api-key": {"token": "${SECRET}"}}`],
    ['api-key', `{"api-key": ["${SECRET}"], "user-id": "user2"}`],
  ])('%s in %s is an error naming the key, never the local administrator', async (key, text) => {
    await s.ok(['create', 'org1', '--user-id', 'user1']);
    writeConfig(text);
    for (const args of [['whoami'], ['delete', 'org1'], ['create', 'org2', '--user-id', 'user1']]) {
      const result = await expectFails(s, args, 2, 'invalid_config');
      expect(result.stderr).toContain(`config key ${key} must be a string`);
    }
    // Even when the environment names the caller: a bad file is named, not passed over.
    await expectFails(s, ['whoami'], 2, 'invalid_config', { env: { ORGS_USER_ID: 'user1' } });
    // config list still shows the file, to fix it, but never a secret.
    const listed = await s.ok(['config', 'list']);
    expect(listed.stdout).not.toContain('SECRET');
    expect(listed.json[key]).toEqual(key === 'api-key' ? 'a malformed key' : JSON.parse(text)[key]);
    await s.ok(['logout']);
    expect((await s.ok(['whoami'])).json).toEqual({ local_administrator: true, admin: true });
  });

  test('a whole file that is not an object is refused as such', async () => {
    writeConfig('["user2"]');
    const result = await expectFails(s, ['whoami'], 2, 'invalid_config');
    expect(result.stderr).toContain(`${configFile} is not a JSON object`);
  });

  test('orgs login replaces a bad login', async () => {
    writeConfig('{"user-id": 42, "restore-window": "2h"}');
    await s.ok(['login', '--user-id', 'user2']);
    expect(JSON.parse(readFileSync(configFile, 'utf8'))).toEqual({ 'restore-window': '2h', 'user-id': 'user2' });
    expect((await s.ok(['whoami'])).json).toEqual({ user_id: 'user2', admin: false });
  });

  test('a bad db value is named too, and config list shows it', async () => {
    writeConfig('{"db": 7}');
    const result = await expectFails(s, ['list'], 2, 'invalid_config', { env: { ORGS_DB: undefined } });
    expect(result.stderr).toContain('config key db must be a string');
    expect((await s.ok(['config', 'list'], { env: { ORGS_DB: undefined } })).json.db).toBe(7);
  });
});
