/**
 * Records for the store conformance suite (test/store/conformance.test.ts): complete by default,
 * any field overridden, so that each case states only what it is about.
 */
import type { EntityKindName } from '../../src/core/kinds.js';
import type {
  ApiKey,
  Entity,
  EntityCollaborator,
  Identifier,
  Membership,
  Organization,
  StoredEvent,
  User,
} from '../../src/core/model.js';

/** A fixed moment (2025-01-01T00:00:00Z) that record times are counted from. */
export const T0 = 1_735_689_600_000;

export const organization = (id: string, over: Partial<Organization> = {}): Organization => ({
  id,
  name: `Name of ${id}`,
  description: `Description of ${id}`,
  attributes: { region: 'eu', tier: 'gold' },
  fanoutNotifications: false,
  createdAt: T0,
  updatedAt: T0 + 1,
  ...over,
});

export const user = (id: string, over: Partial<User> = {}): User => ({
  id,
  name: `Name of ${id}`,
  admin: false,
  createdAt: T0,
  updatedAt: T0 + 1,
  ...over,
});

export const membership = (organizationId: string, userId: string, over: Partial<Membership> = {}): Membership => ({
  organizationId,
  userId,
  rights: ['RIGHT_ORGANIZATION_ALL'],
  createdAt: T0,
  updatedAt: T0 + 1,
  ...over,
});

/** A key of an organization, unless `over` names another owner kind. */
export const apiKey = (id: string, ownerId: string, over: Partial<ApiKey> = {}): ApiKey => ({
  id,
  ownerKind: 'organization',
  ownerId,
  name: `Name of ${id}`,
  rights: ['RIGHT_ORGANIZATION_INFO', 'RIGHT_ORGANIZATION_SETTINGS_BASIC'],
  secretHash: '00ff:abcdef',
  createdAt: T0,
  updatedAt: T0 + 1,
  expiresAt: T0 + 86_400_000,
  ...over,
});

export const entity = (kind: EntityKindName, id: string, over: Partial<Entity> = {}): Entity => ({
  kind,
  id,
  name: `Name of ${id}`,
  description: `Description of ${id}`,
  attributes: { region: 'eu' },
  createdAt: T0,
  updatedAt: T0 + 1,
  ...over,
});

export const collaborator = (
  entityKind: EntityKindName,
  entityId: string,
  account: Identifier & { kind: 'user' | 'organization' },
  over: Partial<EntityCollaborator> = {},
): EntityCollaborator => ({
  entityKind,
  entityId,
  collaborator: account,
  rights: [`RIGHT_${entityKind.toUpperCase()}_INFO`],
  createdAt: T0,
  updatedAt: T0 + 1,
  ...over,
});

let eventCount = 0;

/**
 * An event with a unique ID greater than every earlier one's (26 characters of the ULID alphabet,
 * as src/core/ulid.ts makes them), at `time`.
 */
export const event = (name: string, identifiers: Identifier[], over: Partial<StoredEvent> = {}): StoredEvent => ({
  name,
  identifiers,
  data: { changed: ['name'] },
  visibility: ['RIGHT_ORGANIZATION_INFO'],
  uniqueId: `01JGXYZ${String(++eventCount).padStart(19, '0')}`,
  time: T0,
  correlationIds: ['cli:test'],
  origin: 'host',
  caller: { user_ids: { user_id: 'admin' } },
  userAgent: 'orgs/test',
  ...over,
});
