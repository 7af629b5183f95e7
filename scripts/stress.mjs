#!/usr/bin/env node
// npm run stress: 8 parallel writers × 50 mixed operations on one new store, each a separate
// orgs process, then a check that every acknowledged change is there and the file is sound.
// Alongside them, CONTENDERS processes fight over the same rows, PHASES times: each sets its own
// attribute on one shared organization (a read-modify-write of one row: a lost update shows as a
// missing or stale attribute) and adds one new user, the same for all, to its own organization
// (each creating that user if missing); after every phase each of those writes must be there.
import { execFile } from 'node:child_process';
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

const dir = mkdtempSync(join(tmpdir(), 'orgs-stress-'));
const env = { ...process.env, ORGS_DB: join(dir, 'orgs.db'), ORGS_CONFIG_DIR: join(dir, 'config') };
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
  const check = new Database(env.ORGS_DB, { readonly: true });
  const attributesOf = check.prepare("SELECT attributes FROM organizations WHERE id = 'shared'").pluck();
  const membershipsOf = check.prepare('SELECT organization_id FROM memberships WHERE user_id = ?').pluck();
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
      const attributes = JSON.parse(attributesOf.get() ?? '{}');
      for (const c of acknowledged.attributes) {
        if (attributes[`key-${c}`] !== `phase-${phase}`) {
          lostContended.push(`phase ${phase}: shared has key-${c}=${attributes[`key-${c}`]}, not phase-${phase}`);
        }
      }
      const memberOf = new Set(membershipsOf.all(user));
      for (const c of acknowledged.memberships) {
        if (!memberOf.has(`contender-${c}`))
          lostContended.push(`phase ${phase}: ${user} is not a collaborator of contender-${c}`);
      }
    }
  } finally {
    check.close();
  }
}

const lostContended = [];
await orgs('create', 'shared', '--user-id', 'boss');
for (let c = 0; c < CONTENDERS; c++) await orgs('create', `contender-${c}`, '--user-id', 'boss');

const started = Date.now();
await Promise.all([...Array.from({ length: WRITERS }, (_, w) => writer(w)), contention()]);
const seconds = (Date.now() - started) / 1000;

const db = new Database(env.ORGS_DB, { readonly: true });
let lost = 0;
const organization = db.prepare('SELECT name FROM organizations WHERE id = ? AND deleted_at IS NULL');
for (const [id, name] of expected.organizations) {
  const row = organization.get(id);
  if (!row || (name !== undefined && row.name !== name)) lost++;
}
const member = db.prepare('SELECT 1 FROM memberships WHERE organization_id = ? AND user_id = ?');
for (const [org, user] of expected.members) if (!member.get(org, user)) lost++;
const key = db.prepare('SELECT 1 FROM api_keys WHERE organization_id = ? AND id = ?');
for (const [org, id] of expected.keys) if (!key.get(org, id)) lost++;
const integrity = db.pragma('integrity_check', { simple: true });
db.close();
rmSync(dir, { recursive: true, force: true });

for (const failure of failures) console.error(failure);
for (const loss of lostContended) console.error(`lost update: ${loss}`);
const contended = CONTENDERS * PHASES * 2;
const total = WRITERS * OPERATIONS + contended;
console.error(
  `${WRITERS} writers × ${OPERATIONS} operations and ${CONTENDERS} contenders × ${PHASES} phases × 2 writes on shared rows ` +
    `in ${seconds.toFixed(1)} s (${(total / seconds).toFixed(0)} commands/s)`,
);
console.log(
  `${ok}/${total} ok, ${lost} lost, ${lostContended.length}/${contended} contended writes lost, integrity ${integrity}`,
);
process.exitCode = ok === total && lost === 0 && lostContended.length === 0 && integrity === 'ok' ? 0 : 1;
