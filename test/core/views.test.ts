import { describe, expect, test } from 'vitest';
import { internal, invalidArgument, notFound, OrgsError, toOrgsError } from '../../src/core/errors.js';
import type { Organization } from '../../src/core/model.js';
import {
  accountOfView,
  collaboratorView,
  identifierView,
  ORGANIZATION_FIELDS,
  organizationView,
} from '../../src/core/views.js';

const org: Organization = {
  id: 'org1',
  name: 'Org',
  description: 'Desc',
  attributes: { zeta: '1', alpha: '2' },
  fanoutNotifications: true,
  createdAt: Date.UTC(2020, 6, 14, 9, 37, 1, 938),
  updatedAt: Date.UTC(2020, 6, 14, 9, 37, 1, 938),
  deletedAt: Date.UTC(2020, 6, 15),
  administrativeContact: { kind: 'user', id: 'user1' },
  technicalContact: { kind: 'organization', id: 'org2' },
};

describe('field selection', () => {
  test('without selectors: ids, created_at, updated_at, as in the seed page', () => {
    expect(JSON.stringify(organizationView(org, new Set()), null, 2)).toBe(`{
  "ids": {
    "organization_id": "org1"
  },
  "created_at": "2020-07-14T09:37:01.938Z",
  "updated_at": "2020-07-14T09:37:01.938Z"
}`);
  });

  test('every field, in the API order, attributes sorted by key', () => {
    const view = organizationView(org, new Set(ORGANIZATION_FIELDS));
    expect(Object.keys(view)).toEqual([
      'ids',
      'created_at',
      'updated_at',
      'deleted_at',
      'name',
      'description',
      'attributes',
      'administrative_contact',
      'technical_contact',
      'fanout_notifications',
    ]);
    expect(Object.keys(view.attributes as object)).toEqual(['alpha', 'zeta']);
    expect(view.administrative_contact).toEqual({ user_ids: { user_id: 'user1' } });
    expect(view.technical_contact).toEqual({ organization_ids: { organization_id: 'org2' } });
    expect(view.deleted_at).toBe('2020-07-15T00:00:00.000Z');
  });

  test('selected but empty fields are left out', () => {
    const bare: Organization = {
      ...org,
      name: undefined,
      description: undefined,
      attributes: {},
      fanoutNotifications: false,
      deletedAt: undefined,
      administrativeContact: undefined,
      technicalContact: undefined,
    };
    expect(Object.keys(organizationView(bare, new Set(ORGANIZATION_FIELDS)))).toEqual([
      'ids',
      'created_at',
      'updated_at',
    ]);
  });

  test('a collaborator with sorted rights, or without them', () => {
    const membership = {
      organizationId: 'org1',
      userId: 'user1',
      rights: ['RIGHT_ORGANIZATION_INFO', 'RIGHT_ALL'],
      createdAt: 0,
      updatedAt: 0,
    };
    expect(collaboratorView(membership, true)).toEqual({
      ids: { user_ids: { user_id: 'user1' } },
      rights: ['RIGHT_ALL', 'RIGHT_ORGANIZATION_INFO'],
    });
    expect(collaboratorView(membership, false)).toEqual({ ids: { user_ids: { user_id: 'user1' } } });
  });
});

describe('accounts as printed', () => {
  test('accountOfView reads back what identifierView prints, a user or an organization', () => {
    for (const account of [
      { kind: 'user', id: 'user1' },
      { kind: 'organization', id: 'org1' },
    ] as const) {
      expect(accountOfView(identifierView(account))).toEqual(account);
    }
  });

  test('anything else is no account', () => {
    for (const value of [
      undefined,
      null,
      'user1',
      [],
      {},
      { user_ids: { user_id: 1 } },
      { user_ids: {} },
      { user_ids: 'user1' },
      { user_ids: { user_id: 'u1' }, organization_ids: { organization_id: 'o1' } },
      { application_ids: { application_id: 'app1' } },
    ]) {
      expect(accountOfView(value), JSON.stringify(value)).toBeUndefined();
    }
  });
});

describe('errors', () => {
  test('the class decides the exit code; the line names namespace and name', () => {
    const error = invalidArgument('validate', 'no_organization_id', 'no organization ID given');
    expect(error.exitCode).toBe(2);
    expect(error.format()).toBe('error:validate:no_organization_id (no organization ID given)');
    expect(notFound('x', 'y', 'z').exitCode).toBe(3);
    expect(new OrgsError('permission_denied', 'x', 'y', 'z').exitCode).toBe(4);
    expect(new OrgsError('unauthenticated', 'x', 'y', 'z').exitCode).toBe(4);
    expect(new OrgsError('already_exists', 'x', 'y', 'z').exitCode).toBe(5);
    expect(new OrgsError('failed_precondition', 'x', 'y', 'z').exitCode).toBe(5);
    expect(new OrgsError('canceled', 'x', 'y', 'z').exitCode).toBe(130);
    expect(internal('x', 'y', 'z').exitCode).toBe(1);
  });

  test('anything else is an internal error that says it is a bug', () => {
    const error = toOrgsError(new TypeError('boom'));
    expect(error.exitCode).toBe(1);
    expect(error.format()).toBe('error:orgs:internal (unexpected error, this is a bug: boom)');
  });

  test('within() prefixes the message and keeps the class', () => {
    const error = invalidArgument('validate', 'bad', 'oops').within('item 2');
    expect(error.format()).toBe('error:validate:bad (item 2: oops)');
    expect(error.exitCode).toBe(2);
  });
});
