#!/usr/bin/env node
// The floor for bulk create: a plain Node script that inserts the same rows as
// `orgs create --user-id user1` from the same file (account, organization with its search index,
// membership, its organization.create event) with better-sqlite3, prepared statements and one
// transaction. No validation, no output: what is left when everything orgs adds is taken away.
// Usage: node scripts/floor.mjs DB < documents.jsonl, where DB is an empty store made by orgs
// (the schema is not the floor's to build).
import { readFileSync } from 'node:fs';
import Database from 'better-sqlite3';

const db = new Database(process.argv[2], { fileMustExist: true });
// The search index's triggers fold text with orgs_fold; this is src/core/fold.ts's fold.
db.function('orgs_fold', { deterministic: true }, (text) =>
  typeof text === 'string' ? text.toLowerCase().replaceAll('ς', 'σ').normalize('NFC') : text,
);
db.pragma('journal_mode = WAL');
db.pragma('synchronous = FULL');
const now = Date.now();
const account = db.prepare(`INSERT INTO accounts (id, kind) VALUES (?, ?)`);
const organization = db.prepare(
  'INSERT INTO organizations (id, name, description, attributes, fanout_notifications, created_at, updated_at) VALUES (?, ?, ?, ?, 0, ?, ?)',
);
const user = db.prepare('INSERT INTO users (id, admin, created_at, updated_at) VALUES (?, 0, ?, ?)');
const event = db.prepare('INSERT INTO events (unique_id, name, time, body) VALUES (?, ?, ?, ?)');
const identifier = db.prepare('INSERT INTO event_identifiers (identifier, seq) VALUES (?, ?)');
// The rest of an event as orgs stores it (src/store/sqlite.ts), the same for every row here.
const body = (id) =>
  JSON.stringify({
    identifiers: [{ kind: 'organization', id }],
    visibility: ['RIGHT_ORGANIZATION_INFO'],
    correlationIds: ['orgs:cmd:01KBFLOOR000000000000000000'],
    origin: 'floor',
    caller: { local_administrator: true, admin: true },
    userAgent: 'orgs/floor',
  });
let sequence = 0;
const membership = db.prepare(
  'INSERT INTO memberships (organization_id, user_id, rights, created_at, updated_at) VALUES (?, ?, ?, ?, ?)',
);
db.transaction(() => {
  account.run('user1', 'user');
  user.run('user1', now, now);
  for (const line of readFileSync(0, 'utf8').split('\n')) {
    if (!line) continue;
    const doc = JSON.parse(line);
    const id = doc.ids.organization_id;
    account.run(id, 'organization');
    organization.run(
      id,
      doc.name ?? null,
      doc.description ?? null,
      doc.attributes ? JSON.stringify(doc.attributes) : null,
      now,
      now,
    );
    membership.run(id, 'user1', '["RIGHT_ALL"]', now, now);
    const { lastInsertRowid } = event.run(
      `01KBFLOOR${String(sequence++).padStart(17, '0')}`,
      'organization.create',
      now,
      body(id),
    );
    identifier.run(`organization:${id}`, lastInsertRowid);
  }
})();
db.close();
