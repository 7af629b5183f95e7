#!/usr/bin/env node
// The floor for bulk create: a plain Node script that inserts the same rows as
// `orgs create --user-id user1` from the same file with better-sqlite3, prepared statements and
// one transaction: user1 (account, user, its user.create event), and per document its account,
// organization (contacts included), search row, membership, organization.create event, the
// event's identifier and the life it begins. No validation, no output: what is left when
// everything orgs adds is taken away.
// Usage: node scripts/floor.mjs DB < documents.jsonl, where DB is an empty store made by orgs
// (the schema is not the floor's to build).
import { readFileSync } from 'node:fs';
import Database from 'better-sqlite3';

const db = new Database(process.argv[2], { fileMustExist: true });
// src/core/fold.ts's fold: the search index holds the folded ID, name and description.
const fold = (text) => text.toLowerCase().replaceAll('ς', 'σ').normalize('NFC');
db.pragma('journal_mode = WAL');
db.pragma('synchronous = FULL');
const now = Date.now();
const account = db.prepare(`INSERT INTO accounts (id, kind) VALUES (?, ?)`);
const organization = db.prepare(
  `INSERT INTO organizations (id, name, description, attributes, fanout_notifications, created_at, updated_at,
     administrative_contact, technical_contact) VALUES (?, ?, ?, ?, 0, ?, ?, 'user:user1', 'user:user1')`,
);
const search = db.prepare('INSERT INTO organizations_search (rowid, id, name, description) VALUES (?, ?, ?, ?)');
const user = db.prepare('INSERT INTO users (id, admin, created_at, updated_at) VALUES (?, 0, ?, ?)');
const event = db.prepare('INSERT INTO events (unique_id, name, time, body) VALUES (?, ?, ?, ?)');
const identifier = db.prepare('INSERT INTO event_identifiers (identifier, seq) VALUES (?, ?)');
const life = db.prepare('INSERT INTO lives (identifier, since_seq) VALUES (?, ?)');
// The rest of an event as orgs stores it (src/store/sql.ts), the same for every row here.
const body = (kind, id) =>
  JSON.stringify({
    identifiers: [{ kind, id }],
    visibility: [`RIGHT_${kind.toUpperCase()}_INFO`],
    correlationIds: ['orgs:cmd:01KBFLOOR000000000000000000'],
    origin: 'floor',
    caller: { local_administrator: true, admin: true },
    userAgent: 'orgs/floor',
  });
let sequence = 0;
const recordEvent = (kind, id) => {
  const { lastInsertRowid } = event.run(
    `01KBFLOOR${String(sequence++).padStart(17, '0')}`,
    `${kind}.create`,
    now,
    body(kind, id),
  );
  identifier.run(`${kind}:${id}`, lastInsertRowid);
  life.run(`${kind}:${id}`, lastInsertRowid);
};
const membership = db.prepare(
  'INSERT INTO memberships (organization_id, user_id, rights, created_at, updated_at) VALUES (?, ?, ?, ?, ?)',
);
db.transaction(() => {
  account.run('user1', 'user');
  user.run('user1', now, now);
  recordEvent('user', 'user1');
  for (const line of readFileSync(0, 'utf8').split('\n')) {
    if (!line) continue;
    const doc = JSON.parse(line);
    const id = doc.ids.organization_id;
    account.run(id, 'organization');
    const { lastInsertRowid } = organization.run(
      id,
      doc.name ?? null,
      doc.description ?? null,
      doc.attributes ? JSON.stringify(doc.attributes) : null,
      now,
      now,
    );
    search.run(
      lastInsertRowid,
      fold(id),
      doc.name ? fold(doc.name) : null,
      doc.description ? fold(doc.description) : null,
    );
    membership.run(id, 'user1', '["RIGHT_ALL"]', now, now);
    recordEvent('organization', id);
  }
})();
db.close();
