/** orgs in a real terminal (tmux): tables a person reads, coloured unless NO_COLOR says otherwise. */
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { BIN, sandbox, type Sandbox } from '../helpers.js';

const hasTmux = (await execa('tmux', ['-V'], { reject: false }).catch(() => ({ exitCode: 1 }))).exitCode === 0;
const socket = `orgs-test-${process.pid}`;
const tmux = (...args: string[]) => execa('tmux', ['-L', socket, '-f', '/dev/null', ...args]);

let s: Sandbox;
beforeAll(async () => {
  s = sandbox();
  await s.ok(['create', 'org1', '--user-id', 'user1', '--name', 'Org One']);
  await s.ok(['create', 'org2', '--user-id', 'user1']);
  await s.ok(['collaborators', 'set', '--organization-id', 'org1', '--user-id', 'user2', '--right-organization-info']);
});
afterAll(async () => {
  if (hasTmux) await execa('tmux', ['-L', socket, 'kill-server'], { reject: false });
  s.cleanup();
});

/** Runs `orgs …args` in a new 100×20 tmux window and returns the screen once the command is done. */
async function screen(args: string[], env: Record<string, string> = {}, escapes = false): Promise<string> {
  const name = `w${Math.random().toString(36).slice(2, 8)}`;
  // The sandbox's NO_COLOR is for pipes; here it is set only when a test says so.
  const { NO_COLOR: _, ...store } = s.env;
  const vars = Object.entries({ ...store, ...env })
    .map(([k, v]) => `${k}='${v}'`)
    .join(' ');
  const unset = 'NO_COLOR' in env ? '' : '-u NO_COLOR';
  const command = `env ${unset} ${vars} node ${BIN} ${args.join(' ')}; echo '[done]'; sleep 60`;
  await tmux('new-session', '-d', '-s', name, '-x', '100', '-y', '20', command);
  for (let i = 0; i < 100; i++) {
    const { stdout } = await tmux('capture-pane', '-p', ...(escapes ? ['-e'] : []), '-t', name);
    if (stdout.includes('[done]')) {
      await tmux('kill-session', '-t', name);
      return stdout.slice(0, stdout.indexOf('[done]')).trimEnd();
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('the command did not finish in the terminal');
}

describe.skipIf(!hasTmux)('in a terminal', () => {
  test('orgs list --output-format table shows aligned columns', async () => {
    const text = await screen(['list', '--output-format', 'table', '--name']);
    expect(text.split('\n').map((line) => line.trimEnd())).toEqual([
      expect.stringMatching(/^ORGANIZATION ID {2}CREATED AT {16}UPDATED AT {16}NAME$/),
      expect.stringMatching(/^org1 {13}\d{4}-\d\d-\d\dT[\d:.]{12}Z {2}\d{4}-\d\d-\d\dT[\d:.]{12}Z {2}Org One$/),
      expect.stringMatching(/^org2 {13}\d{4}-\d\d-\d\dT[\d:.]{12}Z {2}\d{4}-\d\d-\d\dT[\d:.]{12}Z$/),
    ]);
  });

  test('orgs collaborators list org1 --output-format table shows rights by group', async () => {
    const text = await screen(['collaborators', 'list', 'org1', '--output-format', 'table']);
    expect(text.split('\n').map((line) => line.trimEnd())).toEqual([
      'USER ID  RIGHTS',
      'user1    all',
      'user2    organization: info',
    ]);
  });

  test('colour on a terminal, none with NO_COLOR; JSON is never coloured', async () => {
    const coloured = await screen(['list', '--output-format', 'table'], {}, true);
    expect(coloured).toContain('\u001b[1m');
    const plain = await screen(['list', '--output-format', 'table'], { NO_COLOR: '1' }, true);
    expect(plain).not.toMatch(/\u001b\[(1|36)m/);
    const json = await screen(['list'], {}, true);
    expect(json).not.toMatch(/\u001b\[(1|36)m/);
    expect(json).toContain('"organization_id": "org1"');
  });
});
