#!/usr/bin/env node
// The PostgreSQL floor for bulk create: a plain node-postgres script that inserts the same rows as
// `orgs create --user-id user1` from the same file (user1 with its user.create event; per document
// its account, organization with its contacts, search row, membership, organization.create event,
// the event's identifier and the life it begins) with multi-row inserts (1,000 rows each) in one
// transaction. No validation, no output: what is left when everything orgs adds is
// taken away. Usage: node scripts/pg-floor.mjs URL < documents.jsonl, where URL is a database
// whose empty orgs schema orgs made (the schema is not the floor's to build).
import { readFileSync } from 'node:fs';
import pg from 'pg';

const ROWS = 1000;
const fold = (text) => text.toLowerCase().replaceAll('ς', 'σ').normalize('NFC');
const client = new pg.Client({ connectionString: process.argv[2], options: '-c search_path=orgs,public' });
await client.connect();
const now = Date.now();

/** INSERT INTO table (columns) VALUES (…), (…) for these rows, in one statement. */
async function insert(table, columns, rows) {
  for (let start = 0; start < rows.length; start += ROWS) {
    const batch = rows.slice(start, start + ROWS);
    let n = 0;
    const tuples = batch.map(() => `(${columns.map(() => `$${++n}`).join(', ')})`);
    await client.query(`INSERT INTO ${table} (${columns.join(', ')}) VALUES ${tuples.join(', ')}`, batch.flat());
  }
}

const body = (kind, id) =>
  JSON.stringify({
    identifiers: [{ kind, id }],
    visibility: [`RIGHT_${kind.toUpperCase()}_INFO`],
    correlationIds: ['orgs:cmd:01KBFLOOR000000000000000000'],
    origin: 'floor',
    caller: { local_administrator: true, admin: true },
    userAgent: 'orgs/floor',
  });

const docs = readFileSync(0, 'utf8')
  .split('\n')
  .filter(Boolean)
  .map((line) => JSON.parse(line));
await client.query('BEGIN');
await insert(
  'accounts',
  ['id', 'kind'],
  [['user1', 'user'], ...docs.map((d) => [d.ids.organization_id, 'organization'])],
);
await insert('users', ['id', 'admin', 'created_at', 'updated_at'], [['user1', 0, now, now]]);
const pk = (i) => i + 1;
await insert(
  'organizations',
  [
    'pk',
    'id',
    'name',
    'description',
    'attributes',
    'fanout_notifications',
    'created_at',
    'updated_at',
    'administrative_contact',
    'technical_contact',
  ],
  docs.map((d, i) => [
    pk(i),
    d.ids.organization_id,
    d.name ?? null,
    d.description ?? null,
    null,
    0,
    now,
    now,
    'user:user1',
    'user:user1',
  ]),
);
await insert(
  'organizations_search',
  ['rowid', 'id', 'name', 'description', 'attributes'],
  docs.map((d, i) => [
    pk(i),
    fold(d.ids.organization_id),
    d.name && fold(d.name),
    d.description && fold(d.description),
    '{}',
  ]),
);
await insert(
  'memberships',
  ['organization_id', 'user_id', 'rights', 'created_at', 'updated_at'],
  docs.map((d) => [d.ids.organization_id, 'user1', '["RIGHT_ALL"]', now, now]),
);
// user1's user.create first (seq 1), then each organization's (seq i + 2).
const created = [['user', 'user1'], ...docs.map((d) => ['organization', d.ids.organization_id])];
const uniqueId = (i) => `01KBFLOOR${String(i).padStart(17, '0')}`;
await insert(
  'events',
  ['seq', 'unique_id', 'name', 'time', 'body'],
  created.map(([kind, id], i) => [i + 1, uniqueId(i), `${kind}.create`, now, body(kind, id)]),
);
for (const table of ['event_identifiers', 'lives']) {
  await insert(
    table,
    table === 'lives' ? ['identifier', 'since_seq'] : ['identifier', 'seq'],
    created.map(([kind, id], i) => [`${kind}:${id}`, i + 1]),
  );
}
// The order register orgs moves with its events (src/store/dialect.ts), once.
await client.query("SELECT setval('event_order', 1)");
await client.query('COMMIT');
await client.end();
