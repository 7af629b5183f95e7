/**
 * Races on the PostgreSQL store that only a real server can run: real `orgs` processes contending
 * for the same rows. The processes are a pool (test/workers.ts), started once per test, each
 * running the commands it is sent one after the other with a connection of its own: commands sent
 * together run in different processes at once. Each test has a database of its own
 * (test/postgres.ts), dropped when it is done, whatever happened.
 *
 * The rounds of the first two tests come in two kinds: "free", the commands sent at once as a
 * user's scripts would run them, and "gated": a connection holds every table of the schema ACCESS
 * EXCLUSIVE while the commands start, and lets go only once all of them wait on it inside their
 * transactions (pg_stat_activity says so), so that they all go on at the same instant, each with a
 * snapshot taken before any of the others wrote.
 *
 * Then newcomers registering themselves at once (each by its first write), and 8 writers
 * of 50 mixed commands each on one new database (its schema made by whichever process comes
 * first), checked for every change and its one event, and for events in commit order: unique IDs
 * increasing as printed, and an `orgs events --follow` started before them seeing the same events
 * in the same order.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { describe, expect, test } from 'vitest';
import { Rights } from '../../src/core/rights.js';
import { documents, expectError, untilOutput, type Result } from '../helpers.js';
import { inStore, serverFor, type TestStore } from '../postgres-store.js';
import type { Workers } from '../workers.js';

const reachable = serverFor('PostgreSQL race tests');

const ROUNDS = 10;
/** The most commands a test runs at once: one process each. */
const PROCESSES = 8;

/** The test's store, and a pool of processes running orgs on it. */
type Store = TestStore & { processes: Workers };

/** Runs `work` on a new store with a pool of processes on it, both gone afterwards. */
const inRace = (work: (s: Store) => Promise<void>) =>
  inStore(async (store) => {
    const processes = store.workers(PROCESSES);
    try {
      await work({ ...store, processes });
    } finally {
      await processes.close();
    }
  });

/** Every command's exit code and error line, for a failure's message. */
const outcome = (results: Result[]) =>
  results.map((r, i) => `  ${i}: ${r.exitCode === 0 ? 'ok' : `exit ${r.exitCode} ${r.stderr.trim()}`}`).join('\n');

/**
 * Runs the commands at once. Gated, they are held at a lock on every table of the schema until
 * all of them wait on it; `waited` is how many were seen waiting together.
 */
async function atOnce(
  s: Store,
  commands: string[][],
  gated: boolean,
  env: Record<string, string> = {},
): Promise<{ results: Result[]; waited: number }> {
  const run = (args: string[]) => s.processes.run(args, { env });
  if (!gated) return { results: await Promise.all(commands.map(run)), waited: 0 };
  const gate = new pg.Client({ connectionString: s.url });
  const watcher = new pg.Client({ connectionString: s.url });
  await gate.connect();
  await watcher.connect();
  try {
    await gate.query('BEGIN');
    const { rows } = await gate.query<{ tables: string }>(
      `SELECT string_agg(format('%I.%I', schemaname, tablename), ', ') AS tables FROM pg_tables WHERE schemaname = 'orgs'`,
    );
    await gate.query(`LOCK TABLE ${rows[0]!.tables} IN ACCESS EXCLUSIVE MODE`);
    let finished = 0;
    const runs = commands.map((args) => run(args).finally(() => finished++));
    // Well within the commands' lock_timeout (config key connect-timeout, 10 s by default).
    const deadline = Date.now() + 8000;
    let waited = 0;
    while (Date.now() < deadline) {
      const { rows } = await watcher.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM pg_stat_activity
          WHERE datname = current_database() AND application_name = 'orgs' AND wait_event_type = 'Lock'`,
      );
      waited = rows[0]!.n;
      if (waited + finished >= commands.length) break;
      await sleep(10);
    }
    await gate.query('COMMIT');
    return { results: await Promise.all(runs), waited };
  } finally {
    await gate.end();
    await watcher.end();
  }
}

describe.skipIf(!reachable)('PostgreSQL races', () => {
  describe.each([
    ['gated', true],
    ['free', false],
  ] as const)('%s rounds:', (_, gated) => {
    test(
      `two processes each remove one of two owners at once: one goes, one stays; ${ROUNDS} rounds`,
      () =>
        inRace(async (s) => {
          const ids = Array.from({ length: ROUNDS }, (_, r) => `owners-${r}`);
          await s.ok(
            ['create', '--user-id', 'user1'],
            ids.map((id) => JSON.stringify({ ids: { organization_id: id } }) + '\n').join(''),
          );
          // Neither owner is a contact, which would keep it (collaborator_is_contact).
          for (const id of ids) {
            await s.ok(['collaborators', 'set', id, '--user-id', 'user2', '--right-organization-all']);
            await s.ok(['set', id, '--unset', 'administrative_contact,technical_contact']);
          }

          const kept: string[] = [];
          for (const [r, id] of ids.entries()) {
            const { results, waited } = await atOnce(
              s,
              ['user1', 'user2'].map((user) => ['collaborators', 'delete', id, '--user-id', user]),
              gated,
            );
            if (gated) expect(waited, `round ${r}: both processes waited at the gate`).toBe(2);
            const winners = results.flatMap((result, i) => (result.exitCode === 0 ? [i] : []));
            expect(winners, `round ${r}: exactly one delete succeeds\n${outcome(results)}`).toHaveLength(1);
            const loser = 1 - winners[0]!;
            expect(results[winners[0]!]!.stderr).toBe('');
            expectError(results[loser]!, 5, 'organization_needs_collaborator');
            kept.push(`user${loser + 1}`);
            expect(await s.sql(`SELECT user_id FROM memberships WHERE organization_id = '${id}'`)).toEqual([kept[r]]);
          }

          // As a user sees it: one collaborator, with every right of the organization.
          const lists = await Promise.all(ids.map((id) => s.ok(['collaborators', 'list', id])));
          for (const [r, list] of lists.entries()) {
            const collaborators = list.json as Array<{ ids: { user_ids: { user_id: string } }; rights: string[] }>;
            expect(collaborators.map((c) => c.ids.user_ids.user_id)).toEqual([kept[r]]);
            expect(Rights.of(collaborators[0]!.rights).expand().has('RIGHT_ORGANIZATION_ALL')).toBe(true);
          }
          // The loser left no event: one deletion per organization, of the user that went.
          const deletions = documents((await s.ok(['events', '--names', 'organization.collaborator.delete'])).stdout);
          expect(
            deletions.map(
              (e) => `${e.identifiers[0].organization_ids.organization_id} ${e.identifiers[1].user_ids.user_id}`,
            ),
          ).toEqual(ids.map((id, r) => `${id} ${kept[r] === 'user1' ? 'user2' : 'user1'}`));
        }),
      120_000,
    );

    test(
      `8 processes create the same ID at once: exactly one does; ${ROUNDS} rounds`,
      () =>
        inRace(async (s) => {
          await s.ok(['list']); // the schema, for the gate to lock
          const ids = Array.from({ length: ROUNDS }, (_, r) => `sameid-${r}`);
          const owners: string[] = [];
          for (const [r, id] of ids.entries()) {
            const users = Array.from({ length: PROCESSES }, (_, k) => `r${r}-user${k}`);
            const { results, waited } = await atOnce(
              s,
              users.map((user) => ['create', id, '--user-id', user]),
              gated,
            );
            if (gated) expect(waited, `round ${r}: all 8 processes waited at the gate`).toBe(8);
            const winners = results.flatMap((result, k) => (result.exitCode === 0 ? [k] : []));
            expect(winners, `round ${r}: exactly one create succeeds\n${outcome(results)}`).toHaveLength(1);
            const winner = winners[0]!;
            expect(results[winner]!.json.ids.organization_id).toBe(id);
            for (const [k, result] of results.entries()) if (k !== winner) expectError(result, 5, 'id_taken');
            owners.push(users[winner]!);

            expect(await s.sql(`SELECT id FROM organizations WHERE id = '${id}'`)).toEqual([id]);
            expect(await s.sql(`SELECT user_id, rights FROM memberships WHERE organization_id = '${id}'`)).toEqual([
              `${users[winner]}|["RIGHT_ALL"]`,
            ]);
            // The losers registered nobody: each of their transactions is gone whole.
            expect(await s.sql(`SELECT id FROM accounts WHERE id LIKE 'r${r}-user%'`)).toEqual([users[winner]]);
          }

          // Of each organization one event, its organization.create; and no user.create of a loser.
          const about = (e: any) => Object.values(Object.values(e.identifiers[0])[0] as object)[0];
          const created = documents((await s.ok(['events', ...ids.flatMap((id) => ['--organization-id', id])])).stdout);
          expect(created.map((e) => `${e.name} ${about(e)}`)).toEqual(ids.map((id) => `organization.create ${id}`));
          const events = documents((await s.ok(['events'])).stdout);
          expect(events.filter((e) => e.name === 'user.create').map(about)).toEqual(owners);
          expect(events).toHaveLength(2 * ROUNDS);
        }),
      120_000,
    );
  });

  test(
    '8 newcomers naming themselves at once (each by its first write) are registered once; 5 rounds',
    () =>
      inRace(async (s) => {
        await s.ok(['list']); // the schema, for the gate to lock
        const newcomers = Array.from({ length: 5 }, (_, r) => `newcomer-${r}`);
        for (const [r, user] of newcomers.entries()) {
          const { results, waited } = await atOnce(
            s,
            Array.from({ length: PROCESSES }, (_, i) => ['create', `${user}-org-${i}`]),
            true,
            { ORGS_USER_ID: user },
          );
          expect(waited, `round ${r}: all 8 processes waited at the gate`).toBe(8);
          expect(
            results.map((result) => result.exitCode),
            outcome(results),
          ).toEqual(Array(8).fill(0));
        }
        const events = documents((await s.ok(['events'])).stdout);
        expect(events.filter((e) => e.name === 'user.create').map((e) => e.identifiers[0].user_ids.user_id)).toEqual(
          newcomers,
        );
        expect(events.filter((e) => e.name === 'organization.create')).toHaveLength(8 * newcomers.length);
        expect(await s.sql('SELECT id FROM users ORDER BY id')).toEqual(newcomers);
      }),
    120_000,
  );

  const WRITERS = PROCESSES;
  const OPERATIONS = 50;
  /** Each writer's commands come in cycles of 10 over an organization of its own. */
  const CYCLE = 10;

  test(
    `${WRITERS} writers × ${OPERATIONS} mixed commands on a new database: all land, events in commit order`,
    () =>
      inRace(async (s) => {
        // A reader that follows the events from the start, to see them in the order they become visible.
        const follower = s.spawn(['events', '--follow']);
        let followed = '';
        follower.stdout!.on('data', (chunk: Buffer) => (followed += chunk.toString()));

        const failures: string[] = [];
        /** Per organization, what it ends up as; per command, the events it records besides user.create. */
        const expected = new Map<string, { name: string; owner: string; guest: string; key?: string }>();
        const changes: string[] = [];
        const named = new Set<string>();

        async function writer(w: number) {
          let organization = '';
          let first = '';
          for (let i = 0; i < OPERATIONS; i++) {
            const j = Math.floor(i / CYCLE);
            const member = `member-${j}`; // the same new user for every writer: registered once
            const guest = `guest-${w}-${j}`;
            let args: string[];
            let event: string;
            switch (i % CYCLE) {
              case 0:
                organization = `w${w}-org-${j}`;
                args = ['create', organization, '--user-id', `owner-${w}`];
                event = 'organization.create';
                break;
              case 1:
                args = ['set', organization, '--name', `Writer ${w} organization ${j}`];
                event = 'organization.update';
                break;
              case 2:
                args = ['collaborators', 'set', organization, '--user-id', member, '--right-organization-info'];
                event = 'organization.collaborator.update';
                break;
              case 3:
                args = ['api-keys', 'create', organization, '--name', 'first', '--right-organization-info'];
                event = 'organization.api-key.create';
                break;
              case 4:
                args = ['collaborators', 'set', organization, '--user-id', guest, '--right-organization-info'];
                args.push('--right-organization-settings-members');
                event = 'organization.collaborator.update';
                break;
              case 5:
                args = ['api-keys', 'create', organization, '--name', 'second', '--right-organization-info'];
                event = 'organization.api-key.create';
                break;
              case 6:
                args = ['collaborators', 'delete', organization, '--user-id', member];
                event = 'organization.collaborator.delete';
                break;
              case 7:
                args = ['api-keys', 'delete', organization, first];
                event = 'organization.api-key.delete';
                break;
              case 8:
                args = ['delete', organization];
                event = 'organization.delete';
                break;
              default:
                args = ['restore', organization];
                event = 'organization.restore';
            }
            const result = await s.processes.run(args);
            if (result.exitCode !== 0) {
              failures.push(`writer ${w}: orgs ${args.join(' ')}: exit ${result.exitCode} ${result.stderr.trim()}`);
              continue;
            }
            changes.push(`${event} ${organization}`);
            switch (i % CYCLE) {
              case 0:
                named.add(`owner-${w}`);
                expected.set(organization, { name: '', owner: `owner-${w}`, guest });
                break;
              case 1:
                expected.get(organization)!.name = `Writer ${w} organization ${j}`;
                break;
              case 2:
                named.add(member);
                break;
              case 3:
                first = result.json.id;
                break;
              case 4:
                named.add(guest);
                break;
              case 5:
                expected.get(organization)!.key = result.json.id;
                break;
            }
          }
        }

        try {
          await Promise.all(Array.from({ length: WRITERS }, (_, w) => writer(w)));
          expect(failures, 'every command succeeds').toEqual([]);

          // Nothing lost: every organization as its last command left it, with its members and key.
          const organizations = await s.sql(`SELECT id, name, deleted_at IS NULL FROM organizations ORDER BY id`);
          expect(organizations).toEqual(
            [...expected].sort(([a], [b]) => (a < b ? -1 : 1)).map(([id, o]) => `${id}|${o.name}|t`),
          );
          const memberships = await s.sql(`SELECT organization_id, user_id FROM memberships ORDER BY 1, 2`);
          const keys = await s.sql(`SELECT owner_id, id FROM api_keys ORDER BY 1, 2`);
          for (const [id, o] of expected) {
            expect(memberships.filter((m) => m.startsWith(`${id}|`))).toEqual([`${id}|${o.guest}`, `${id}|${o.owner}`]);
            expect(keys.filter((k) => k.startsWith(`${id}|`))).toEqual([`${id}|${o.key}`]);
          }
          expect(await s.sql(`SELECT id FROM users ORDER BY id`)).toEqual([...named].sort());

          // Every change has its event, once; each user once registered; one correlation ID per command.
          const events = documents((await s.ok(['events'])).stdout);
          const about = (e: any) => Object.values(Object.values(e.identifiers[0])[0] as object)[0];
          const changed = events.filter((e) => e.name !== 'user.create');
          expect(changed.map((e) => `${e.name} ${about(e)}`).sort()).toEqual([...changes].sort());
          expect(
            events
              .filter((e) => e.name === 'user.create')
              .map(about)
              .sort(),
          ).toEqual([...named].sort());
          expect(new Set(changed.map((e) => e.correlation_ids[0])).size).toBe(changes.length);
          expect(Number((await s.sql('SELECT count(*) FROM events'))[0])).toBe(changes.length + named.size);

          // Commit order: unique IDs strictly increasing as printed.
          const ids: string[] = events.map((e) => e.unique_id);
          for (let k = 1; k < ids.length; k++)
            expect(ids[k]! > ids[k - 1]!, `event ${k}: ${ids[k - 1]} then ${ids[k]}`).toBe(true);

          // The follower saw the same events in the same order: none committed behind its back.
          await untilOutput(
            follower.stdout!,
            () => (followed.match(/^\{$/gm) ?? []).length >= events.length,
            `the follower's ${events.length} events`,
          );
          follower.kill('SIGINT');
          const stopped = await follower;
          expect(stopped.exitCode, String(stopped.stderr)).toBe(130);
          expect(documents(followed).map((e) => e.unique_id)).toEqual(ids);
        } finally {
          follower.kill('SIGKILL');
          await follower.catch(() => {});
        }
      }),
    300_000,
  );
});
