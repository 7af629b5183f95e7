/**
 * `orgs events --names /regular expression/` and the Console's `events?names=`: a pattern that a
 * backtracking engine takes a minute per event to refuse answers at once (the matcher follows
 * every path at the same time), what only backtracking can match is refused with the reason
 * (exit 2, 400), and the patterns ttn-lw-cli users write match as before.
 */
import { execa } from 'execa';
import { describe, expect, test } from 'vitest';
import { BIN, errorName, shared } from '../helpers.js';

/** Exponential on V8's backtracking engine: about a minute per event name of 30 characters. */
const CATASTROPHIC = '/^(([a-z.-]+)+)+X$/';

const names = (stdout: string) => [...stdout.matchAll(/^ {2}"name": "([^"]+)"/gm)].map((m) => m[1]);

describe('events --names with a regular expression', () => {
  const box = shared(async (s) => {
    await s.ok(['create', 'org1', '--user-id', 'user1']);
    await s.ok(['collaborators', 'set', 'org1', '--user-id', 'user2', '--right-organization-info']);
    await s.ok(['applications', 'create', 'app1', '--organization-id', 'org1']);
    await s.ok(['set', 'org1', '--name', 'One']);
  });

  test('a pattern that explodes on a backtracking engine answers within the test’s timeout, over every event', async () => {
    const result = await box.s.run(['events', '--names', CATASTROPHIC]);
    expect(result).toMatchObject({ exitCode: 0, stdout: '', stderr: '' });
    // The same pattern where it does match.
    const matched = await box.s.ok(['events', '--names', '/^(([a-z.-]+)+)+e$/']);
    expect(names(matched.stdout)).toEqual([
      'user.create',
      'organization.create',
      'user.create',
      'organization.collaborator.update',
      'application.create',
      'organization.update',
    ]);
  });

  test('ttn-lw-cli’s patterns: /^organization\\./, /collaborator/, alternatives and classes', async () => {
    const run = async (pattern: string) => names((await box.s.ok(['events', '--names', pattern])).stdout);
    expect(await run('/^organization\\./')).toEqual([
      'organization.create',
      'organization.collaborator.update',
      'organization.update',
    ]);
    expect(await run('/collaborator/')).toEqual(['organization.collaborator.update']);
    expect(await run('/^(user|application)\\.[a-z]+$/')).toEqual(['user.create', 'user.create', 'application.create']);
  });

  test.each([
    ['/(user)\\.\\1/', 'backreferences'],
    ['/^(?=user)/', 'lookaround'],
    ['/(?<!organization)\\.create/', 'lookaround'],
    ['/a{5000}/', 'repeats more than 1000 times'],
    ['/(unclosed/', 'unterminated group'],
  ])('%s is refused, exit 2, saying why', async (pattern, why) => {
    const result = await box.s.run(['events', '--names', pattern]);
    expect(result.exitCode).toBe(2);
    expect(result.stdout).toBe('');
    expect(errorName(result)).toBe('invalid_names');
    expect(result.stderr).toContain(why);
  });

  test('the Console: the same pattern answers at once, a refused one is a 400', async () => {
    const s = box.s;
    const key = (await s.ok(['api-keys', 'create', 'org1', '--right-organization-all'])).json.key;
    const child = execa('node', [BIN, 'console', '--no-open'], {
      env: { ...s.env, ORGS_USER_ID: undefined, ORGS_API_KEY: undefined },
      extendEnv: true,
      reject: false,
      stdin: 'ignore',
    });
    try {
      const origin = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout!.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          if (out.includes('\n')) resolve(new URL(out.split('\n')[0]!).origin);
        });
        child.once('exit', () => reject(new Error(`orgs console exited early: ${out}`)));
      });
      const get = async (names: string) => {
        const response = await fetch(`${origin}/api/v3/events?names=${encodeURIComponent(names)}`, {
          headers: { authorization: `Bearer ${key}` },
        });
        return { status: response.status, body: (await response.json()) as any };
      };
      expect(await get(CATASTROPHIC)).toEqual({ status: 200, body: [] });
      const refused = await get('/(a)\\1/');
      expect(refused.status).toBe(400);
      expect(refused.body.details[0].name).toBe('invalid_names');
      expect(refused.body.message).toContain('backreferences');
      const ordinary = await get('/collaborator/');
      expect(ordinary.body.map((e: { name: string }) => e.name)).toEqual(['organization.collaborator.update']);
    } finally {
      child.kill('SIGKILL');
    }
  });
});
