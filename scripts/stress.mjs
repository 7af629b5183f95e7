#!/usr/bin/env node
// npm run stress: 8 parallel writers × 50 mixed operations on one new store, each a separate
// orgs process, then a check that every acknowledged change is there and the file is sound.
// Alongside them, CONTENDERS processes fight over the same rows, PHASES times: each sets its own
// attribute on one shared organization (a read-modify-write of one row: a lost update shows as a
// missing or stale attribute) and adds one new user, the same for all, to its own organization
// (each creating that user if missing); after every phase each of those writes must be there.
//
// ORGS_STRESS_DB=postgres://… runs the same against PostgreSQL instead of a temporary SQLite file:
// given the server's administration database (`postgres`, or none named), in a database
// orgs_test_<random> made for the run and dropped after it; given any other database, in that one,
// which must not hold an `orgs` schema yet, and whose `orgs` schema is dropped after the run.
// Integrity is then what the store must keep across concurrent transactions: every organization
// with its search row and an owner, every account a user or an organization, events numbered in
// the order of their unique IDs (commit order), none duplicated.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';

const run = promisify(execFile);
const BIN = resolve(import.meta.dirname, '..', 'bin', 'orgs.js');
const WRITERS = Number(process.env.WRITERS ?? 8);
const OPERATIONS = Number(process.env.OPERATIONS ?? 50);
const CONTENDERS = Number(process.env.CONTENDERS ?? 8);
const PHASES = Number(process.env.PHASES ?? 10);
// An organization holds at most 10 attributes, one per contender here.
if (CONTENDERS > 10) throw new Error('CONTENDERS must be at most 10');

const POSTGRES = process.env.ORGS_STRESS_DB;
if (POSTGRES !== undefined && !/^postgres(ql)?:\/\//.test(POSTGRES)) {
  throw new Error('ORGS_STRESS_DB must be a postgres:// URL');
}

/** A new SQLite file: read with better-sqlite3, checked with integrity_check. */
function sqliteStore(path) {
  return {
    db: path,
    open() {
      const db = new Database(path, { readonly: true });
      const statements = new Map();
      const statement = (sql) => statements.get(sql) ?? statements.set(sql, db.prepare(sql)).get(sql);
      return {
        all: async (sql, params = []) => statement(sql).all(...params),
        get: async (sql, params = []) => statement(sql).get(...params),
        integrity: async () => db.pragma('integrity_check', { simple: true }),
        figures: async () => '',
        close: async () => db.close(),
      };
    },
    remove: async () => {},
  };
}

/** What must hold of a PostgreSQL store however its transactions interleaved: each query counts violations. */
const INVARIANTS = {
  'organizations without their search row': `SELECT count(*) FROM organizations o
    LEFT JOIN organizations_search s ON s.rowid = o.pk AND s.id = o.id WHERE s.rowid IS NULL`,
  'search rows without their organization': `SELECT count(*) FROM organizations_search s
    LEFT JOIN organizations o ON o.pk = s.rowid WHERE o.pk IS NULL`,
  'organizations without an owner': `SELECT count(*) FROM organizations o WHERE NOT EXISTS (SELECT 1 FROM memberships m
    WHERE m.organization_id = o.id AND (m.rights LIKE '%"RIGHT_ALL"%' OR m.rights LIKE '%"RIGHT_ORGANIZATION_ALL"%'))`,
  'accounts that are not what their kind says': `SELECT count(*) FROM accounts a
    WHERE (a.kind = 'user') <> EXISTS (SELECT 1 FROM users u WHERE u.id = a.id)
       OR (a.kind = 'organization') <> EXISTS (SELECT 1 FROM organizations o WHERE o.id = a.id)`,
  'events out of commit order': `SELECT count(*) FROM (SELECT unique_id COLLATE "C" AS id,
    lag(unique_id COLLATE "C") OVER (ORDER BY seq) AS before FROM events) AS e WHERE e.before >= e.id`,
  'duplicate event IDs': 'SELECT count(*) - count(DISTINCT unique_id) FROM events',
  'identifier rows of no event': `SELECT count(*) FROM event_identifiers i
    WHERE NOT EXISTS (SELECT 1 FROM events e WHERE e.seq = i.seq)`,
};

/**
 * A PostgreSQL database: a new one on the server of an administration URL, else the one named
 * (without an `orgs` schema); read with pg, checked against INVARIANTS.
 */
async function postgresStore(url) {
  const { default: pg } = await import('pg');
  const query = async (at, sql, params = []) => {
    const client = new pg.Client({ connectionString: at });
    await client.connect();
    try {
      return (await client.query(sql, params)).rows;
    } finally {
      await client.end();
    }
  };
  const given = new URL(url);
  const name = decodeURIComponent(given.pathname.slice(1));
  let db = url;
  let remove;
  if (name === '' || name === 'postgres') {
    const made = `orgs_test_${randomBytes(6).toString('hex')}`;
    await query(url, `CREATE DATABASE ${made}`);
    given.pathname = `/${made}`;
    db = given.toString();
    remove = () => query(url, `DROP DATABASE IF EXISTS ${made} WITH (FORCE)`);
  } else {
    if ((await query(url, "SELECT 1 FROM pg_namespace WHERE nspname = 'orgs'")).length > 0) {
      throw new Error(
        `${name} already has a schema orgs: give the stress a database without one, or the server's postgres`,
      );
    }
    remove = () => query(url, 'DROP SCHEMA IF EXISTS orgs CASCADE');
  }
  const STATISTICS =
    'SELECT xact_commit, xact_rollback, deadlocks FROM pg_stat_database WHERE datname = current_database()';
  const [before] = await query(db, STATISTICS);
  return {
    db,
    async open() {
      const client = new pg.Client({ connectionString: db, options: '-c search_path=orgs,public' });
      await client.connect();
      const numbered = (sql) => {
        let n = 0;
        return sql.replace(/\?/g, () => `$${++n}`);
      };
      return {
        all: async (sql, params = []) => (await client.query(numbered(sql), params)).rows,
        get: async (sql, params = []) => (await client.query(numbered(sql), params)).rows[0],
        async integrity() {
          const broken = [];
          for (const [what, sql] of Object.entries(INVARIANTS)) {
            const count = Number(Object.values((await client.query(sql)).rows[0])[0]);
            if (count > 0) broken.push(`${count} ${what}`);
          }
          return broken.length === 0 ? 'ok' : broken.join(', ');
        },
        /** Transactions committed and rolled back (each conflict re-run, each failed command) during the run. */
        async figures() {
          const after = (await client.query(STATISTICS)).rows[0];
          const [commits, rollbacks, deadlocks] = Object.keys(after).map((k) => after[k] - before[k]);
          return `; PostgreSQL: ${commits} transactions committed, ${rollbacks} rolled back, ${deadlocks} deadlocks`;
        },
        close: () => client.end(),
      };
    },
    remove,
  };
}

const dir = mkdtempSync(join(tmpdir(), 'orgs-stress-'));
const store = POSTGRES === undefined ? sqliteStore(join(dir, 'orgs.db')) : await postgresStore(POSTGRES);
const env = { ...process.env, ORGS_DB: store.db, ORGS_CONFIG_DIR: join(dir, 'config') };
const orgs = async (...args) => (await run('node', [BIN, ...args], { env })).stdout;

/** What each acknowledged operation promises to find in the store afterwards. */
const expected = { organizations: new Map(), members: [], keys: [] };
let ok = 0;
const failures = [];

async function writer(w) {
  let current;
  for (let i = 0; i < OPERATIONS; i++) {
    try {
      switch (i % 5) {
        case 0:
          current = `w${w}-org-${i}`;
          await orgs('create', current, '--user-id', `owner-${w}`);
          expected.organizations.set(current, undefined);
          break;
        case 1:
          await orgs('set', current, '--name', `Writer ${w} item ${i}`);
          expected.organizations.set(current, `Writer ${w} item ${i}`);
          break;
        case 2:
          await orgs(
            'collaborators',
            'set',
            '--organization-id',
            current,
            '--user-id',
            `member-${w}-${i}`,
            '--right-organization-info',
          );
          expected.members.push([current, `member-${w}-${i}`]);
          break;
        case 3: {
          const key = JSON.parse(await orgs('api-keys', 'create', current, '--right-organization-info'));
          expected.keys.push([current, key.id]);
          break;
        }
        case 4:
          JSON.parse(await orgs('search', '--id-contains', `w${w}-org`, '--limit', '1000'));
          break;
      }
      ok++;
    } catch (error) {
      failures.push(`writer ${w} operation ${i}: ${error.stderr?.trim() || error.message}`);
    }
  }
}

/** PHASES rounds of CONTENDERS processes writing the same rows at once; each round checked. */
async function contention() {
  const check = await store.open();
  try {
    for (let phase = 0; phase < PHASES; phase++) {
      const user = `contended-${phase}`;
      const acknowledged = { attributes: [], memberships: [] };
      await Promise.all(
        Array.from({ length: CONTENDERS }, async (_, c) => {
          for (const [what, args] of [
            ['attributes', ['set', 'shared', '--attributes', `key-${c}=phase-${phase}`]],
            [
              'memberships',
              [
                'collaborators',
                'set',
                '--organization-id',
                `contender-${c}`,
                '--user-id',
                user,
                '--right-organization-info',
              ],
            ],
          ]) {
            try {
              await orgs(...args);
              ok++;
              acknowledged[what].push(c);
            } catch (error) {
              failures.push(
                `contender ${c} phase ${phase}: orgs ${args.join(' ')}: ${error.stderr?.trim() || error.message}`,
              );
            }
          }
        }),
      );
      const attributes = JSON.parse(
        (await check.get("SELECT attributes FROM organizations WHERE id = 'shared'"))?.attributes ?? '{}',
      );
      for (const c of acknowledged.attributes) {
        if (attributes[`key-${c}`] !== `phase-${phase}`) {
          lostContended.push(`phase ${phase}: shared has key-${c}=${attributes[`key-${c}`]}, not phase-${phase}`);
        }
      }
      const memberOf = new Set(
        (await check.all('SELECT organization_id FROM memberships WHERE user_id = ?', [user])).map(
          (row) => row.organization_id,
        ),
      );
      for (const c of acknowledged.memberships) {
        if (!memberOf.has(`contender-${c}`))
          lostContended.push(`phase ${phase}: ${user} is not a collaborator of contender-${c}`);
      }
    }
  } finally {
    await check.close();
  }
}

const lostContended = [];
let lost = 0;
let integrity;
let figures = '';
let seconds;
try {
  await orgs('create', 'shared', '--user-id', 'boss');
  for (let c = 0; c < CONTENDERS; c++) await orgs('create', `contender-${c}`, '--user-id', 'boss');

  const started = Date.now();
  await Promise.all([...Array.from({ length: WRITERS }, (_, w) => writer(w)), contention()]);
  seconds = (Date.now() - started) / 1000;

  const db = await store.open();
  try {
    const organization = 'SELECT name FROM organizations WHERE id = ? AND deleted_at IS NULL';
    for (const [id, name] of expected.organizations) {
      const row = await db.get(organization, [id]);
      if (!row || (name !== undefined && row.name !== name)) lost++;
    }
    const member = 'SELECT 1 FROM memberships WHERE organization_id = ? AND user_id = ?';
    for (const [org, user] of expected.members) if (!(await db.get(member, [org, user]))) lost++;
    const key = 'SELECT 1 FROM api_keys WHERE organization_id = ? AND id = ?';
    for (const [org, id] of expected.keys) if (!(await db.get(key, [org, id]))) lost++;
    integrity = await db.integrity();
    figures = await db.figures();
  } finally {
    await db.close();
  }
} finally {
  await store.remove();
  rmSync(dir, { recursive: true, force: true });
}

for (const failure of failures) console.error(failure);
for (const loss of lostContended) console.error(`lost update: ${loss}`);
const contended = CONTENDERS * PHASES * 2;
const total = WRITERS * OPERATIONS + contended;
console.error(
  `${WRITERS} writers × ${OPERATIONS} operations and ${CONTENDERS} contenders × ${PHASES} phases × 2 writes on shared rows ` +
    `in ${seconds.toFixed(1)} s (${(total / seconds).toFixed(0)} commands/s)${figures}`,
);
console.log(
  `${ok}/${total} ok, ${lost} lost, ${lostContended.length}/${contended} contended writes lost, integrity ${integrity}`,
);
process.exitCode = ok === total && lost === 0 && lostContended.length === 0 && integrity === 'ok' ? 0 : 1;
