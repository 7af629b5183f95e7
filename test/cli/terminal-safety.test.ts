/**
 * What a hostile (or just international) user can put in front of an administrator: control
 * characters in tables, wide characters, long arguments; and the smaller rough edges of the
 * command line (help for an unknown command, malformed keys, collaborators' positional ID).
 */
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { TableWriter } from '../../src/cli/table.js';
import { ErrorStream } from '../../src/app/streams.js';
import { Progress } from '../../src/cli/progress.js';
import { expectFails, sandbox, type Sandbox } from '../helpers.js';

let s: Sandbox;
beforeEach(() => {
  s = sandbox();
});
afterEach(() => s.cleanup());

const TIMESTAMP = /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/g;
/** A block's lines, timestamps made constant. */
const linesOf = (stdout: string) => stdout.replace(TIMESTAMP, 'T').split('\n').slice(0, -1);
/** A table's lines from the header's NAME on (the columns before it are ASCII): alignment is the point. */
const fromName = (stdout: string) => {
  const lines = stdout.split('\n').slice(0, -1);
  const at = lines[0]!.indexOf('NAME');
  return lines.map((line) => line.slice(at));
};

describe('tables show what users typed, never act on it', () => {
  const hostile = 'evil\u001b[2J\u001b]0;owned\u0007\nsecond line\r\u009b\u2028';
  const escaped = 'evil\\u001b[2J\\u001b]0;owned\\u0007\\nsecond line\\r\\u009b\\u2028';

  test('a list: control characters escaped as in error lines, one row per organization', async () => {
    await s.ok(['create', 'evil', '--user-id', 'user1', '--name', hostile, '--description', '\u0007\t']);
    await s.ok(['create', 'plain', '--user-id', 'user1', '--name', 'Plain']);
    const { stdout } = await s.ok(['list', '--output-format', 'table', '--name', '--description']);
    expect(stdout).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029]/);
    expect(stdout.split('\n')).toHaveLength(4);
    expect(fromName(stdout)).toEqual([
      `NAME${' '.repeat(escaped.length - 4)}  DESCRIPTION`,
      `${escaped}  \\u0007\\t`,
      'Plain',
    ]);
  });

  test('a single organization, its attributes and a list of documents', async () => {
    await s.ok(['create', 'evil', '--user-id', 'user1', '--name', hostile, '--attributes', `key=${hostile}`]);
    const { stdout } = await s.ok(['get', 'evil', '--all', '--output-format', 'table']);
    expect(stdout).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029]/);
    expect(linesOf(stdout)).toEqual([
      'ORGANIZATION ID:         evil',
      'CREATED AT:              T',
      'UPDATED AT:              T',
      `NAME:                    ${escaped}`,
      `ATTRIBUTES:              key=${escaped}`,
      'ADMINISTRATIVE CONTACT:  user user1',
      'TECHNICAL CONTACT:       user user1',
    ]);
    const bulk = await s.ok(['create', '--user-id', 'user1', '--output-format', 'table'], {
      input: JSON.stringify({ ids: { organization_id: 'bulk-evil' }, description: hostile }),
    });
    expect(bulk.stdout).toContain(escaped);
    expect(bulk.stdout.trimEnd().split('\n')).toHaveLength(2);
  });
});

describe('tables align by display width', () => {
  test('CJK (two columns each), combining accents (none) and emoji line up with ASCII', async () => {
    for (const [id, name] of [
      ['wide', '漢字名前'],
      ['accent', 'cafe\u0301 re\u0301sume\u0301'],
      ['emoji', '👩‍💻 team'],
      ['ascii', 'abc'],
    ]) {
      await s.ok(['create', id!, '--user-id', 'user1', '--name', name!, '--description', 'end']);
    }
    const { stdout } = await s.ok(['list', '--output-format', 'table', '--name', '--description']);
    expect(fromName(stdout)).toEqual([
      'NAME         DESCRIPTION', // 'café résumé' is 11 columns wide
      'cafe\u0301 re\u0301sume\u0301  end',
      'abc          end',
      '👩‍💻 team      end',
      '漢字名前     end',
    ]);
  });

  test('key/value blocks too', () => {
    const text = new TableWriter({ color: false }).render({ 漢字: 'a', ab: 'b' });
    expect(text).toBe('漢字:  a\nAB:    b\n');
  });
});

test('bulk create as a table prints its header once, however many batches', async () => {
  const count = 2000; // well over one 64 KiB chunk of stdin, so several batches
  const input = Array.from({ length: count }, (_, i) =>
    JSON.stringify({ ids: { organization_id: `org-${i}` }, description: 'x'.repeat(60) }),
  ).join('\n');
  const { stdout } = await s.ok(['create', '--user-id', 'user1', '--output-format', 'table'], { input });
  const lines = stdout.trimEnd().split('\n');
  expect(lines.filter((line) => line.startsWith('ORGANIZATION ID'))).toHaveLength(1);
  expect(lines).toHaveLength(count + 1);
  // Every row has its description at the same column as the header says.
  const at = lines[0]!.indexOf('DESCRIPTION');
  for (const line of lines.slice(1)) expect(line.indexOf('x'.repeat(60))).toBe(at);
});

test('a table continued with a new column prints a header for it; widths only grow', () => {
  const table = new TableWriter({ color: false });
  expect(table.render([{ ids: { organization_id: 'a' } }])).toBe('ORGANIZATION ID\na\n');
  expect(table.render([{ ids: { organization_id: 'b' } }])).toBe('b\n');
  expect(table.render([{ ids: { organization_id: 'c' }, name: 'C' }])).toBe(
    'ORGANIZATION ID  NAME\nc                C\n',
  );
});

describe('the live progress line', () => {
  function fakeStderr() {
    const written: string[] = [];
    const target = { isTTY: true, write: (text: string) => written.push(text), on: () => target };
    return { stream: new ErrorStream(() => target as unknown as NodeJS.WriteStream), written };
  }

  test('is erased before any other line reaches stderr, and drawn again after it', async () => {
    const { stream, written } = fakeStderr();
    stream.live('1,000 organizations created (5,000/s)');
    void stream.write('error:bulk:invalid_json (item 3: …)\n');
    stream.live('2,000 organizations created (5,000/s)');
    stream.endLive();
    stream.endLive(); // nothing left to erase
    expect(written).toEqual([
      '\r\u001b[K1,000 organizations created (5,000/s)',
      '\r\u001b[K',
      'error:bulk:invalid_json (item 3: …)\n',
      '\r\u001b[K2,000 organizations created (5,000/s)',
      '\r\u001b[K',
    ]);
  });

  test('Progress draws through it', () => {
    const { stream, written } = fakeStderr();
    const progress = new Progress('organizations created', stream, () => 1000);
    progress.add(1);
    void stream.write('a note\n');
    progress.end();
    expect(written.slice(-2)).toEqual(['\r\u001b[K', 'a note\n']);
  });
});

test('config list is JSON even when output-format table is configured', async () => {
  await s.ok(['config', 'set', 'output-format', 'table']);
  const { json } = await s.ok(['config', 'list']);
  expect(json).toMatchObject({ 'output-format': 'table', 'restore-window': '24h', db: s.db });
  // The configured table is still what other commands print.
  await s.ok(['create', 'org1', '--user-id', 'user1']);
  expect((await s.ok(['list'])).stdout).toMatch(/^ORGANIZATION ID/);
});

describe('usage errors', () => {
  test('orgs help nosuch is an unknown command, as orgs nosuch is', async () => {
    const direct = await expectFails(s, ['nosuch'], 2, 'unknown_command');
    const help = await expectFails(s, ['help', 'nosuch'], 2, 'unknown_command');
    expect(help.stderr).toBe(direct.stderr);
    await expectFails(s, ['collaborators', 'help', 'nosuch'], 2, 'unknown_command');
    expect((await s.ok(['help'])).stdout).toMatch(/^Usage: orgs \[options\] \[command\]/);
    expect((await s.ok(['collaborators', 'help', 'get'])).stdout).toMatch(/^Usage: orgs collaborators get/);
    // A missing subcommand is still that.
    const missing = await s.run(['collaborators']);
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr.trimEnd().split('\n').at(-1)).toMatch(/^error:cli:missing_command /);
  });

  test.each([
    ['an unknown option', (long: string) => ['list', `--${long}`], 'unknown_option'],
    ['an option value', (long: string) => ['list', '--limit', long], 'invalid_argument'],
    ['an unknown command', (long: string) => [long], 'unknown_command'],
    ['help for an unknown command', (long: string) => ['help', long], 'unknown_command'],
  ])('%s of 120 KB is quoted shortened', async (_what, args, name) => {
    const long = 'x'.repeat(120_000);
    const result = await expectFails(s, args(long), 2, name);
    expect(result.stderr.length).toBeLessThan(300);
    expect(result.stderr).toMatch(/'(--)?x{38,40}…'/);
  });

  test.each([
    ['garbage', 'the API key is not of the form NNSXS.<id>.<secret>'],
    ['NNSXS.AAAA.BBBB', 'the API key is not of the form NNSXS.<id>.<secret>'],
    [
      `NNSXS.${'A'.repeat(39)}.${'B'.repeat(52)}`,
      `API key NNSXS.${'A'.repeat(39)}.… is unknown, deleted or does not match`,
    ],
  ])('API key %s: the message reads well', async (key, message) => {
    await s.ok(['create', 'org1', '--user-id', 'user1']);
    const result = await expectFails(s, ['whoami'], 4, 'unauthenticated', { env: { ORGS_API_KEY: key } });
    expect(result.stderr).toBe(`error:auth:unauthenticated (${message})\n`);
  });
});

describe('collaborators get, set and delete take the organization ID as their argument', () => {
  beforeEach(async () => {
    await s.ok(['create', 'org1', '--user-id', 'user1']);
    await s.ok(['create', 'org2', '--user-id', 'user1']);
  });

  test('as list does', async () => {
    await s.ok(['collaborators', 'set', 'org1', '--user-id', 'user2', '--right-organization-info']);
    expect((await s.ok(['collaborators', 'get', 'org1', '--user-id', 'user2'])).json).toEqual({
      ids: { user_ids: { user_id: 'user2' } },
      rights: ['RIGHT_ORGANIZATION_INFO'],
    });
    expect(
      (await s.ok(['collaborators', 'get', '--organization-id', 'org1', '--user-id', 'user2'])).json.rights,
    ).toEqual(['RIGHT_ORGANIZATION_INFO']);
    await s.ok(['collaborators', 'delete', 'org1', '--user-id', 'user2']);
    await expectFails(s, ['collaborators', 'get', 'org1', '--user-id', 'user2'], 3);
  });

  test.each([['get'], ['set', '--right-organization-all'], ['delete']])(
    '%s with two different IDs is refused',
    async (command, ...rights) => {
      const args = ['collaborators', command, 'org1', '--organization-id', 'org2', '--user-id', 'user1', ...rights];
      await expectFails(s, args, 2, 'conflicting_arguments');
    },
  );
});
