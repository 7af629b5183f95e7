/** The records of the registry, as the core sees them. Times are milliseconds since the epoch. */
import type { KeyOwnerKindName } from './key-owners.js';
import type { EntityKindName } from './kinds.js';

export interface Organization extends Contacts {
  id: string;
  name?: string;
  description?: string;
  attributes: Record<string, string>;
  fanoutNotifications: boolean;
  createdAt: number;
  updatedAt: number;
  deletedAt?: number;
}

export interface User {
  id: string;
  name?: string;
  admin: boolean;
  createdAt: number;
  updatedAt: number;
}

export interface Membership {
  organizationId: string;
  userId: string;
  /** As given, unique; expanded only for checks. */
  rights: string[];
  createdAt: number;
  updatedAt: number;
}

export interface ApiKey {
  id: string;
  /** Whose key it is (src/core/key-owners.ts). */
  ownerKind: KeyOwnerKindName;
  ownerId: string;
  name?: string;
  rights: string[];
  /** `<salt>:<hash>`, hex; the secret itself is never stored. */
  secretHash: string;
  createdAt: number;
  updatedAt: number;
  expiresAt?: number;
  /** The hour (its first millisecond) the key last authenticated in; unset if never. */
  lastUsedAt?: number;
}

export type AccountKind = 'user' | 'organization';

/** An application, gateway or client (src/core/kinds.ts). */
export interface Entity extends Contacts {
  kind: EntityKindName;
  id: string;
  name?: string;
  description?: string;
  attributes: Record<string, string>;
  createdAt: number;
  updatedAt: number;
  deletedAt?: number;
}

/** Who collaborates on an entity: a user or an organization (IDs share one namespace). */
export interface CollaboratorIds {
  kind: AccountKind;
  id: string;
}

/**
 * Whom to turn to about a record, as The Things Stack has it: each a collaborator of the record
 * (a member, for an organization); unset on records made before orgs had contacts, or unset since.
 */
export interface Contacts {
  administrativeContact?: CollaboratorIds;
  technicalContact?: CollaboratorIds;
}

export interface EntityCollaborator {
  entityKind: EntityKindName;
  entityId: string;
  collaborator: CollaboratorIds;
  /** As given, unique; expanded only for checks. */
  rights: string[];
  createdAt: number;
  updatedAt: number;
}

/**
 * What a user's effective rights on an entity are made of: the user's own rights on it, and one
 * path per live organization that collaborates on it and has the user as a member.
 */
export interface RightsSources {
  direct?: string[];
  /** `deleted`: an organization deleted, counted only where deleted ones are asked for (reach --deleted). */
  organizations: Array<{
    organizationId: string;
    memberRights: string[];
    organizationRights: string[];
    deleted?: true;
  }>;
  /** The entity is deleted (only where deleted ones are asked for). */
  entityDeleted?: true;
}

/** What a record is about: an account or an entity, by kind and ID. */
export interface Identifier {
  kind: 'organization' | 'user' | EntityKindName;
  id: string;
}

export interface NewEvent {
  name: string;
  /** The entity the event is about first: visibility is decided on it. */
  identifiers: Identifier[];
  data?: unknown;
  /** The rights on the first identifier that reading the event needs. */
  visibility: readonly string[];
}

export interface StoredEvent extends NewEvent {
  /** The store's order of commits; a reader resumes after the last one it saw. */
  seq?: number;
  uniqueId: string;
  time: number;
  correlationIds: string[];
  origin: string;
  caller: Record<string, unknown>;
  userAgent: string;
}
