#!/usr/bin/env node
// npm run crash: kill -9 a 20,000-organization bulk create at random moments, ten times; after
// each kill the store must pass integrity_check and hold every organization that was printed.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import Database from 'better-sqlite3';

const BIN = resolve(import.meta.dirname, '..', 'bin', 'orgs.js');
const ROUNDS = Number(process.env.ROUNDS ?? 10);
const ITEMS = Number(process.env.ITEMS ?? 20_000);

function* documents(round) {
  for (let i = 0; i < ITEMS; i++)
    yield `{"ids":{"organization_id":"r${round}-org-${i}"},"name":"Round ${round} item ${i}"}\n`;
}

/** The IDs of the complete JSON documents printed so far (a document cut by the kill is not one). */
function printedIds(stdout) {
  const complete = stdout.slice(0, stdout.lastIndexOf('\n}\n') + 3);
  return [...complete.matchAll(/"organization_id": "([^"]+)"/g)].map((m) => m[1]);
}

/**
 * Runs one bulk create, killed `killAfter` ms after its first printed organization (never, when
 * undefined); checks the store and returns how long the run lasted from the first print.
 */
async function round(n, killAfter) {
  const dir = mkdtempSync(join(tmpdir(), 'orgs-crash-'));
  try {
    const db = join(dir, 'orgs.db');
    const child = spawn('node', [BIN, 'create', '--user-id', 'user1'], {
      env: { ...process.env, ORGS_DB: db, ORGS_CONFIG_DIR: join(dir, 'config') },
      stdio: ['pipe', 'pipe', 'ignore'],
    });
    let stdout = '';
    let timer;
    let firstPrint;
    child.stdout.setEncoding('utf8').on('data', (chunk) => {
      stdout += chunk;
      firstPrint ??= Date.now();
      if (killAfter !== undefined) timer ??= setTimeout(() => child.kill('SIGKILL'), killAfter);
    });
    child.stdin.on('error', () => {}); // EPIPE once the child is dead
    Readable.from(documents(n)).pipe(child.stdin);
    const [code, signal] = await new Promise((done) => child.on('exit', (c, s) => done([c, s])));
    const duration = Date.now() - (firstPrint ?? Date.now());
    clearTimeout(timer);
    const printed = printedIds(stdout);
    const store = new Database(db, { readonly: true });
    const integrity = store.pragma('integrity_check', { simple: true });
    const exists = store.prepare('SELECT 1 FROM organizations WHERE id = ?');
    const missing = printed.filter((id) => !exists.get(id)).length;
    const stored = store.prepare('SELECT count(*) FROM organizations').pluck().get();
    store.close();
    const how = signal === 'SIGKILL' ? `killed ${killAfter} ms after the first print` : `finished (exit ${code})`;
    console.log(
      `round ${n}: ${how}: ${printed.length} printed, ${stored} stored, ${missing} printed but missing, integrity ${integrity}`,
    );
    return { sound: missing === 0 && integrity === 'ok', killed: signal === 'SIGKILL', duration };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// A first, uninterrupted run says how long a bulk create lasts here; the kills fall within it.
const { duration } = await round(0, undefined);
let good = 0;
for (let n = 1; n <= ROUNDS; n++) {
  const result = await round(n, Math.floor(Math.random() * duration * 0.9));
  if (result.sound && result.killed) good++;
}
console.log(`${good}/${ROUNDS} rounds killed mid-write: store sound and every printed organization present`);
process.exitCode = good === ROUNDS ? 0 : 1;
