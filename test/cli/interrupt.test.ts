/** Ctrl-C during a bulk create: what was printed stays, the rest is not read, exit 130. */
import { execa } from 'execa';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { BIN, storeRows, sandbox, untilOutput, type Sandbox } from '../helpers.js';

let s: Sandbox;
beforeEach(() => {
  s = sandbox();
});
afterEach(() => s.cleanup());

test('SIGINT while waiting for more input stops after the committed batch, with exit 130', async () => {
  const child = execa('node', [BIN, 'create', '--user-id', 'user1'], { env: s.env, reject: false });
  child.stdin!.write('{"ids":{"organization_id":"first"}}\n{"ids":{"organization_id":"second"}}\n');
  let printed = '';
  child.stdout!.on('data', (chunk: Buffer) => (printed += chunk.toString()));
  await untilOutput(child.stdout!, () => printed.includes('"second"'), 'the second organization');
  child.kill('SIGINT'); // stdin stays open: orgs is waiting for the next document
  const result = await child;
  expect(result.exitCode).toBe(130);
  // One line, the error: nothing else on stderr.
  expect(String(result.stderr)).toMatch(/^error:cli:interrupted \(interrupted; 2 organizations were created [^\n]*\)$/);
  const organizations = (await storeRows(s.db))!.organizations!.map((row) => JSON.parse(row).id);
  expect(organizations.sort()).toEqual(['first', 'second']);
});
