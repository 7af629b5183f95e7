#!/usr/bin/env node
// The physical floor of "insert these rows with Node": a plain better-sqlite3 script that reads
// the same documents as a bulk create and inserts (id, name, created_at) into a bare table of a
// new file, in one transaction. What a bulk create costs beyond this is the schema's (search
// index, memberships, events) and the CLI's (validation, checks, output).
// Usage: node scripts/bare.mjs DB < documents.jsonl (DB must not exist).
import { readFileSync } from 'node:fs';
import Database from 'better-sqlite3';

const db = new Database(process.argv[2]);
db.exec('CREATE TABLE bare (id TEXT PRIMARY KEY, name TEXT, created_at INTEGER NOT NULL)');
const insert = db.prepare('INSERT INTO bare (id, name, created_at) VALUES (?, ?, ?)');
const now = Date.now();
db.transaction(() => {
  for (const line of readFileSync(0, 'utf8').split('\n')) {
    if (!line) continue;
    const doc = JSON.parse(line);
    insert.run(doc.ids.organization_id, doc.name ?? null, now);
  }
})();
db.close();
