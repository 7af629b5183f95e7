/**
 * The registry as a file (REGISTRY.md): `export` (deterministic, what the caller sees, filters,
 * --deleted, --no-api-keys, YAML and JSON), `plan` (changes, access, table, --check, --prune) and
 * `apply` (one transaction, every rule as the caller, all or nothing, one correlation ID,
 * idempotent, --dry-run), and the round trip export → apply → export, byte for byte.
 */
import { truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, test } from 'vitest';
import { as, contactFlags, contactsView, expectFails, sandbox, shared, storeRows } from '../helpers.js';
import { MOVE, seed, write } from './registry-fixture.js';

describe('export', () => {
  const box = shared(async (s) => void (await seed(s)));

  test('is deterministic, sorted, and parses back to the records the commands show', async () => {
    const { s } = box;
    const first = await s.ok(['export']);
    expect((await s.ok(['export'])).stdout).toBe(first.stdout);
    const document = parse(first.stdout);
    expect(document.version).toBe(1);
    expect(document.users.map((u: any) => u.user_id)).toEqual(['user1', 'user2', 'user3', 'user4']);
    expect(document.users[0]).toEqual({ user_id: 'user1', name: 'User 1', admin: false });
    expect(document.organizations.map((o: any) => o.organization_id)).toEqual(['org1', 'org2', 'org3']);
    expect(document.organizations[0]).toMatchObject({
      name: 'Org 1',
      attributes: { team: 'radio' },
      members: { user1: ['RIGHT_ALL'], user2: ['RIGHT_APPLICATION_INFO', 'RIGHT_ORGANIZATION_INFO'] },
    });
    expect(document.organizations[0].api_keys).toEqual([
      { id: expect.any(String), name: 'ci', rights: ['RIGHT_ORGANIZATION_INFO'] },
    ]);
    expect(document.organizations[1].description).toBe('it\'s: #2 "quoted"\nand more');
    expect(document.applications).toEqual([
      {
        application_id: 'app1',
        name: 'Tracker',
        ...contactsView('user1'),
        collaborators: {
          users: { user1: ['RIGHT_ALL'] },
          organizations: {
            org1: ['RIGHT_APPLICATION_INFO', 'RIGHT_APPLICATION_TRAFFIC_READ'],
            org3: ['RIGHT_APPLICATION_INFO'],
          },
        },
      },
    ]);
    expect(document.gateways[0].collaborators).toEqual({ users: {}, organizations: { org2: ['RIGHT_ALL'] } });
    expect(document.clients).toEqual([]);
    // JSON is the same document.
    expect(JSON.parse((await s.ok(['export', '--format', 'json'])).stdout)).toEqual(document);
  });

  test('--no-api-keys, filters, and --deleted', async () => {
    const { s } = box;
    expect(parse((await s.ok(['export', '--no-api-keys'])).stdout).organizations[0].api_keys).toBeUndefined();
    const filtered = parse((await s.ok(['export', '--organization-id', 'org2', '--gateway-id', 'gtw1'])).stdout);
    expect(filtered.organizations.map((o: any) => o.organization_id)).toEqual(['org2']);
    expect(filtered.applications).toEqual([]);
    expect(filtered.gateways.map((g: any) => g.gateway_id)).toEqual(['gtw1']);
    expect(filtered.users.map((u: any) => u.user_id)).toEqual(['user3']);
    const d = sandbox();
    try {
      await d.ok(['create', 'org9', '--user-id', 'user9']);
      await d.ok(['delete', 'org9']);
      expect(parse((await d.ok(['export'])).stdout).organizations).toEqual([]);
      expect(parse((await d.ok(['export', '--deleted'])).stdout).organizations[0]).toMatchObject({
        organization_id: 'org9',
        deleted: true,
      });
    } finally {
      await d.cleanup();
    }
  });

  test('a user sees what it may read: its organizations, members where it may list them, user IDs only', async () => {
    const { s } = box;
    const document = parse((await s.ok(['export'], as('user2'))).stdout);
    expect(document.users).toEqual([]);
    // Contacts as get --all shows them: IDs that `users` does not list where members are not listed.
    expect(document.organizations).toEqual([
      {
        organization_id: 'org1',
        name: 'Org 1',
        attributes: { team: 'radio' },
        ...contactsView('user1'),
        fanout_notifications: false,
      },
    ]);
    expect(document.applications).toEqual([{ application_id: 'app1', name: 'Tracker', ...contactsView('user1') }]);
    const owner = parse((await s.ok(['export'], as('user3'))).stdout);
    expect(owner.users).toEqual([{ user_id: 'user3' }]);
    expect(owner.organizations.map((o: any) => o.organization_id)).toEqual(['org2']);
  });

  test('a user made administrator exports everything, as the local administrator does', async () => {
    const d = sandbox();
    try {
      await seed(d);
      await d.ok(['users', 'update', 'user4', '--admin']);
      const asAdministrator = parse((await d.ok(['export'])).stdout);
      const asUser4 = parse((await d.ok(['export'], as('user4'))).stdout);
      expect(asUser4.organizations.map((o: any) => o.organization_id)).toEqual(['org1', 'org2', 'org3']);
      expect(asUser4).toEqual(asAdministrator);
    } finally {
      await d.cleanup();
    }
  });

  test('reads never write', async () => {
    const { s } = box;
    const before = await storeRows(s.db);
    await s.ok(['export', '--deleted'], as('newcomer'));
    expect(await storeRows(s.db)).toEqual(before);
  });
});

describe('plan and apply', () => {
  test('a plan names the changes and the access they change; apply makes them; --check finds drift', async () => {
    const s = sandbox();
    try {
      await seed(s);
      const file = write(s, 'move.yaml', MOVE);
      const before = await storeRows(s.db);
      const plan = await s.ok(['plan', file]);
      expect(await storeRows(s.db), 'a plan changes nothing').toEqual(before);
      expect(plan.json.changes).toEqual([
        {
          action: 'create',
          kind: 'member',
          ids: { organization_id: 'org2', user_id: 'user2' },
          after: ['RIGHT_APPLICATION_INFO', 'RIGHT_ORGANIZATION_INFO'],
        },
        {
          action: 'delete',
          kind: 'collaborator',
          ids: { application_id: 'app1', organization_id: 'org3' },
          before: ['RIGHT_APPLICATION_INFO'],
        },
        {
          action: 'delete',
          kind: 'member',
          ids: { organization_id: 'org1', user_id: 'user2' },
          before: ['RIGHT_APPLICATION_INFO', 'RIGHT_ORGANIZATION_INFO'],
        },
      ]);
      const lost = plan.json.access.map((a: any) => [
        Object.values(a.subject)[0],
        Object.values(Object.values(a.target)[0] as object)[0],
        a.lost,
      ]);
      expect(lost).toContainEqual([{ user_id: 'user2' }, 'app1', ['RIGHT_APPLICATION_INFO']]);
      expect(lost).toContainEqual([{ user_id: 'user4' }, 'app1', ['RIGHT_APPLICATION_INFO']]);
      const table = await s.ok(['plan', file, '--output-format', 'table']);
      expect(table.stdout).toContain('+ member user2 of org2: +application-info +organization-info\n');
      expect(table.stdout).toContain('- collaborator org3 of app1\n');
      expect(table.stdout).toContain('- member user2 of org1\n');
      expect(table.stdout).toMatch(/^ {2}user4 on application app1: -application-info$/m);

      const applyStart = new Date().toISOString();
      const applied = await s.ok(['apply', file]);
      expect(applied.json.changes).toEqual(plan.json.changes);
      expect((await s.ok(['collaborators', 'list', 'org2'])).json.map((c: any) => c.ids.user_ids.user_id)).toContain(
        'user2',
      );
      const events = (await s.ok(['events', '--names', '/\\.collaborator\\./', '--after', applyStart])).stdout
        .trim()
        .replaceAll('\n}\n{', '\n}\u0000{')
        .split('\u0000')
        .map((document) => JSON.parse(document));
      expect(events.map((e: any) => e.name)).toEqual([
        'organization.collaborator.update',
        'application.collaborator.delete',
        'organization.collaborator.delete',
      ]);
      const correlations = new Set(events.map((e: any) => e.correlation_ids.join()));
      expect(correlations.size, 'one correlation ID for the whole apply').toBe(1);

      // Applied twice, nothing changes the second time.
      expect((await s.ok(['plan', file])).json.changes).toEqual([]);
      expect((await s.run(['plan', file, '--check'])).exitCode).toBe(0);
      await s.ok(['collaborators', 'set', 'org2', '--user-id', 'user2', '--right-organization-info']);
      const drift = await s.run(['plan', file, '--check']);
      expect(drift.exitCode).toBe(7);
      expect(drift.stderr).toBe('');
      expect(drift.json.changes).toHaveLength(1);
    } finally {
      await s.cleanup();
    }
  });

  test('apply is all or nothing: a refused step refuses the whole file, naming its record and line', async () => {
    const s = sandbox();
    try {
      await seed(s);
      // The first change is allowed, the second would leave org3 without an owner.
      const file = write(
        s,
        'bad.yaml',
        'version: 1\norganizations:\n  - organization_id: org1\n    name: Renamed\n  - organization_id: org3\n    members:\n      user4: [RIGHT_ORGANIZATION_INFO]\n',
      );
      const result = await expectFails(s, ['apply', file], 5, 'organization_needs_collaborator');
      expect(result.stderr).toContain(`${file}:5:5: member user4 of org3: `);
      // As a user, what it does not hold it cannot grant.
      const grant = write(
        s,
        'grant.yaml',
        'version: 1\norganizations:\n  - organization_id: org1\n    members:\n      user5: [RIGHT_ORGANIZATION_ALL]\n',
      );
      await expectFails(s, ['apply', grant], 4, 'insufficient_rights', as('user2'));
    } finally {
      await s.cleanup();
    }
  });

  test('ownership moves in one apply; --prune removes what the file leaves out; keys change, never appear', async () => {
    const s = sandbox();
    try {
      const keyId = await seed(s);
      const file = write(
        s,
        'owner.yaml',
        `version: 1
organizations:
  - organization_id: org1
    administrative_contact: { user_ids: { user_id: user5 } }
    technical_contact: { user_ids: { user_id: user5 } }
    members:
      user5: [RIGHT_ALL]
    api_keys:
      - id: ${keyId}
        name: renamed
        rights: [RIGHT_ORGANIZATION_INFO, RIGHT_ORGANIZATION_SETTINGS_BASIC]
`,
      );
      const plan = await s.ok(['plan', file, '--prune']);
      expect(plan.json.changes.map((c: any) => `${c.action} ${c.kind} ${Object.values(c.ids).join(' ')}`)).toEqual([
        'create member org1 user5',
        `update api_key org1 ${keyId}`,
        'update organization org1',
        'delete member org1 user1',
        'delete member org1 user2',
      ]);
      // apply --dry-run prints the plan and changes nothing.
      const before = await storeRows(s.db);
      expect((await s.ok(['apply', file, '--prune', '--dry-run'])).json).toEqual(plan.json);
      expect(await storeRows(s.db)).toEqual(before);
      await s.ok(['apply', file, '--prune']);
      const members = (await s.ok(['collaborators', 'list', 'org1'])).json;
      expect(members.map((c: any) => c.ids.user_ids.user_id)).toEqual(['user5']);
      expect((await s.ok(['get', 'org1', '--all'])).json).toMatchObject(contactsView('user5'));
      expect((await s.ok(['api-keys', 'get', 'org1', keyId])).json).toMatchObject({ name: 'renamed' });

      const unknown = write(
        s,
        'key.yaml',
        'version: 1\norganizations:\n  - organization_id: org1\n    api_keys:\n      - id: NOSUCHKEY\n        name: x\n',
      );
      await expectFails(s, ['plan', unknown], 3, 'unknown_api_key');
    } finally {
      await s.cleanup();
    }
  });
});

describe('round trip', () => {
  test('export, apply to an empty store, export again: byte for byte', async () => {
    const a = sandbox();
    const b = sandbox();
    try {
      await seed(a);
      await a.ok(['clients', 'create', 'client1', '--user-id', 'user3', '--name', 'Ünïcödé ✓']);
      await a.ok(['users', 'update', 'user3', '--admin']);
      // Contacts other than the collaborator each record is created for.
      await a.ok(['set', 'org1', '--technical-contact.ids.user-ids.user-id', 'user2']);
      await a.ok(['apps', 'set', 'app1', ...contactFlags('org3', 'organization')]);
      const exported = (await a.ok(['export', '--no-api-keys'])).stdout;
      expect(exported).toContain('technical_contact:\n      user_ids:\n        user_id: user2\n');
      const file = write(b, 'a.yaml', exported);
      await b.ok(['apply', file]);
      expect((await b.ok(['export', '--no-api-keys'])).stdout).toBe(exported);
      expect((await b.ok(['plan', file])).json.changes).toEqual([]);
    } finally {
      await a.cleanup();
      await b.cleanup();
    }
  });
});

test('a file on stdin', async () => {
  const s = sandbox();
  try {
    await seed(s);
    const result = await s.ok(['plan', '-'], { input: MOVE });
    expect(result.json.changes).toHaveLength(3);
  } finally {
    await s.cleanup();
  }
});

describe('a broken file is one error line with its file, line and column, exit 2, and the store untouched', () => {
  const box = shared(async (s) => void (await seed(s)));
  const BROKEN: Array<[string, string, string]> = [
    ['YAML syntax', 'version: 1\norganizations:\n  - organization_id: org1\n   name: [unclosed\n', ':4:'],
    ['an anchor and alias', 'version: 1\nusers:\n  - &u { user_id: user9 }\n  - *u\n', ':3:'],
    ['an unknown key', 'version: 1\norganizations:\n  - organization_id: org1\n    colour: red\n', ':4:5:'],
    ['a wrong type', 'version: 1\norganizations:\n  - organization_id: org1\n    name: [1, 2]\n', ':4:11:'],
    ['a bad ID', 'version: 1\norganizations:\n  - organization_id: Org_1\n', ':3:22:'],
    [
      'a right of the wrong group',
      'version: 1\napplications:\n  - application_id: app1\n    collaborators:\n      users:\n        user1: [RIGHT_GATEWAY_INFO]\n',
      ':6:',
    ],
    ['a duplicate record', 'version: 1\norganizations:\n  - organization_id: org1\n  - organization_id: org1\n', ':4:'],
    ['version 2', 'version: 2\n', ':1:'],
  ];
  for (const [what, text, at] of BROKEN) {
    test(what, async () => {
      const { s } = box;
      const file = write(s, 'broken.yaml', text);
      const result = await expectFails(s, ['apply', file], 2, 'invalid_registry');
      expect(result.stderr).toContain(`(${file}${at}`);
    });
  }

  test('a non-UTF-8 file, a folder, a device, a file above 64 MiB', async () => {
    const { s } = box;
    const latin1 = join(s.dir, 'latin1.yaml');
    writeFileSync(latin1, Buffer.from('version: 1\nusers:\n  - user_id: user1\n    name: Jos\xe9\n', 'latin1'));
    const huge = join(s.dir, 'huge.yaml');
    writeFileSync(huge, '');
    truncateSync(huge, 64 * 1024 * 1024 + 1);
    for (const path of [latin1, s.dir, '/dev/zero', huge]) {
      const result = await expectFails(s, ['apply', path], 2, 'invalid_registry');
      expect(result.stderr).toContain(path);
    }
  });
});
