/**
 * A reader that goes away (`orgs … | head -1`): orgs stops quietly, as git and grep do: no stack
 * trace, no error line, exit 0 or 141, the store intact; bulk create stops after the batch in
 * hand, and every organization the reader saw is stored.
 */
import { spawn } from 'node:child_process';
import { openSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { BIN, storeRows, onPostgres, storeQuery, sandbox, type Sandbox } from '../helpers.js';

const QUIET_EXIT_CODES = [0, 141];
/** Well past a pipe's buffer (64 KiB) in JSON, in several stdin chunks (64 KiB each) of input. */
const COUNT = 3000;
const description = 'd'.repeat(100);

let s: Sandbox;
let bulkInput: string;
beforeAll(async () => {
  s = sandbox();
  const documents = (prefix: string) =>
    Array.from({ length: COUNT }, (_, i) => JSON.stringify({ ids: { organization_id: `${prefix}-${i}` }, description }))
      .join('\n')
      .concat('\n');
  await s.ok(['create', '--user-id', 'user1'], { input: documents('seed') });
  bulkInput = join(s.dir, 'bulk.jsonl');
  writeFileSync(bulkInput, documents('bulk'));
});
afterAll(() => s.cleanup());

interface Piped {
  /** What the reader received. */
  seen: string;
  stderr: string;
  exitCode: number;
}

/** `orgs …args | reader` in bash with pipefail: the exit code is orgs's unless the reader fails. */
async function pipedInto(args: string[], reader: string, stdinFile?: string): Promise<Piped> {
  const quoted = args.map((arg) => `'${arg}'`).join(' ');
  const script = `set -o pipefail; node '${BIN}' ${quoted} ${stdinFile ? `< '${stdinFile}'` : ''} | ${reader}`;
  const result = await execa('bash', ['-c', script], { env: s.env, reject: false, stripFinalNewline: false });
  return { seen: String(result.stdout), stderr: String(result.stderr), exitCode: result.exitCode ?? -1 };
}

/** `orgs …args` whose stdout is closed before it writes a byte: every write meets EPIPE. */
async function closedBeforeWriting(args: string[], stdinFile?: string): Promise<Omit<Piped, 'seen'>> {
  const child = spawn('node', [BIN, ...args], {
    env: { ...process.env, ...s.env },
    stdio: [stdinFile ? openSync(stdinFile, 'r') : 'ignore', 'pipe', 'pipe'],
  });
  child.stdout!.destroy();
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exitCode = await new Promise<number>((resolve) => child.on('close', (code) => resolve(code ?? -1)));
  return { stderr, exitCode };
}

function expectQuiet(result: { stderr: string; exitCode: number }): void {
  expect(result.stderr, 'nothing on stderr: no stack trace, no error line').toBe('');
  expect(QUIET_EXIT_CODES).toContain(result.exitCode);
}

/** The stored organization IDs LIKE the pattern, once an SQLite store has passed its integrity check. */
async function storedIds(pattern: string): Promise<Set<string>> {
  if (!onPostgres) {
    const db = new Database(s.db, { readonly: true });
    try {
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    } finally {
      db.close();
    }
  }
  return new Set(await storeQuery(s.db, `SELECT id FROM organizations WHERE id LIKE '${pattern}'`));
}

describe('a reader that stops early', () => {
  test('orgs list --limit 1000 --all | head -1', async () => {
    const result = await pipedInto(['list', '--limit', '1000', '--all'], 'head -1');
    expect(result.seen).toBe('[\n');
    expectQuiet(result);
  });

  test('orgs create --help | head -1', async () => {
    const result = await pipedInto(['create', '--help'], 'head -1');
    expect(result.seen).toMatch(/^Usage: orgs create/);
    expectQuiet(result);
  });

  test('orgs completion zsh | head -3', async () => {
    const result = await pipedInto(['completion', 'zsh'], 'head -3');
    expect(result.seen.split('\n')).toHaveLength(4);
    expectQuiet(result);
  });

  test('bulk create | head -c 4000: stops after the batch in hand, everything seen is stored', async () => {
    const result = await pipedInto(['create', '--user-id', 'user1'], 'head -c 4000', bulkInput);
    expectQuiet(result);
    expect(result.seen).toHaveLength(4000);
    const seen = [...result.seen.matchAll(/"organization_id": "(bulk-\d+)"/g)].map((m) => m[1]!);
    expect(seen.length).toBeGreaterThan(0);
    const stored = await storedIds('bulk-%');
    for (const id of seen) expect(stored).toContain(id);
    expect(stored.size, 'stopped early instead of creating everything').toBeLessThan(COUNT);
  });
});

describe('a reader gone before the first byte, for every kind of writer', () => {
  test.each(
    [
      ['list', '--limit', '1000', '--all'],
      ['get', 'seed-1', '--all'],
      ['--help'],
      ['create', '--help'],
      ['--version'],
      ['completion', 'bash'],
      ['config', 'get', 'db'],
      ['config', 'path'],
      ['config', 'list'],
      ['rights', 'seed-1'],
      ['list', '--output-format', 'table', '--limit', '1000'],
    ].map((args) => [args.join(' '), args] as const),
  )('orgs %s', async (_command, args) => {
    const before = await storeRows(s.db);
    expectQuiet(await closedBeforeWriting(args));
    expect(await storeRows(s.db)).toEqual(before);
  });

  test('a single create is stored though nobody read what it printed', async () => {
    expectQuiet(await closedBeforeWriting(['create', 'unread', '--user-id', 'user1']));
    expect(await storedIds('unread')).toEqual(new Set(['unread']));
  });

  test('bulk create stops after its first batch', async () => {
    const file = join(s.dir, 'first-batch.jsonl');
    writeFileSync(
      file,
      Array.from(
        { length: COUNT },
        (_, i) => `{"ids":{"organization_id":"first-${i}"},"description":"${description}"}\n`,
      ).join(''),
    );
    expectQuiet(await closedBeforeWriting(['create', '--user-id', 'user1'], file));
    const stored = await storedIds('first-%');
    expect(stored.size).toBeGreaterThan(0);
    expect(stored.size).toBeLessThan(COUNT);
  });
});

test('a closed stderr is no crash either: the exit code stays that of the error', async () => {
  const child = spawn('node', [BIN, 'get', 'nosuch'], {
    env: { ...process.env, ...s.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stderr.destroy();
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  const exitCode = await new Promise<number>((resolve) => child.on('close', (code) => resolve(code ?? -1)));
  expect(exitCode).toBe(3);
  expect(stdout).toBe('');
});
