/** The records of the registry, as the core sees them. Times are milliseconds since the epoch. */
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
