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

async function round(n, dir) {
  const db = join(dir, 'orgs.db');
  const child = spawn('node', [BIN, 'create', '--user-id', 'user1'], {
    env: { ...process.env, ORGS_DB: db, ORGS_CONFIG_DIR: join(dir, 'config') },
    stdio: ['pipe', 'pipe', 'ignore'],
  });
  // The kill comes at a random moment after the first organization is printed.
  const delay = Math.floor(Math.random() * 2500);
  let stdout = '';
  let timer;
  child.stdout.setEncoding('utf8').on('data', (chunk) => {
    stdout += chunk;
    timer ??= setTimeout(() => child.kill('SIGKILL'), delay);
  });
  child.stdin.on('error', () => {}); // EPIPE once the child is dead
  Readable.from(documents(n)).pipe(child.stdin);
  const [code, signal] = await new Promise((done) => child.on('exit', (c, s) => done([c, s])));
  clearTimeout(timer);
  const printed = printedIds(stdout);
  const store = new Database(db, { readonly: true });
  const integrity = store.pragma('integrity_check', { simple: true });
  const exists = store.prepare('SELECT 1 FROM organizations WHERE id = ?');
  const missing = printed.filter((id) => !exists.get(id)).length;
  const stored = store.prepare(`SELECT count(*) FROM organizations WHERE id LIKE 'r${n}-%'`).pluck().get();
  store.close();
  const how = signal === 'SIGKILL' ? `killed ${delay} ms after the first print` : `finished first (exit ${code})`;
  console.log(
    `round ${n}: ${how}: ${printed.length} printed, ${stored} stored, ${missing} printed but missing, integrity ${integrity}`,
  );
  return missing === 0 && integrity === 'ok';
}

let good = 0;
for (let n = 1; n <= ROUNDS; n++) {
  const dir = mkdtempSync(join(tmpdir(), 'orgs-crash-'));
  try {
    if (await round(n, dir)) good++;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
console.log(`${good}/${ROUNDS} rounds: store sound and every printed organization present`);
process.exitCode = good === ROUNDS ? 0 : 1;
