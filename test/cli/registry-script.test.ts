/**
 * `--format ttn-lw-cli` (REGISTRY.md, "Back to The Things Stack"): every value survives sh; the
 * script's commands are The Things Stack's; and the script, with `ttn-lw-cli` run as orgs, makes
 * what it says: an export's script rebuilds the registry in an empty store, a plan's script
 * brings a copy of the store where `apply` brings another.
 */
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { parse } from 'yaml';
import { describe, expect, test } from 'vitest';
import type { Change } from '../../src/core/registry/changes.js';
import { scriptOf, scriptWriter, shellQuote } from '../../src/core/registry/script.js';
import { BIN, type Sandbox, sandbox } from '../helpers.js';

const NASTY = [
  "it's",
  'say "hi"',
  '$HOME ${PATH} $(id)',
  '`id`',
  'line 1\nline 2\n',
  'a; rm -rf / &',
  '  spaced  ',
  'ünïcødé ✓ 日本',
  'back\\slash \\n',
  '-dash',
  '',
  "'",
  '*',
  '# not a comment',
  'tab\there',
];

/** Runs `script` with sh, `ttn-lw-cli` being `command` (a shell line given the arguments as "$@"). */
async function runScript(dir: string, script: string, command: string, env: Record<string, string | undefined> = {}) {
  const bin = join(dir, 'bin');
  mkdirSync(bin, { recursive: true });
  writeFileSync(join(bin, 'ttn-lw-cli'), `#!/bin/sh\n${command}\n`);
  chmodSync(join(bin, 'ttn-lw-cli'), 0o755);
  const file = join(dir, 'script.sh');
  writeFileSync(file, script);
  return execa('sh', [file], { env: { ...env, PATH: `${bin}:${process.env.PATH}` }, reject: false });
}

/** Each `ttn-lw-cli` call of a script, as the argument vector it was given. */
async function callsOf(script: string): Promise<string[][]> {
  const dir = mkdtempSync(join(tmpdir(), 'orgs-script-'));
  try {
    const log = join(dir, 'calls');
    writeFileSync(log, '');
    // Each argument NUL-terminated (no argument can hold a NUL), each call ended by a lone record separator.
    const run = await runScript(dir, script, `printf '%s\\0' "$@" >> "$LOG"; printf '\\036\\0' >> "$LOG"`, {
      LOG: log,
    });
    expect(run.exitCode, run.stderr).toBe(0);
    const calls: string[][] = [[]];
    for (const word of readFileSync(log, 'utf8').split('\0').slice(0, -1)) {
      if (word === '\x1e') calls.push([]);
      else calls[calls.length - 1]!.push(word);
    }
    return calls.slice(0, -1);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs the script with `ttn-lw-cli` as orgs on the sandbox's store, as the local administrator. */
function runWithOrgs(s: Sandbox, script: string) {
  return runScript(s.dir, script, `exec node ${shellQuote(BIN)} "$@"`, {
    ...s.env,
    ORGS_USER_ID: undefined,
    ORGS_API_KEY: undefined,
  });
}

describe('quoting', () => {
  test('every value comes out of sh as it went in', async () => {
    const { stdout } = await execa('sh', ['-c', `printf '%s\\0' ${NASTY.map(shellQuote).join(' ')}`]);
    expect(stdout.split('\0').slice(0, -1)).toEqual(NASTY);
  });

  test("a plan's changes become The Things Stack's commands, values intact, users as comments", async () => {
    const [name, description, team, eqs, keyName] = [NASTY[0]!, NASTY.join('|'), NASTY[6]!, 'x=y "z"', NASTY[2]!];
    const changes: Change[] = [
      { action: 'create', kind: 'user', ids: { user_id: 'user9' }, fields: { name: NASTY[4] } },
      {
        action: 'create',
        kind: 'organization',
        ids: { organization_id: 'org1' },
        fields: { name, description, attributes: { team, eqs }, fanout_notifications: true },
        collaborator: { user_ids: { user_id: 'user1' } },
      },
      { action: 'create', kind: 'member', ids: { organization_id: 'org1', user_id: 'user1' }, after: ['RIGHT_ALL'] },
      {
        action: 'create',
        kind: 'member',
        ids: { organization_id: 'org1', user_id: 'user2' },
        after: ['RIGHT_APPLICATION_INFO', 'RIGHT_ORGANIZATION_INFO'],
      },
      {
        action: 'update',
        kind: 'api_key',
        ids: { organization_id: 'org1', api_key_id: 'KEY1' },
        fields: { name: keyName, rights: ['RIGHT_ORGANIZATION_INFO'], expires_at: '2030-01-01T00:00:00.000Z' },
      },
      {
        action: 'create',
        kind: 'application',
        ids: { application_id: 'app1' },
        fields: {},
        collaborator: { organization_ids: { organization_id: 'org1' } },
      },
      {
        action: 'create',
        kind: 'collaborator',
        ids: { application_id: 'app1', user_id: 'user2' },
        after: ['RIGHT_ALL'],
      },
      {
        action: 'update',
        kind: 'gateway',
        ids: { gateway_id: 'gtw1' },
        fields: { name: null, description: NASTY[4], attributes: { aaa: '1' } },
        before: { name: 'old', description: null, attributes: { aaa: '0', bbb: '2' } },
      },
      { action: 'update', kind: 'organization', ids: { organization_id: 'org2' }, fields: { attributes: null } },
      { action: 'restore', kind: 'client', ids: { client_id: 'cli2' } },
      { action: 'delete', kind: 'collaborator', ids: { gateway_id: 'gtw1', organization_id: 'org2' } },
      { action: 'delete', kind: 'member', ids: { organization_id: 'org1', user_id: 'user3' } },
      { action: 'delete', kind: 'api_key', ids: { organization_id: 'org1', api_key_id: 'KEY2' } },
      { action: 'delete', kind: 'client', ids: { client_id: 'cli1' } },
    ];
    const script = scriptOf(changes);
    expect(script).toMatch(/^#!\/bin\/sh\n(#.*\n)*set -e\n/);
    expect(script).toContain('\n#   user1\n#   user2\n#   user3\n#   user9\nset -e\n');
    expect(script).toContain('\n# user user9: create on The Things Stack by hand');
    expect(script).toContain('\n# RIGHT_ALL has no ttn-lw-cli flag: RIGHT_APPLICATION_ALL instead\n');
    const org = ['--organization-id', 'org1'];
    expect(await callsOf(script)).toEqual([
      [
        'organizations',
        'create',
        'org1',
        '--user-id',
        'user1',
        '--name',
        name,
        '--description',
        description,
        '--attributes',
        `team=${team}`,
        '--attributes',
        '"eqs=x=y ""z"""',
        '--fanout-notifications',
      ],
      // user1 holds RIGHT_ALL by the create: not set again.
      [
        'organizations',
        'collaborators',
        'set',
        ...org,
        '--user-id',
        'user2',
        '--right-application-info',
        '--right-organization-info',
      ],
      [
        'organizations',
        'api-keys',
        'set',
        ...org,
        '--api-key-id',
        'KEY1',
        '--name',
        keyName,
        '--right-organization-info',
        '--api-key-expiry',
        '2030-01-01T00:00:00.000Z',
      ],
      ['applications', 'create', 'app1', '--organization-id', 'org1'],
      [
        'applications',
        'collaborators',
        'set',
        '--application-id',
        'app1',
        '--user-id',
        'user2',
        '--right-application-all',
      ],
      // bbb is removed: cleared first, since orgs merges --attributes where The Things Stack replaces them.
      ['gateways', 'set', 'gtw1', '--unset', 'attributes'],
      ['gateways', 'set', 'gtw1', '--description', NASTY[4], '--attributes', 'aaa=1', '--unset', 'name'],
      ['organizations', 'set', 'org2', '--unset', 'attributes'],
      ['clients', 'restore', 'cli2'],
      ['gateways', 'collaborators', 'delete', '--gateway-id', 'gtw1', '--organization-id', 'org2'],
      ['organizations', 'collaborators', 'delete', ...org, '--user-id', 'user3'],
      ['organizations', 'api-keys', 'delete', ...org, '--api-key-id', 'KEY2'],
      ['clients', 'delete', 'cli1'],
    ]);
  });
});

describe('export --format ttn-lw-cli', () => {
  test('streams: users fill the header, each record its creation; API keys and deleted records are not made', () => {
    const writer = scriptWriter();
    const out = [
      writer.record('users', { userId: 'user1', name: 'One' }),
      writer.record('users', { userId: 'user2' }),
      writer.record('organizations', {
        organizationId: 'org1',
        fanoutNotifications: false,
        members: new Map([['user1', ['RIGHT_ALL']]]),
        apiKeys: [{ id: 'KEY1', name: 'ci', rights: ['RIGHT_ORGANIZATION_INFO'] }],
      }),
      writer.record('organizations', { organizationId: 'org9', deleted: true, members: new Map() }),
      writer.record('applications', {
        kind: 'application',
        entityId: 'app1',
        collaborators: {
          users: new Map([['user2', ['RIGHT_APPLICATION_INFO']]]),
          organizations: new Map([
            ['org1', ['RIGHT_ALL']],
            ['org9', ['RIGHT_APPLICATION_INFO']],
          ]),
        },
      }),
      writer.record('gateways', { kind: 'gateway', entityId: 'gtw9', deleted: true }),
      writer.end(),
    ];
    expect(out.slice(0, 2)).toEqual(['', '']);
    expect(out.join('')).toBe(
      scriptOf([]).replace('#   (none)\n', '#   user1\n#   user2\n') +
        "ttn-lw-cli organizations create 'org1' --user-id 'user1'\n" +
        '# organization org9 is deleted: not made\n' +
        "ttn-lw-cli applications create 'app1' --organization-id 'org1'\n" +
        "ttn-lw-cli applications collaborators set --application-id 'app1' --user-id 'user2' --right-application-info\n" +
        '# gateway gtw9 is deleted: not made\n',
    );
    const empty = scriptWriter();
    expect(empty.end()).toBe(scriptOf([]));
  });

  test('a record with no collaborator the caller may see (hidden, or orphaned) is named, not made', () => {
    const writer = scriptWriter();
    const out =
      writer.record('organizations', { organizationId: 'org1', fanoutNotifications: false }) +
      writer.record('applications', { kind: 'application', entityId: 'app1' }) +
      writer.record('clients', {
        kind: 'client',
        entityId: 'cli1',
        collaborators: { users: new Map(), organizations: new Map() },
      }) +
      writer.end();
    expect(out).toBe(
      scriptOf([]) +
        '# organization org1: no collaborator the caller may see, so the script cannot create it\n' +
        '# application app1: no collaborator the caller may see, so the script cannot create it\n' +
        '# client cli1: no collaborator the caller may see, so the script cannot create it\n',
    );
  });
});

/**
 * org1 (user1's; user2 a member; nasty names, attributes, fanout), org2 (user3's; user1 with
 * ORGANIZATION_ALL), app1 (user1's; org1 collaborating), gtw1 (org2's; user2 with INFO), cli1
 * (user2's), and a key on org1, which no script makes.
 */
async function seed(s: Sandbox): Promise<void> {
  await s.ok(['users', 'create', 'user1', '--name', 'it\'s "hi" $x `id`\nline 2']);
  await s.ok(['users', 'create', 'user2', '--name', 'ünïcødé ✓ 日本']);
  await s.ok(['users', 'create', 'user3', '--admin']);
  await s.ok([
    'create',
    'org1',
    '--user-id',
    'user1',
    '--name',
    "it's $HOME `id`; rm -rf /",
    '--description',
    NASTY.join('\n'),
    '--attributes',
    'team=radio, a "b"',
    '--attributes',
    'site=-x',
    '--fanout-notifications',
  ]);
  await s.ok([
    'collaborators',
    'set',
    'org1',
    '--user-id',
    'user2',
    '--right-organization-info',
    '--right-application-info',
  ]);
  await s.ok(['create', 'org2', '--user-id', 'user3', '--description', '$(echo pwned)']);
  await s.ok(['collaborators', 'set', 'org2', '--user-id', 'user1', '--right-organization-all']);
  await s.ok(['set', 'org2', '--technical-contact.ids.user-ids.user-id', 'user1']);
  await s.ok(['apps', 'create', 'app1', '--user-id', 'user1', '--name', 'Tracker; echo pwned']);
  await s.ok([
    'apps',
    'collaborators',
    'set',
    'app1',
    '--organization-id',
    'org1',
    '--right-application-info',
    '--right-application-traffic-read',
  ]);
  await s.ok(['gateways', 'create', 'gtw1', '--organization-id', 'org2', '--attributes', 'model=x']);
  await s.ok(['gateways', 'collaborators', 'set', 'gtw1', '--user-id', 'user2', '--right-gateway-info']);
  await s.ok(['gateways', 'set', 'gtw1', '--administrative-contact.ids.user-ids.user-id', 'user2']);
  await s.ok(['clients', 'create', 'cli1', '--user-id', 'user2', '--description', "it's\n'quoted'"]);
  await s.ok(['api-keys', 'create', '--organization-id', 'org1', '--name', 'ci', '--right-organization-info']);
}

/** The users of an export, made in another store (a script expects them: it never creates users). */
async function makeUsers(s: Sandbox, exported: string): Promise<void> {
  for (const user of parse(exported).users) {
    await s.ok([
      'users',
      'create',
      user.user_id,
      ...(user.name ? ['--name', user.name] : []),
      ...(user.admin ? ['--admin'] : []),
    ]);
  }
}

const commandsOf = (script: string) => script.split('\n').filter((l) => l.startsWith('ttn-lw-cli '));

const exportOf = async (s: Sandbox) => (await s.ok(['export', '--no-api-keys'])).stdout;

describe('run with orgs as ttn-lw-cli', () => {
  test("an export's script rebuilds the registry in an empty store, byte for byte (less API keys)", async () => {
    const [a, b] = [sandbox(), sandbox()];
    try {
      await seed(a);
      const exported = await exportOf(a);
      const script = (await a.ok(['export', '--format', 'ttn-lw-cli'])).stdout;
      expect(script).not.toContain('api-keys');
      // The creators' RIGHT_ALL comes with each create: 11 records and holdings, 9 commands; and
      // the two contacts that are not their record's creator.
      expect(commandsOf(script)).toHaveLength(11);
      expect(script).toContain(
        "ttn-lw-cli organizations set 'org2' --technical-contact.ids.user-ids.user-id 'user1'\n",
      );
      expect(script).toContain('#   user1\n#   user2\n#   user3\nset -e\n');

      await makeUsers(b, exported);
      const run = await runWithOrgs(b, script);
      expect(run.exitCode, run.stderr).toBe(0);
      expect(await exportOf(b)).toBe(exported);
    } finally {
      await Promise.all([a.cleanup(), b.cleanup()]);
    }
  });

  test("a plan's script changes a copy of the store as apply changes another", async () => {
    const [b, c] = [sandbox(), sandbox()];
    try {
      await Promise.all([seed(b), seed(c)]);
      const before = await exportOf(b);
      expect(await exportOf(c)).toBe(before);
      const file = join(b.dir, 'change.yaml');
      writeFileSync(file, CHANGE);

      const script = (await b.ok(['plan', file, '--format', 'ttn-lw-cli'])).stdout;
      expect(await exportOf(b), 'a plan changes nothing').toBe(before);
      // 11 commands: the attributes' clearing, then one per change.
      expect(commandsOf(script)).toHaveLength(11);
      const run = await runWithOrgs(b, script);
      expect(run.exitCode, run.stderr).toBe(0);
      await c.ok(['apply', file]);

      const after = await exportOf(c);
      expect(after).not.toBe(before);
      expect(await exportOf(b)).toBe(after);
      expect((await b.ok(['plan', file])).json.changes).toEqual([]);
    } finally {
      await Promise.all([b.cleanup(), c.cleanup()]);
    }
  });
});

/**
 * Members and collaborators changed, added and removed (user1 leaves org2, once no longer its
 * contact; org1 leaves app1); org1's attributes replaced (one removed) and description unset, gtw1
 * renamed, cli1 deleted.
 */
const CHANGE = `version: 1
organizations:
  - organization_id: org1
    description: null
    attributes: {team: "blue 'b'"}
    members:
      user2: [RIGHT_ORGANIZATION_ALL]
      user3: [RIGHT_ORGANIZATION_INFO, RIGHT_GATEWAY_INFO]
  - organization_id: org2
    technical_contact: {user_ids: {user_id: user3}}
    members:
      user1: []
applications:
  - application_id: app1
    collaborators:
      users:
        user2: [RIGHT_APPLICATION_INFO]
      organizations:
        org1: []
gateways:
  - gateway_id: gtw1
    name: "Gate; 'one' $(x)"
    collaborators:
      users:
        user2: [RIGHT_GATEWAY_ALL]
clients:
  - client_id: cli1
    deleted: true
`;

test("orgs reads The Things Stack's forms the script writes: --flag=false and an attribute as one CSV field", async () => {
  const s = sandbox();
  try {
    await s.ok(['organizations', 'create', 'org1', '--user-id', 'user1', '--fanout-notifications=true']);
    await s.ok(['organizations', 'set', 'org1', '--attributes', '"key=a=b,c ""d"""', '--fanout-notifications=false']);
    const org = (await s.ok(['get', 'org1', '--all'])).json;
    expect(org.attributes).toEqual({ key: 'a=b,c "d"' });
    expect(org.fanout_notifications).toBeUndefined();
    expect((await s.run(['set', 'org1', '--fanout-notifications=maybe'])).exitCode).toBe(2);
  } finally {
    await s.cleanup();
  }
});
