/** The records of the registry, as the core sees them. Times are milliseconds since the epoch. */
import type { EntityKindName } from './kinds.js';
export interface Organization {
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
  organizationId: string;
  name?: string;
  rights: string[];
  /** `<salt>:<hash>`, hex; the secret itself is never stored. */
  secretHash: string;
  createdAt: number;
  updatedAt: number;
  expiresAt?: number;
}

export type AccountKind = 'user' | 'organization';

/** An application, gateway or client (src/core/kinds.ts). */
export interface Entity {
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
  organizations: Array<{ organizationId: string; memberRights: string[]; organizationRights: string[] }>;
}
