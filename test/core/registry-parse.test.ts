/**
 * The registry file read into its document (src/core/registry/parse.ts): every field, in YAML and
 * in JSON; and each fault refused as `invalid_registry`, naming the line and column where it is.
 */
import { describe, expect, test } from 'vitest';
import { OrgsError } from '../../src/core/errors.js';
import type { RegistryDocument } from '../../src/core/registry/document.js';
import { parseRegistry } from '../../src/core/registry/parse.js';

const lines = (...rows: string[]) => `${rows.join('\n')}\n`;

async function failure(text: string, file = 'registry.yaml'): Promise<OrgsError> {
  try {
    await parseRegistry(text, file);
  } catch (error) {
    if (error instanceof OrgsError) return error;
    throw error;
  }
  throw new Error('expected an OrgsError');
}

/** The document without the positions of its records, which differ between two layouts of one file. */
function withoutPositions(document: RegistryDocument): unknown {
  return JSON.parse(
    JSON.stringify(document, (key, value: unknown) =>
      key === 'at' ? undefined : value instanceof Map ? { map: [...value] } : value,
    ),
  );
}

const EVERY_FIELD = lines(
  'version: 1',
  'users:',
  '  - user_id: user1',
  '    name: User 1',
  '    admin: true',
  '  - user_id: u2',
  '    name: null',
  '    admin: false',
  '  - user_id: user3',
  'organizations:',
  '  - organization_id: org1',
  '    name: Org 1',
  '    description: Radio team',
  '    attributes: { team: radio, floor: "3" }',
  '    fanout_notifications: true',
  '    deleted: false',
  '    members:',
  '      user1: [RIGHT_ALL]',
  '      u2: [RIGHT_ORGANIZATION_INFO, RIGHT_APPLICATION_INFO, RIGHT_ORGANIZATION_INFO]',
  '      user3: []',
  '    api_keys:',
  '      - id: 5X3CA7LJ',
  '        name: ci',
  '        rights: [RIGHT_ORGANIZATION_INFO, RIGHT_GATEWAY_INFO]',
  '        expires_at: 2027-06-30T00:00:00Z',
  '      - id: KEY2',
  '        name: ~',
  '        expires_at: 2030-01-31',
  '      - id: KEY3',
  '        expires_at: null',
  '  - organization_id: org2',
  '    name:',
  '    description: null',
  '    attributes: null',
  '    deleted: true',
  '    members: {}',
  '    api_keys: []',
  '  - organization_id: org3',
  'applications:',
  '  - application_id: app1',
  '    name: Tracker',
  '    description: "Trackers, on trucks"',
  '    attributes: {}',
  '    deleted: false',
  '    collaborators:',
  '      users: { user1: [RIGHT_APPLICATION_ALL] }',
  '      organizations: { org1: [RIGHT_APPLICATION_TRAFFIC_READ, RIGHT_APPLICATION_INFO], org2: [] }',
  '  - application_id: app2',
  '    collaborators: {}',
  'gateways:',
  '  - gateway_id: app1',
  '    collaborators:',
  '      organizations: { org1: [RIGHT_ALL, RIGHT_GATEWAY_INFO] }',
  '    technical_contact: { organization_ids: { organization_id: org1 } }',
  'clients:',
  '  - client_id: client1',
  '    collaborators: { users: { u2: [RIGHT_CLIENT_ALL] } }',
  '    administrative_contact: { user_ids: { user_id: u2 } }',
  '    technical_contact: null',
);

const EXPECTED: RegistryDocument = {
  users: [
    { at: { line: 3, column: 5 }, userId: 'user1', name: 'User 1', admin: true },
    { at: { line: 6, column: 5 }, userId: 'u2', name: null, admin: false },
    { at: { line: 9, column: 5 }, userId: 'user3' },
  ],
  organizations: [
    {
      at: { line: 11, column: 5 },
      organizationId: 'org1',
      name: 'Org 1',
      description: 'Radio team',
      attributes: { team: 'radio', floor: '3' },
      fanoutNotifications: true,
      deleted: false,
      members: new Map([
        ['user1', ['RIGHT_ALL']],
        // Unique and sorted by name, as every list of rights is stored.
        ['u2', ['RIGHT_APPLICATION_INFO', 'RIGHT_ORGANIZATION_INFO']],
        ['user3', []],
      ]),
      apiKeys: [
        {
          at: { line: 22, column: 9 },
          id: '5X3CA7LJ',
          name: 'ci',
          rights: ['RIGHT_GATEWAY_INFO', 'RIGHT_ORGANIZATION_INFO'],
          expiresAt: Date.UTC(2027, 5, 30),
        },
        { at: { line: 26, column: 9 }, id: 'KEY2', name: null, expiresAt: Date.UTC(2030, 0, 31) },
        { at: { line: 29, column: 9 }, id: 'KEY3', expiresAt: null },
      ],
    },
    {
      at: { line: 31, column: 5 },
      organizationId: 'org2',
      name: null,
      description: null,
      attributes: null,
      deleted: true,
      members: new Map(),
      apiKeys: [],
    },
    { at: { line: 38, column: 5 }, organizationId: 'org3' },
  ],
  entities: {
    application: [
      {
        kind: 'application',
        at: { line: 40, column: 5 },
        entityId: 'app1',
        name: 'Tracker',
        description: 'Trackers, on trucks',
        attributes: {},
        deleted: false,
        collaborators: {
          users: new Map([['user1', ['RIGHT_APPLICATION_ALL']]]),
          organizations: new Map([
            ['org1', ['RIGHT_APPLICATION_INFO', 'RIGHT_APPLICATION_TRAFFIC_READ']],
            ['org2', []],
          ]),
        },
      },
      { kind: 'application', at: { line: 48, column: 5 }, entityId: 'app2', collaborators: {} },
    ],
    // Each kind has IDs of its own: a gateway may be called as an application is.
    gateway: [
      {
        kind: 'gateway',
        at: { line: 51, column: 5 },
        entityId: 'app1',
        collaborators: { organizations: new Map([['org1', ['RIGHT_ALL', 'RIGHT_GATEWAY_INFO']]]) },
        technicalContact: { kind: 'organization', id: 'org1' },
      },
    ],
    client: [
      {
        kind: 'client',
        at: { line: 56, column: 5 },
        entityId: 'client1',
        collaborators: { users: new Map([['u2', ['RIGHT_CLIENT_ALL']]]) },
        administrativeContact: { kind: 'user', id: 'u2' },
        technicalContact: null,
      },
    ],
  },
};

describe('a valid file', () => {
  test('every field, in YAML: absent fields stay absent, null is null, rights unique and sorted', async () => {
    expect(await parseRegistry(EVERY_FIELD, 'registry.yaml')).toStrictEqual(EXPECTED);
  });

  test('the same file in JSON is the same document, its records where JSON writes them', async () => {
    const yaml = await import('yaml');
    const json = JSON.stringify(yaml.parse(EVERY_FIELD), null, 2);
    const document = await parseRegistry(json, 'registry.json');
    expect(withoutPositions(document)).toEqual(withoutPositions(EXPECTED));
    expect(document.users[0]!.at).toEqual({ line: 4, column: 5 });
  });

  test('JSON on one line, indented with tabs, or with a byte order mark', async () => {
    for (const text of [
      '{"version": 1, "users": [{"user_id": "u1"}]}',
      '{\n\t"version": 1,\n\t"users": [{"user_id": "u1"}]\n}',
    ]) {
      expect((await parseRegistry(text, 'registry.json')).users).toEqual([{ at: expect.anything(), userId: 'u1' }]);
    }
    expect(await parseRegistry('\ufeffversion: 1\n', 'registry.yaml')).toEqual({
      users: [],
      organizations: [],
      entities: { application: [], gateway: [], client: [] },
    });
  });

  test('YAML 1.2: yes, no, on and off are strings, 0x1 and 1.0 numbers', async () => {
    const document = await parseRegistry(lines('version: 1', 'users: [{ user_id: user1, name: yes }]'), 'r.yaml');
    expect(document.users[0]!.name).toBe('yes');
    expect((await failure(lines('version: 1', 'users: [{ user_id: user1, admin: yes }]'))).message).toBe(
      'registry.yaml:2:34: admin must be true or false, not the string "yes"',
    );
  });
});

/** A record under `key` of a file of version 1. */
const under = (key: string, ...record: string[]) => lines('version: 1', `${key}:`, ...record);

describe('each fault is one error: invalid_registry, exit 2, at its line and column', () => {
  const long = (n: number) => 'x'.repeat(n);
  const cases: Array<[string, string, number, number, string | RegExp]> = [
    // YAML itself
    [
      'a syntax error',
      lines('version: 1', 'users: [', 'organizations: []'),
      3,
      1,
      'Flow sequence in block collection must be sufficiently indented and end with a ]',
    ],
    ['an unclosed quote', lines('version: 1', 'users: "abc'), 3, 1, 'Missing closing "quote'],
    ['a tab as indentation', lines('version: 1', 'users:', '\t- user_id: user1'), 3, 1, /Tabs are not allowed/],
    ['two documents', lines('version: 1', '---', 'version: 1'), 2, 1, /multiple documents/],
    [
      'a duplicate key',
      lines('version: 1', 'users: []', 'users: []'),
      3,
      1,
      'the key "users" is given twice in this mapping',
    ],
    [
      'a duplicate key in a record',
      under('users', '  - user_id: user1', '    name: a', '    name: b'),
      5,
      5,
      'the key "name" is given twice in this mapping',
    ],
    [
      'a duplicate member, in JSON',
      '{"version": 1, "organizations": [{"organization_id": "org1", "members": {"u1": [], "u1": []}}]}',
      1,
      84,
      'the key "u1" is given twice in this mapping',
    ],
    ['an anchor', under('users', '  - &u { user_id: user1 }', '  - *u'), 3, 5, 'YAML anchors (&u) are not allowed'],
    [
      'billion laughs',
      lines('version: 1', 'a: &a ["lol", "lol"]', 'b: &b [*a, *a]', 'c: [*b, *b]'),
      2,
      4,
      'YAML anchors (&a) are not allowed',
    ],
    ['an alias of nothing', lines('version: 1', 'users: *u'), 2, 8, 'YAML aliases (*u) are not allowed'],
    ['a tag', lines('version: !!int 1'), 1, 10, 'YAML tags (tag:yaml.org,2002:int) are not allowed'],
    ['a tag of its own', under('users', '  - !user { user_id: user1 }'), 3, 5, /Unresolved tag: !user/],
    // The top level
    ['an empty file', '', 1, 1, /^the file must be a mapping of version, users, .* not empty$/],
    ['a comment alone', '# nothing\n', 1, 1, /not empty$/],
    ['a list', '[]\n', 1, 1, /not a list$/],
    ['a string', 'version 1\n', 1, 1, /not the string "version 1"$/],
    ['no version', lines('users: []'), 1, 1, 'version is missing: the file must say version: 1'],
    [
      'version 2',
      lines('users: []', 'version: 2'),
      2,
      10,
      'version must be 1 (the only version there is), not the number 2',
    ],
    ['version "1"', lines('version: "1"'), 1, 10, 'version must be 1 (the only version there is), not the string "1"'],
    ['version 1.0', lines('version: 1.0'), 1, 10, 'version must be 1 (the only version there is), not the number 1.0'],
    ['version without a value', lines('version:'), 1, 9, 'version must be 1 (the only version there is), not null'],
    [
      'an unknown key at the top level',
      lines('version: 1', 'devices: []'),
      2,
      1,
      'unknown key "devices" in the top level; known keys: version, users, organizations, applications, gateways, clients',
    ],
    [
      'a key that is not a string',
      lines('version: 1', '1: []'),
      2,
      1,
      'the keys of the top level must be strings, not the number 1',
    ],
    // Unknown keys at every level
    [
      'an unknown key in a user',
      under('users', '  - user_id: user1', '    email: a@b.c'),
      4,
      5,
      'unknown key "email" in a user; known keys: user_id, name, admin',
    ],
    [
      'an unknown key in an organization',
      under('organizations', '  - organization_id: org1', '    collaborators: {}'),
      4,
      5,
      'unknown key "collaborators" in an organization; known keys: organization_id, name, description, attributes, administrative_contact, technical_contact, deleted, fanout_notifications, members, api_keys',
    ],
    [
      'an unknown key in an API key',
      under('organizations', '  - organization_id: org1', '    api_keys:', '      - { id: K1, secret: abc }'),
      5,
      19,
      'unknown key "secret" in an API key; known keys: id, name, rights, expires_at',
    ],
    [
      'an unknown key in an application',
      under('applications', '  - application_id: app1', '    fanout_notifications: true'),
      4,
      5,
      'unknown key "fanout_notifications" in an application; known keys: application_id, name, description, attributes, administrative_contact, technical_contact, deleted, collaborators',
    ],
    [
      "a gateway's ID under the application's key",
      under('gateways', '  - application_id: gtw1'),
      3,
      5,
      'unknown key "application_id" in a gateway; known keys: gateway_id, name, description, attributes, administrative_contact, technical_contact, deleted, collaborators',
    ],
    [
      'a contact of both kinds',
      under(
        'applications',
        '  - application_id: app1',
        '    technical_contact: { user_ids: { user_id: u1 }, organization_ids: { organization_id: o1 } }',
      ),
      4,
      24,
      'technical_contact must name one user or one organization',
    ],
    [
      'a contact that is a string',
      under('organizations', '  - organization_id: org1', '    administrative_contact: user1'),
      4,
      29,
      'administrative_contact must be a mapping of user_ids or organization_ids, or null, not the string "user1"',
    ],
    [
      "a contact's bad ID",
      under('gateways', '  - gateway_id: gtw1', '    administrative_contact: { user_ids: { user_id: Bad_ID } }'),
      4,
      52,
      /Bad_ID/,
    ],
    [
      'an unknown key in collaborators',
      under('clients', '  - client_id: cli1', '    collaborators: { user: {} }'),
      4,
      22,
      'unknown key "user" in collaborators; known keys: users, organizations',
    ],
    // Wrong types
    ['users as a mapping', under('users', '  user1: {}'), 3, 3, 'users must be a list, not a mapping'],
    ['a list left empty', lines('version: 1', 'gateways:'), 2, 10, 'gateways must be a list, not null'],
    ['a user as a string', under('users', '  - user1'), 3, 5, 'a user must be a mapping, not the string "user1"'],
    [
      'a user ID as a number',
      under('users', '  - user_id: 123'),
      3,
      14,
      'user_id must be a string, not the number 123',
    ],
    [
      'a name as a number',
      under('users', '  - { user_id: user1, name: 42 }'),
      3,
      29,
      'name must be a string, or null, not the number 42',
    ],
    [
      'admin as a string',
      under('users', '  - { user_id: user1, admin: "true" }'),
      3,
      30,
      'admin must be true or false, not the string "true"',
    ],
    [
      'a description as a list',
      under('organizations', '  - { organization_id: org1, description: [a] }'),
      3,
      43,
      'description must be a string, or null, not a list',
    ],
    [
      'attributes as a list',
      under('organizations', '  - { organization_id: org1, attributes: [a] }'),
      3,
      42,
      'attributes must be a mapping of keys to strings, or null, not a list',
    ],
    [
      'an attribute value as a number',
      under('applications', '  - { application_id: app1, attributes: { floor: 3 } }'),
      3,
      50,
      'attribute floor must be a string, not the number 3',
    ],
    [
      'fanout_notifications as a number',
      under('organizations', '  - { organization_id: org1, fanout_notifications: 1 }'),
      3,
      52,
      'fanout_notifications must be true or false, not the number 1',
    ],
    [
      'deleted as null',
      under('gateways', '  - { gateway_id: gtw1, deleted: }'),
      3,
      34,
      'deleted must be true or false, not null',
    ],
    [
      'members as a list',
      under('organizations', '  - { organization_id: org1, members: [user1] }'),
      3,
      39,
      'members must be a mapping of user IDs to lists of rights, not a list',
    ],
    [
      "a member's rights as a string",
      under('organizations', '  - { organization_id: org1, members: { user1: RIGHT_ALL } }'),
      3,
      48,
      'the rights of user1 must be a list, not the string "RIGHT_ALL"',
    ],
    [
      'a member without rights',
      under('organizations', '  - { organization_id: org1, members: { user1 } }'),
      3,
      46,
      'the rights of user1 must be a list, not null',
    ],
    [
      'a right as a mapping',
      under('organizations', '  - { organization_id: org1, members: { user1: [{ a: b }] } }'),
      3,
      49,
      'a right must be a string, not a mapping',
    ],
    [
      'api_keys as a mapping',
      under('organizations', '  - { organization_id: org1, api_keys: { K1: {} } }'),
      3,
      40,
      'api_keys must be a list, not a mapping',
    ],
    [
      'expires_at as a number',
      under('organizations', '  - { organization_id: org1, api_keys: [{ id: K1, expires_at: 2030 }] }'),
      3,
      63,
      'expires_at must be an RFC 3339 time, or null, not the number 2030',
    ],
    [
      'collaborators as a list',
      under('applications', '  - { application_id: app1, collaborators: [] }'),
      3,
      44,
      'collaborators must be a mapping, not a list',
    ],
    [
      'collaborating users as a list',
      under('applications', '  - { application_id: app1, collaborators: { users: [user1] } }'),
      3,
      53,
      'collaborators.users must be a mapping of user IDs to lists of rights, not a list',
    ],
    // IDs
    ['no ID', under('users', '  - name: User 1'), 3, 5, 'a user without user_id'],
    [
      'a bad user ID',
      under('users', '  - user_id: User1'),
      3,
      14,
      'user ID "User1" is invalid: 2 to 36 lowercase letters, digits and single dashes inside',
    ],
    ['an empty user ID', under('users', '  - user_id: ""'), 3, 14, 'no user ID given'],
    [
      'a bad organization ID',
      under('organizations', '  - organization_id: o1'),
      3,
      22,
      'organization ID "o1" is invalid: 3 to 36 lowercase letters, digits and single dashes inside',
    ],
    [
      'a bad application ID',
      under('applications', '  - application_id: app_1'),
      3,
      21,
      'application ID "app_1" is invalid: 3 to 36 lowercase letters, digits and single dashes inside',
    ],
    [
      'a bad member ID',
      under('organizations', '  - organization_id: org1', '    members:', '      "user 1": []'),
      5,
      7,
      'user ID "user 1" is invalid: 2 to 36 lowercase letters, digits and single dashes inside',
    ],
    [
      'a member ID as a number',
      under('organizations', '  - organization_id: org1', '    members:', '      123: []'),
      5,
      7,
      'the keys of members must be strings, not the number 123',
    ],
    [
      "a collaborating organization with a user's ID",
      under('clients', '  - client_id: cli1', '    collaborators:', '      organizations: { u1: [] }'),
      5,
      24,
      'organization ID "u1" is invalid: 3 to 36 lowercase letters, digits and single dashes inside',
    ],
    [
      'an empty API key ID',
      under('organizations', '  - { organization_id: org1, api_keys: [{ id: "" }] }'),
      3,
      47,
      'an API key ID cannot be empty',
    ],
    // Values the commands refuse
    [
      'a name too long',
      under('users', `  - { user_id: user1, name: ${long(51)} }`),
      3,
      29,
      'name is longer than 50 characters',
    ],
    [
      'a description too long',
      under('organizations', `  - { organization_id: org1, description: ${long(2001)} }`),
      3,
      43,
      'description is longer than 2000 characters',
    ],
    [
      'NUL in a name',
      under('organizations', '  - { organization_id: org1, name: "a\\0b" }'),
      3,
      36,
      'name holds U+0000 (NUL), which no text may hold',
    ],
    [
      'a lone surrogate in a description',
      under('applications', '  - { application_id: app1, description: "\\ud800" }'),
      3,
      42,
      'description is not valid Unicode: it holds a lone surrogate',
    ],
    [
      'a bad attribute key',
      under('organizations', '  - { organization_id: org1, attributes: { Team: a } }'),
      3,
      44,
      'attribute key "Team" is invalid: 3 to 36 lowercase letters, digits and single dashes inside',
    ],
    [
      'an attribute value too long',
      under('organizations', `  - { organization_id: org1, attributes: { team: ${long(201)} } }`),
      3,
      50,
      'attribute_value is longer than 200 characters',
    ],
    [
      'eleven attributes',
      under(
        'organizations',
        '  - organization_id: org1',
        '    attributes:',
        ...Array.from({ length: 11 }, (_, i) => `      key${i}: v`),
      ),
      5,
      7,
      'more than 10 attributes',
    ],
    [
      'an API key name too long',
      under('organizations', `  - { organization_id: org1, api_keys: [{ id: K1, name: ${long(51)} }] }`),
      3,
      57,
      'name is longer than 50 characters',
    ],
    [
      'an expiry that is not a time',
      under('organizations', '  - { organization_id: org1, api_keys: [{ id: K1, expires_at: 2030-02-30 }] }'),
      3,
      63,
      'expires_at: "2030-02-30" is not an RFC 3339 time such as 2030-01-31T12:00:00Z, or a date such as 2030-01-31',
    ],
    // Rights
    [
      'a right that does not exist',
      under('organizations', '  - { organization_id: org1, members: { user1: [RIGHT_EVERYTHING] } }'),
      3,
      49,
      '"RIGHT_EVERYTHING" is not a right',
    ],
    [
      "a user's right for a member",
      under(
        'organizations',
        '  - { organization_id: org1, members: { user1: [RIGHT_ORGANIZATION_INFO, RIGHT_USER_INFO] } }',
      ),
      3,
      74,
      'RIGHT_USER_INFO is not a right given here; these are: application, client, gateway, organization rights and RIGHT_ALL',
    ],
    [
      'RIGHT_ALL for an API key',
      under('organizations', '  - { organization_id: org1, api_keys: [{ id: K1, rights: [RIGHT_ALL] }] }'),
      3,
      60,
      'RIGHT_ALL is not a right given here; these are: application, client, gateway, organization rights',
    ],
    [
      'an API key without rights',
      under('organizations', '  - { organization_id: org1, api_keys: [{ id: K1, rights: [] }] }'),
      3,
      59,
      'rights must hold at least one right',
    ],
    [
      "a gateway's right for an application's collaborator",
      under('applications', '  - { application_id: app1, collaborators: { users: { user1: [RIGHT_GATEWAY_INFO] } } }'),
      3,
      63,
      'RIGHT_GATEWAY_INFO is not a right given here; these are: application rights and RIGHT_ALL',
    ],
    [
      "an organization's right for a gateway's collaborating organization",
      under(
        'gateways',
        '  - { gateway_id: gtw1, collaborators: { organizations: { org1: [RIGHT_ORGANIZATION_INFO] } } }',
      ),
      3,
      66,
      'RIGHT_ORGANIZATION_INFO is not a right given here; these are: gateway rights and RIGHT_ALL',
    ],
    // Duplicate records
    [
      'a user twice',
      under('users', '  - user_id: user1', '  - user_id: user2', '  - user_id: user1'),
      5,
      14,
      '"user1" is written twice: a user (line 3)',
    ],
    [
      'an organization twice',
      under('organizations', '  - organization_id: org1', '  - { organization_id: org1 }'),
      4,
      24,
      '"org1" is written twice: an organization (line 3)',
    ],
    [
      'a user and an organization of one ID',
      lines('version: 1', 'organizations:', '  - organization_id: abc', 'users:', '  - user_id: abc'),
      5,
      14,
      '"abc" is written twice: an organization (line 3) and a user',
    ],
    [
      'an application twice',
      under('applications', '  - application_id: app1', '  - application_id: app1'),
      4,
      21,
      '"app1" is written twice: an application (line 3)',
    ],
    [
      'an API key twice, in two organizations',
      under(
        'organizations',
        '  - { organization_id: org1, api_keys: [{ id: K1 }] }',
        '  - { organization_id: org2, api_keys: [{ id: K1 }] }',
      ),
      4,
      47,
      '"K1" is written twice: an API key (line 3)',
    ],
  ];

  test.each(cases)('%s', async (_, text, line, column, what) => {
    const error = await failure(text);
    expect([error.namespace, error.errorName, error.exitCode]).toEqual(['registry', 'invalid_registry', 2]);
    const [, at, message] = /^(registry\.yaml:\d+:\d+): (.*)$/s.exec(error.message) ?? [];
    expect(at).toBe(`registry.yaml:${line}:${column}`);
    if (typeof what === 'string') expect(message).toBe(what);
    else expect(message).toMatch(what);
    expect(error.format()).toBe(`error:registry:invalid_registry (${error.message.replace(/\n/g, '\\n')})`);
  });

  test('the first fault in the file is the one told', async () => {
    const text = under('users', '  - user_id: User1', '  - { user_id: user2, email: x }');
    expect((await failure(text)).message).toMatch(/^registry\.yaml:3:14: user ID "User1"/);
  });

  test('a file of another version is told so, before its keys', async () => {
    expect((await failure(lines('devices: []', 'version: 2'))).message).toBe(
      'registry.yaml:2:10: version must be 1 (the only version there is), not the number 2',
    );
  });

  test('the error names the file it was given', async () => {
    expect((await failure('[]', 'stdin')).message).toMatch(/^stdin:1:1: /);
  });
});
