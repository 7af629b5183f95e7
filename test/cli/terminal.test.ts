/** orgs in a real terminal (tmux): tables a person reads, coloured unless NO_COLOR says otherwise. */
import { createReadStream, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { BIN, expectError, expectFails, needsTool, sandbox, type Sandbox } from '../helpers.js';

const hasTmux = needsTool('tmux');
const socket = `orgs-test-${process.pid}`;
const TMUX = ['-L', socket, '-f', '/dev/null'];
const tmux = (...args: string[]) => execa('tmux', [...TMUX, ...args]);

let s: Sandbox;
beforeAll(async () => {
  // A session of its own keeps the tmux server up between the tests' windows: killing the last
  // window would otherwise end the server as the next window starts on the same socket.
  if (hasTmux) await tmux('new-session', '-d', '-s', 'keep', 'sleep 86400');
  s = sandbox();
  await s.ok(['create', 'org1', '--user-id', 'user1', '--name', 'Org One']);
  await s.ok(['create', 'org2', '--user-id', 'user1']);
  await s.ok(['collaborators', 'set', '--organization-id', 'org1', '--user-id', 'user2', '--right-organization-info']);
});
afterAll(async () => {
  if (hasTmux) await execa('tmux', [...TMUX, 'kill-server'], { reject: false });
  await s.cleanup();
});

interface TerminalRun {
  env?: Record<string, string>;
  /** Keep colour escapes in the captured screen. */
  escapes?: boolean;
  /** Keys to type once the screen shows `when` (an answer to a prompt). */
  answer?: { when: string; keys: string[] };
}

/** Resolves once `text` has come through the FIFO at `path` (a window's output, piped there). */
function shows(path: string, text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const output = createReadStream(path, { encoding: 'utf8' });
    output.on('data', (chunk) => {
      seen += chunk;
      if (!seen.includes(text)) return;
      output.destroy();
      resolve();
    });
    output.on('error', reject);
    output.on('end', () => reject(new Error(`the terminal never showed ${JSON.stringify(text)}`)));
  });
}

/**
 * Runs `orgs …args` in a new 100×20 tmux window; the screen and exit code once it is done. The
 * window waits for a go (tmux wait-for) and signals when orgs has exited, so nothing here looks
 * at the screen until there is something to see; an answer is typed once the window's output,
 * piped to a FIFO, shows its question.
 */
async function terminal(args: string[], run: TerminalRun = {}): Promise<{ screen: string; exitCode: number }> {
  const env = run.env ?? {};
  const name = `w${Math.random().toString(36).slice(2, 8)}`;
  // The sandbox's NO_COLOR is for pipes; here it is set only when a test says so.
  const { NO_COLOR: _, ...store } = s.env;
  const vars = Object.entries({ ...store, ...env })
    .map(([k, v]) => `${k}='${v}'`)
    .join(' ');
  const unset = 'NO_COLOR' in env ? '' : '-u NO_COLOR';
  const inWindow = `tmux ${TMUX.join(' ')}`;
  const command =
    `${inWindow} wait-for go-${name}; env ${unset} ${vars} node ${BIN} ${args.join(' ')}; echo "[exit $?]"; ` +
    `${inWindow} wait-for -S done-${name}; sleep 60`;
  await tmux('new-session', '-d', '-s', name, '-x', '100', '-y', '20', command);
  let asked: Promise<void> | undefined;
  if (run.answer) {
    const fifo = join(s.dir, `${name}.fifo`);
    await execa('mkfifo', [fifo]);
    await tmux('pipe-pane', '-t', name, '-o', `cat > ${fifo}`);
    asked = shows(fifo, run.answer.when);
  }
  await tmux('wait-for', '-S', `go-${name}`);
  if (run.answer) {
    await asked;
    await tmux('send-keys', '-t', name, ...run.answer.keys);
  }
  await tmux('wait-for', `done-${name}`);
  const { stdout } = await tmux('capture-pane', '-p', ...(run.escapes ? ['-e'] : []), '-t', name);
  await tmux('kill-session', '-t', name);
  const done = /\[exit (\d+)\]/.exec(stdout);
  if (!done) throw new Error(`the window ended without an exit code: ${stdout}`);
  return { screen: stdout.slice(0, done.index).trimEnd(), exitCode: Number(done[1]) };
}

const screen = async (args: string[], env: Record<string, string> = {}, escapes = false) =>
  (await terminal(args, { env, escapes })).screen;

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

  test('purge asks on a terminal: y purges, anything else keeps the organization', async () => {
    await s.ok(['create', 'gone', '--user-id', 'user1']);
    await s.ok(['create', 'kept', '--user-id', 'user1']);
    const question = 'Purge organization';
    const no = await terminal(['purge', 'kept'], { answer: { when: '[y/N]', keys: ['n', 'Enter'] } });
    expect(no.screen).toContain(question);
    expect(no.exitCode).toBe(5);
    expect(no.screen).toContain('error:cli:no_confirmation (not confirmed)');
    const yes = await terminal(['purge', 'gone'], { answer: { when: '[y/N]', keys: ['y', 'Enter'] } });
    expect(yes.exitCode).toBe(0);
    const left = (await s.ok(['list'])).json.map((o: { ids: { organization_id: string } }) => o.ids.organization_id);
    expect(left).toContain('kept');
    expect(left).not.toContain('gone');
  });

  test('Ctrl-C at the prompt interrupts (130), Ctrl-D is no answer (5); the error gets a line of its own', async () => {
    await s.ok(['create', 'asked', '--user-id', 'user1']);
    const interrupted = await terminal(['purge', 'asked'], { answer: { when: '[y/N]', keys: ['C-c'] } });
    expect(interrupted.exitCode).toBe(130);
    expect(interrupted.screen.split('\n')).toEqual([
      expect.stringMatching(/^Purge organization .*\[y\/N\]\s*$/),
      'error:cli:interrupted (interrupted at the confirmation prompt)',
    ]);
    const ended = await terminal(['purge', 'asked'], { answer: { when: '[y/N]', keys: ['C-d'] } });
    expect(ended.exitCode).toBe(5);
    expect(ended.screen.split('\n')).toEqual([
      expect.stringMatching(/^Purge organization .*\[y\/N\]\s*$/),
      'error:cli:no_confirmation (not confirmed)',
    ]);
    expect((await s.ok(['get', 'asked'])).json.ids.organization_id).toBe('asked');
  });

  test('bulk failures reported while the progress line is live start on a clean line', async () => {
    // Over one 64 KiB chunk of input before the bad document: the progress line is drawn by then.
    const input = join(s.dir, 'progress.jsonl');
    const good = Array.from(
      { length: 1500 },
      (_, i) => `{"ids":{"organization_id":"live-${i}"},"name":"${'n'.repeat(40)}"}\n`,
    );
    writeFileSync(input, `${good.join('')}{"ids":{"organization_id":"Bad"}}\n`);
    const run = await terminal(['create', '--user-id', 'user1', '<', input, '>', '/dev/null']);
    expect(run.exitCode).toBe(2);
    const lines = run.screen.split('\n'); // the first error line wraps at 100 columns
    expect(lines[0]).toMatch(/^error:validate:invalid_organization_id \(item 1501 \(line 1501\), Bad: /);
    expect(lines.at(-1)).toBe('error:bulk:items_failed (1 of 1501 organizations failed, 1500 created)');
    expect(run.screen).not.toContain('organizations created (');
  });

  test('deleting the API key the login uses asks first; without a terminal it needs --force', async () => {
    const created = await s.ok(['api-keys', 'create', 'org1', '--right-organization-all']);
    const { id, key } = created.json as { id: string; key: string };
    await s.ok(['login', '--api-key', key]);
    try {
      const no = await terminal(['api-keys', 'delete', 'org1', id], {
        answer: { when: '[y/N]', keys: ['n', 'Enter'] },
      });
      expect(no.screen).toContain(`API key ${id} is the one orgs login uses`);
      expect(no.exitCode).toBe(5);
      expect((await s.ok(['whoami'])).json).toEqual({ api_key_id: id, organization_id: 'org1' });
      await expectFails(s, ['api-keys', 'delete', 'org1', id], 5, 'no_confirmation');
      await s.ok(['api-keys', 'delete', 'org1', id, '--force']);
      expectError(await s.run(['whoami']), 4, 'unauthenticated');
    } finally {
      await s.ok(['logout']);
    }
  });
});
