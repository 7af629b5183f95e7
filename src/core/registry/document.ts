/**
 * The registry file (REGISTRY.md), as the core sees it once read and validated: field names are
 * The Things Stack's in the file and camel-cased here; a field absent from the file is undefined
 * ("leave it as it is"), `null` unsets it. Every record keeps where it was written, so that an
 * error about it can name its line.
 */
import type { EntityKindName } from '../kinds.js';
import type { CollaboratorIds } from '../model.js';

/** Where a record starts in its file (1-based), for errors that name the record; records read from the store have none. */
export interface Position {
  line: number;
  column: number;
}

/** Who holds rights on a record, by ID, with the rights as written (validated, unique, sorted by name). */
export type Holders = ReadonlyMap<string, readonly string[]>;

export interface UserRecord {
  at?: Position;
  userId: string;
  name?: string | null;
  admin?: boolean;
}

export interface ApiKeyRecord {
  at?: Position;
  /** The key's ID: a key is matched by it, never created. */
  id: string;
  name?: string | null;
  rights?: readonly string[];
  /** Milliseconds since the epoch; null: never expires. */
  expiresAt?: number | null;
}

/** Contacts as a file has them: null unsets one. */
export interface FileContacts {
  administrativeContact?: CollaboratorIds | null;
  technicalContact?: CollaboratorIds | null;
}

/** What organizations and entities share. */
interface RecordFields extends FileContacts {
  at?: Position;
  name?: string | null;
  description?: string | null;
  attributes?: Readonly<Record<string, string>> | null;
  /** true: delete (soft); false: restore; undefined: as it is. */
  deleted?: boolean;
}

export interface OrganizationRecord extends RecordFields {
  organizationId: string;
  fanoutNotifications?: boolean;
  /** Undefined when the file has no `members` list (then --prune leaves the members alone). */
  members?: Holders;
  apiKeys?: readonly ApiKeyRecord[];
}

export interface EntityRecord extends RecordFields {
  kind: EntityKindName;
  entityId: string;
  /** Each undefined when the file has no such list. */
  collaborators?: { users?: Holders; organizations?: Holders };
}

/** A registry file, version 1. */
export interface RegistryDocument {
  users: readonly UserRecord[];
  organizations: readonly OrganizationRecord[];
  /** `applications`, `gateways` and `clients`, by kind. */
  entities: Readonly<Record<EntityKindName, readonly EntityRecord[]>>;
}
