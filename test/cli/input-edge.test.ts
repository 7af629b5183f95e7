/**
 * Input at the edges (issue 18): credentials set but empty, NUL in text, bidirectional controls,
 * and the command line as a newcomer types it.
 */
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { expectFails, sandbox, type Sandbox } from '../helpers.js';

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
