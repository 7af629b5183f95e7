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
