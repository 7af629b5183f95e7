/**
 * Input at the edges (issue 18): credentials set but empty, NUL in text, bidirectional controls,
 * and the command line as a newcomer types it.
 */
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { expectError, expectFails, sandbox, type Sandbox } from '../helpers.js';

let s: Sandbox;
beforeEach(() => {
  s = sandbox();
});
afterEach(() => s.cleanup());

describe('an empty credential is not no credential', () => {
  test.each(['ORGS_API_KEY', 'ORGS_USER_ID'])('%s set but empty: exit 2, nothing purged', async (variable) => {
    await s.ok(['create', 'org1', '--user-id', 'user1']);
    const result = await expectFails(s, ['purge', 'org1', '--force'], 2, `empty_${variable.toLowerCase()}`, {
      env: { [variable]: '' },
    });
    expect(result.stderr).toContain(`${variable} is set but empty`);
  });
});

describe('bidirectional controls reach the terminal escaped, as control characters do', () => {
  // U+061C, U+200E-200F, U+202A-202E, U+2066-2069: each can reorder what follows it on the line.
  const BIDI = '\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069';
  const ESCAPED = '\\u061c\\u200e\\u200f\\u202a\\u202b\\u202c\\u202d\\u202e\\u2066\\u2067\\u2068\\u2069';
  const RAW = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

  test('in a table, every row keeps its columns in order', async () => {
    await s.ok(['create', 'evil', '--user-id', 'user1', '--name', `a${BIDI}b`, '--description', 'end']);
    const { stdout } = await s.ok(['list', '--output-format', 'table', '--name', '--description']);
    expect(stdout).not.toMatch(RAW);
    const [header, row] = stdout.split('\n');
    expect(row).toContain(`a${ESCAPED}b`);
    expect(row!.indexOf('end')).toBe(header!.indexOf('DESCRIPTION'));
  });

  test('in an error line', async () => {
    const result = await s.run(['get', `x${BIDI}y`]);
    expectError(result, 2, 'invalid_organization_id');
    expect(result.stderr).not.toMatch(RAW);
    expect(result.stderr).toContain(`x${ESCAPED}y`);
  });
});

describe('--help of the commands that take rights: their own group first, words rather than flags', () => {
  /** The `--right-*` lines of a help text: each flag and what the help says of it. */
  function rightLines(help: string): Array<{ flag: string; said: string }> {
    return [...help.matchAll(/^ {2}(--right-[a-z-]+) +(.*)$/gm)].map(([, flag, said]) => ({
      flag: flag!,
      said: said!,
    }));
  }
  const groupOf = (flag: string) => /^--right-(application|client|gateway|organization)-/.exec(flag)![1];

  test.each([
    [['collaborators', 'set'], 'organization'],
    [['api-keys', 'create'], 'organization'],
    [['api-keys', 'set'], 'organization'],
    [['apps', 'collaborators', 'set'], 'application'],
    [['clients', 'collaborators', 'set'], 'client'],
    [['gateways', 'rights'], 'gateway'],
  ])('orgs %j --help', async (command, own) => {
    const lines = rightLines((await s.ok([...command, '--help'])).stdout);
    expect(lines.length).toBeGreaterThan(0);
    expect(groupOf(lines[0]!.flag)).toBe(own);
    const groups = lines.map(({ flag }) => groupOf(flag));
    // Each group in one run, its ..._ALL last.
    const runs = groups.filter((group, i) => group !== groups[i - 1]);
    expect(new Set(runs).size).toBe(runs.length);
    lines.forEach(({ flag }, i) => {
      const lastOfGroup = groups[i + 1] !== groups[i];
      expect(flag.endsWith('-all'), flag).toBe(lastOfGroup);
    });
    for (const { flag, said } of lines) {
      expect(said, flag).not.toMatch(/RIGHT_|^$/);
      expect(said.split(' ').length, `${flag}: ${said}`).toBeGreaterThan(2);
    }
  });
});

describe('the command line as a newcomer types it', () => {
  test.each([
    [['create', 'org1', '--name', 'My', 'first', 'org'], '--name "My first org"'],
    [['create', 'org1', '--description', 'For', 'the', 'team', '--name', 'x'], '--description "For the team"'],
    [['api-keys', 'create', 'org1', '--right-organization-info', '--name', 'CI', 'key'], '--name "CI key"'],
  ])('words after --name or --description: quote them (%j)', async (args, quoted) => {
    const result = await expectFails(s, args, 2, 'excess_arguments');
    expect(result.stderr).toContain(`quote a name with spaces: ${quoted}`);
  });

  test('too many arguments without such a flag says only that', async () => {
    const result = await expectFails(s, ['create', 'org1', 'org2'], 2, 'excess_arguments');
    expect(result.stderr).not.toContain('quote');
  });

  test.each([
    [['collaborators', 'set', 'org1', '--user-id', 'u1', '--right-org-info'], '--right-organization-info'],
    [
      ['apps', 'collaborators', 'set', 'app1', '--user-id', 'u1', '--right-app-devices-read'],
      '--right-application-devices-read',
    ],
    [['gateways', 'rights', 'gtw1', '--right-gtw-info'], '--right-gateway-info'],
    [['apps', 'create', 'app1', '--org-id', 'org1'], '--organization-id'],
  ])('an abbreviated flag: the full one is suggested (%j)', async (args, full) => {
    const result = await expectFails(s, args, 2, 'unknown_option');
    expect(result.stderr).toContain(`Did you mean ${full}?`);
  });

  test.each([
    ['organisations', 'organizations'],
    ['organisation', 'organization'],
  ])('orgs %s list: the American spelling is suggested', async (word, suggested) => {
    const result = await expectFails(s, [word, 'list'], 2, 'unknown_command');
    expect(result.stderr).toContain(`Did you mean ${suggested}?`);
  });

  test('--api-key-expiry with a date alone is the start of that day in UTC', async () => {
    await s.ok(['create', 'org1', '--user-id', 'user1']);
    const created = await s.ok([
      'api-keys',
      'create',
      'org1',
      '--right-organization-info',
      '--api-key-expiry',
      '2030-01-31',
    ]);
    expect(created.json.expires_at).toBe('2030-01-31T00:00:00.000Z');
    await s.ok(['api-keys', 'set', 'org1', created.json.id, '--api-key-expiry', '2031-02-28']);
    const changed = await s.ok(['api-keys', 'get', 'org1', created.json.id]);
    expect(changed.json.expires_at).toBe('2031-02-28T00:00:00.000Z');
    await expectFails(
      s,
      ['api-keys', 'create', 'org1', '--right-organization-info', '--api-key-expiry', '2030-02-30'],
      2,
      'expiry_date_format_invalid',
    );
  });
});
