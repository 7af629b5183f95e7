/**
 * Events belong to a record's life, not to its ID (reference/EVENTS.md): once an organization, an
 * application, a gateway or a client is purged, or a user deleted, whoever takes the ID again sees
 * the new record's events only; the former record's (its collaborators, its API keys' names and
 * rights) are the administrator's alone, in `orgs events`, `--follow` and the Console.
 */
import Database from 'better-sqlite3';
import { execa } from 'execa';
import { describe, expect, test } from 'vitest';
import { KINDS } from '../../src/core/kinds.js';
import { as, BIN, onPostgres, type Sandbox, shared, storeQuery, withKey, untilOutput } from '../helpers.js';
import { sqlIn } from '../postgres.js';

type Event = Record<string, any>;

/** The documents of `orgs events`: one pretty-printed JSON object after the other. */
function parseEvents(stdout: string): Event[] {
  const text = stdout.trimEnd();
  return text === '' ? [] : text.split(/\n(?=\{$)/m).map((doc) => JSON.parse(doc));
}

/** `organization.create organization:org1 user:user2`: an event's name and what it is about. */
const summary = (events: Event[]) =>
  events.map((e) =>
    [
      e.name,
      ...e.identifiers.map((identifier: Record<string, Record<string, string>>) => {
        const [key, value] = Object.entries(identifier)[0]!;
        return `${key.replace(/_ids$/, '')}:${Object.values(value)[0]}`;
      }),
    ].join(' '),
  );

async function events(s: Sandbox, args: string[], options?: Parameters<Sandbox['run']>[1]): Promise<string[]> {
  const result = await s.ok(['events', ...args], options);
  expect(result.stderr).toBe('');
  return summary(parseEvents(result.stdout));
}

// -------------------------------------------------------------------------------------------------
describe('an organization purged and created again by someone else', () => {
  let newKey: string;
  const box = shared(async (s) => {
    await s.ok(['create', 'org1', '--user-id', 'user1']);
    await s.ok(['collaborators', 'set', 'org1', '--user-id', 'user2', '--right-organization-info'], as('user1'));
    await s.ok(['api-keys', 'create', 'org1', '--name', 'old-secret-deploy', '--right-organization-all'], as('user1'));
    await s.ok(['delete', 'org1'], as('user1'));
    await s.ok(['purge', 'org1', '--force']);
    // mallory takes the freed ID.
    await s.ok(['create', 'org1', '--user-id', 'mallory']);
    newKey = (await s.ok(['api-keys', 'create', 'org1', '--right-organization-all'], as('mallory'))).json.key;
  });

  const OLD_LIFE = [
    'organization.create organization:org1',
    'organization.collaborator.update organization:org1 user:user2',
    'organization.api-key.create organization:org1',
    'organization.delete organization:org1',
    'organization.purge organization:org1',
  ];
  const NEW_LIFE = ['organization.create organization:org1', 'organization.api-key.create organization:org1'];

  test('the new owner sees the new organization’s events only, with or without filters', async () => {
    const s = box.s;
    expect(await events(s, [], as('mallory'))).toEqual(['user.create user:mallory', ...NEW_LIFE]);
    expect(await events(s, ['--organization-id', 'org1'], as('mallory'))).toEqual(NEW_LIFE);
    expect(await events(s, ['--organization-id', 'org1', '--tail', '10'], as('mallory'))).toEqual(NEW_LIFE);
    expect(await events(s, ['--user-id', 'user2'], as('mallory'))).toEqual([]);
    expect(await events(s, ['--names', '/api-key/'], as('mallory'))).toEqual([NEW_LIFE[1]]);
    // Not the old key's name, in any form.
    const raw = await s.ok(['events', '--organization-id', 'org1'], as('mallory'));
    expect(raw.stdout).not.toContain('old-secret-deploy');
  });

  test('so does an API key of the new organization holding every right', async () => {
    expect(await events(box.s, [], withKey(newKey))).toEqual(NEW_LIFE);
  });

  test('the former owner and member see neither life', async () => {
    expect(await events(box.s, ['--organization-id', 'org1'], as('user1'))).toEqual([]);
    expect(await events(box.s, ['--organization-id', 'org1'], as('user2'))).toEqual([]);
  });

  test('the administrator sees both lives, in order', async () => {
    expect(await events(box.s, ['--organization-id', 'org1'])).toEqual([...OLD_LIFE, ...NEW_LIFE]);
  });

  test('the Console’s events route: the same, for the new organization’s API key', async () => {
    const s = box.s;
    const child = execa('node', [BIN, 'console', '--no-open'], {
      env: { ...s.env, ORGS_USER_ID: undefined, ORGS_API_KEY: undefined },
      extendEnv: true,
      reject: false,
      stdin: 'ignore',
    });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout!.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          if (out.includes('\n')) resolve(out.split('\n')[0]!);
        });
        child.once('exit', () => reject(new Error(`orgs console exited early: ${out}`)));
      });
      const response = await fetch(`${new URL(url).origin}/api/v3/events?organization_id=org1`, {
        headers: { authorization: `Bearer ${newKey}` },
      });
      expect(response.status).toBe(200);
      const body = await response.text();
      expect(body).not.toContain('old-secret-deploy');
      expect(summary(JSON.parse(body))).toEqual(NEW_LIFE);
    } finally {
      child.kill('SIGKILL');
    }
  });
  test('--follow: the history holds the new life only, then the new organization’s changes as they come', async () => {
    const s = box.s;
    const follower = execa('node', [BIN, 'events', '--follow'], {
      env: { ...s.env, ORGS_USER_ID: 'mallory', ORGS_API_KEY: undefined },
      extendEnv: true,
      reject: false,
      stdin: 'ignore',
      stripFinalNewline: false,
    });
    let out = '';
    follower.stdout!.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    try {
      await untilOutput(follower.stdout!, () => out.includes('"name": "organization.api-key.create"'), 'the history');
      await s.ok(['set', 'org1', '--name', 'Mine now'], as('mallory'));
      await untilOutput(
        follower.stdout!,
        () => out.includes('"name": "organization.update"'),
        'the update on --follow',
      );
      follower.kill('SIGINT');
      const result = await follower;
      expect(result.exitCode).toBe(130);
      expect(summary(parseEvents(String(result.stdout)))).toEqual([
        'user.create user:mallory',
        ...NEW_LIFE,
        'organization.update organization:org1',
      ]);
    } finally {
      follower.kill('SIGKILL');
    }
  });
});

// -------------------------------------------------------------------------------------------------
describe.each(KINDS)('$name: purged and created again by someone else', (kind) => {
  const id = `${kind.name.slice(0, 3)}1`;
  const box = shared(async (s) => {
    await s.ok([kind.command, 'create', id, '--user-id', 'user1']);
    await s.ok(
      [kind.command, 'collaborators', 'set', id, '--user-id', 'user2', `--right-${kind.name}-info`],
      as('user1'),
    );
    await s.ok([kind.command, 'delete', id], as('user1'));
    await s.ok([kind.command, 'purge', id, '--force']);
    await s.ok([kind.command, 'create', id, '--user-id', 'mallory']);
  });

  test('the new owner sees the new one’s events only; the administrator both', async () => {
    const s = box.s;
    const subject = `${kind.name}:${id}`;
    expect(await events(s, [`--${kind.idFlag}`, id], as('mallory'))).toEqual([`${kind.name}.create ${subject}`]);
    expect(await events(s, [], as('mallory'))).toEqual(['user.create user:mallory', `${kind.name}.create ${subject}`]);
    expect(await events(s, [`--${kind.idFlag}`, id])).toEqual([
      `${kind.name}.create ${subject}`,
      `${kind.name}.collaborator.update ${subject} user:user2`,
      `${kind.name}.delete ${subject}`,
      `${kind.name}.purge ${subject}`,
      `${kind.name}.create ${subject}`,
    ]);
  });
});

// -------------------------------------------------------------------------------------------------
describe('a user deleted, then registered again', () => {
  const box = shared(async (s) => {
    await s.ok(['users', 'create', 'alice', '--name', 'Alice the First']);
    await s.ok(['users', 'set', 'alice', '--name', 'Alice Again']);
    await s.ok(['users', 'delete', 'alice']);
  });

  test('while no one holds the ID, its events are the administrator’s alone', async () => {
    // Reading as alice shows none of the former alice's events (a read that registers her shows
    // her new record's user.create alone).
    const seen = await events(box.s, ['--user-id', 'alice'], as('alice'));
    expect(seen.filter((e) => e !== 'user.create user:alice')).toEqual([]);
    expect(seen.length).toBeLessThanOrEqual(1);
  });

  test('the new alice (registered by a read above or by this create) sees her own user.* events only', async () => {
    const s = box.s;
    await s.ok(['create', 'alice-org', '--user-id', 'alice']);
    expect(await events(s, ['--user-id', 'alice'], as('alice'))).toEqual(['user.create user:alice']);
    const all = await events(s, ['--user-id', 'alice']);
    expect(all.filter((e) => e.startsWith('user.'))).toEqual([
      'user.create user:alice',
      'user.update user:alice',
      'user.delete user:alice',
      'user.create user:alice',
    ]);
  });
});

// -------------------------------------------------------------------------------------------------
describe('a store of schema 5, made before lives were kept, upgraded in place', () => {
  const box = shared(async (s) => {
    for (const org of ['org1', 'org2']) {
      await s.ok(['create', org, '--user-id', 'user1']);
      await s.ok(['api-keys', 'create', org, '--name', 'old-secret-deploy', '--right-organization-all'], as('user1'));
      await s.ok(['purge', org, '--force']);
      await s.ok(['create', org, '--user-id', 'mallory']);
    }
    // org2's new creation event is gone (pruned while a skewed clock kept older events): its life
    // is told by the purge before it.
    const creation = `SELECT max(e.seq) FROM events AS e JOIN event_identifiers AS i ON i.seq = e.seq
      WHERE i.identifier = 'organization:org2' AND e.name = 'organization.create'`;
    await inStore(s, [
      `DELETE FROM event_identifiers WHERE seq = (${creation})`,
      `DELETE FROM events WHERE name = 'organization.create' AND seq NOT IN (SELECT seq FROM event_identifiers)`,
      'DROP TABLE lives',
      // What schemas 7, 8 and 9 added after it: the keys' last use, contacts, owners of keys.
      ...['organizations', 'entities'].flatMap((table) =>
        ['administrative_contact', 'technical_contact'].map((column) => `ALTER TABLE ${table} DROP COLUMN ${column}`),
      ),
      ...(onPostgres
        ? [
            'ALTER TABLE api_keys DROP COLUMN last_used_at',
            'ALTER TABLE api_keys DROP COLUMN owner_kind', // and api_keys_by_owner with it
            'ALTER TABLE api_keys RENAME COLUMN owner_id TO organization_id',
            'ALTER TABLE api_keys ADD CONSTRAINT api_keys_organization_id_fkey FOREIGN KEY (organization_id) REFERENCES organizations (id) ON DELETE CASCADE',
            'CREATE INDEX api_keys_by_organization ON api_keys (organization_id)',
          ]
        : [
            `CREATE TABLE api_keys_of_schema_5 (
               id TEXT PRIMARY KEY,
               organization_id TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
               name TEXT, rights TEXT NOT NULL, secret_hash TEXT NOT NULL,
               created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL, expires_at INTEGER
             ) WITHOUT ROWID`,
            `INSERT INTO api_keys_of_schema_5
               SELECT id, owner_id, name, rights, secret_hash, created_at, updated_at, expires_at FROM api_keys`,
            'DROP TABLE api_keys',
            'ALTER TABLE api_keys_of_schema_5 RENAME TO api_keys',
            'CREATE INDEX api_keys_by_organization ON api_keys (organization_id)',
          ]),
    ]);
  });

  /** Runs statements on the sandbox's store and marks it as schema 5. */
  async function inStore(s: Sandbox, statements: string[]): Promise<void> {
    if (onPostgres) {
      sqlIn(s.db, [...statements, `COMMENT ON SCHEMA orgs IS 'orgs schema 5'`].join('; '));
      return;
    }
    const db = new Database(s.db);
    try {
      for (const statement of statements) db.exec(statement);
      db.pragma('user_version = 5');
    } finally {
      db.close();
    }
  }

  test('each record’s life is found in the trail: the new owner sees none of the former record’s events', async () => {
    const s = box.s;
    expect(await events(s, ['--organization-id', 'org1'], as('mallory'))).toEqual([
      'organization.create organization:org1',
    ]);
    expect(await events(s, ['--organization-id', 'org2'], as('mallory'))).toEqual([]);
    expect(await storeQuery(s.db, 'SELECT count(*) FROM lives')).toEqual(['4']); // user1, mallory, org1, org2
    // The trail goes on: a creation after the upgrade begins its life as before.
    await s.ok(['purge', 'org2', '--force']);
    await s.ok(['create', 'org2', '--user-id', 'user1']);
    expect(await events(s, ['--organization-id', 'org2'], as('user1'))).toEqual([
      'organization.create organization:org2',
    ]);
  });
});
