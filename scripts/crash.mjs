#!/usr/bin/env node
// npm run crash: kill -9 a 20,000-organization bulk create at random moments until ROUNDS (ten)
// kills have landed mid-write (fewer organizations stored than sent); after every kill the store
// must pass integrity_check and foreign_key_check, hold every organization that was printed, and
// give each organization its collaborator (user1 with RIGHT_ALL), and hold the events of exactly
// the changes that committed: one organization.create per stored organization, none for an
// organization not stored, all in the one correlation of the command. A kill that came after the
// last commit proves nothing: it is counted apart and tried again, earlier.
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
    const foreignKeys = store.pragma('foreign_key_check').length;
    const exists = store.prepare('SELECT 1 FROM organizations WHERE id = ?');
    const missing = printed.filter((id) => !exists.get(id)).length;
    const stored = store.prepare('SELECT count(*) FROM organizations').pluck().get();
    const noCollaborator = store
      .prepare(
        `SELECT count(*) FROM organizations o WHERE NOT EXISTS (
           SELECT 1 FROM memberships m, json_each(m.rights) r
           WHERE m.organization_id = o.id AND m.user_id = 'user1' AND r.value = 'RIGHT_ALL')`,
      )
      .pluck()
      .get();
    // The audit trail, both ways: each stored organization has exactly one organization.create
    // (found through its identifier row), and each organization.create names a stored one.
    const withoutOneEvent = store
      .prepare(
        `SELECT count(*) FROM organizations o WHERE (
           SELECT count(*) FROM event_identifiers i JOIN events e ON e.seq = i.seq
           WHERE i.identifier = 'organization:' || o.id AND e.name = 'organization.create') != 1`,
      )
      .pluck()
      .get();
    const createEvents = store.prepare(`SELECT count(*) FROM events WHERE name = 'organization.create'`).pluck().get();
    const eventsWithoutChange = store
      .prepare(
        `SELECT count(*) FROM events e WHERE e.name = 'organization.create' AND NOT EXISTS (
           SELECT 1 FROM event_identifiers i JOIN organizations o ON i.identifier = 'organization:' || o.id
           WHERE i.seq = e.seq)`,
      )
      .pluck()
      .get();
    const correlations = store
      .prepare(`SELECT count(DISTINCT json_extract(body, '$.correlationIds[0]')) FROM events`)
      .pluck()
      .get();
    const userCreates = store.prepare(`SELECT count(*) FROM events WHERE name = 'user.create'`).pluck().get();
    store.close();
    const eventsMatch =
      withoutOneEvent === 0 &&
      eventsWithoutChange === 0 &&
      createEvents === stored &&
      (stored === 0 ? correlations <= 1 : correlations === 1 && userCreates === 1);
    const killed = signal === 'SIGKILL';
    const midWrite = killed && stored < ITEMS;
    const how = !killed
      ? `finished (exit ${code})`
      : `killed ${killAfter} ms after the first print${midWrite ? '' : ', after the last commit'}`;
    console.log(
      `round ${n}: ${how}: ${printed.length} printed, ${stored}/${ITEMS} stored, ${missing} printed but missing, ` +
        `${noCollaborator} without their collaborator, ${foreignKeys} foreign key violations, integrity ${integrity}; ` +
        `committed changes ${eventsMatch ? '=' : '≠'} events: ${createEvents} organization.create events, ` +
        `${withoutOneEvent} organizations without exactly one, ${eventsWithoutChange} events without their ` +
        `organization, ${userCreates} user.create, ${correlations} correlation ID${correlations === 1 ? '' : 's'}`,
    );
    const sound = missing === 0 && noCollaborator === 0 && foreignKeys === 0 && integrity === 'ok' && eventsMatch;
    return { sound, midWrite, duration };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// A first, uninterrupted run says how long a bulk create lasts here; the kills fall within it.
const first = await round(0, undefined);
let unsound = first.sound ? 0 : 1;
let window = first.duration * 0.9;
let midWrite = 0;
let late = 0;
for (let n = 1; midWrite < ROUNDS && n <= ROUNDS * 5; n++) {
  const result = await round(n, Math.floor(Math.random() * window));
  if (!result.sound) unsound++;
  if (result.midWrite) midWrite++;
  else {
    // The run was over before the kill: aim earlier from now on.
    late++;
    window *= 0.7;
  }
}
console.log(
  `${midWrite}/${ROUNDS} rounds killed mid-write (${late} kills came too late and were tried again); ` +
    `${unsound === 0 ? 'every store sound' : `${unsound} stores NOT sound`}: integrity, foreign keys, ` +
    'every printed organization present with its collaborator, committed changes = events',
);
process.exitCode = midWrite === ROUNDS && unsound === 0 ? 0 : 1;
