/**
 * A file's records against the store's (REGISTRY.md, "orgs plan"): the changes that make the store
 * hold what the file says, in the order `apply` makes them. Pure: both sides are records in the
 * file's shape (src/core/registry/state.ts reads the store's), so the comparison is one function
 * per kind of record, whatever the format or the caller.
 */
import { failedPrecondition, notFound } from '../errors.js';
import { RIGHT_ALL } from '../rights.js';
import { kindNamed, type EntityKindName } from '../kinds.js';
import type { CollaboratorIds, Contacts, User } from '../model.js';
import { CONTACTS } from '../records.js';
import { accountOfView, identifierView, timestamp } from '../views.js';
import type {
  ApiKeyRecord,
  EntityRecord,
  FileContacts,
  Holders,
  OrganizationRecord,
  Position,
  UserRecord,
} from './document.js';

export type ChangedKind = 'user' | 'organization' | EntityKindName | 'member' | 'collaborator' | 'api_key';

export interface Change {
  action: 'create' | 'update' | 'delete' | 'restore';
  kind: ChangedKind;
  /** The Things Stack's identifiers: `{ organization_id }`, `{ organization_id, user_id }`, … */
  ids: Record<string, string>;
  /** A record created or updated: the fields given (null unsets one). */
  fields?: Record<string, unknown>;
  /** A record updated: those fields before. A holder's rights before (update, delete). */
  before?: Record<string, unknown> | readonly string[];
  /** A holder's rights after (create, update). */
  after?: readonly string[];
  /** A record created: who it is created for, who holds all rights on it (The Things Stack's `collaborator`). */
  collaborator?: Record<string, Record<string, string>>;
}

/** A change and where its record is in the file (for errors naming it). */
export interface PlannedChange {
  change: Change;
  at?: Position;
}

/**
 * The order that lets a valid file apply (REGISTRY.md, "orgs apply"): records and grants first,
 * then contacts (each must be a collaborator by then), removals last, so that a rule checked on
 * each step holds on the final state (ownership and contacts move from one user to another in one
 * apply).
 */
const PHASES: ReadonlyArray<[Change['action'] | 'create|update|restore', ChangedKind | 'entity' | 'contacts']> = [
  ['create|update|restore', 'user'],
  ['create|update|restore', 'organization'],
  ['create|update|restore', 'member'],
  ['create|update|restore', 'api_key'],
  ['create|update|restore', 'entity'],
  ['create|update|restore', 'collaborator'],
  ['create|update|restore', 'contacts'],
  ['delete', 'collaborator'],
  ['delete', 'member'],
  ['delete', 'api_key'],
  ['delete', 'entity'],
  ['delete', 'organization'],
];

const CONTACT_FIELDS: ReadonlySet<string> = new Set(CONTACTS.map(({ field }) => field));

/** A change of contacts alone: records' contacts change in a step of their own (contactChanges). */
const isContactsChange = (change: Change) =>
  change.action === 'update' && Object.keys(change.fields ?? {}).every((field) => CONTACT_FIELDS.has(field));

function phaseOf(change: Change): number {
  const kind = isContactsChange(change)
    ? 'contacts'
    : ['application', 'gateway', 'client'].includes(change.kind)
      ? 'entity'
      : change.kind;
  const action = change.action === 'delete' ? 'delete' : 'create|update|restore';
  return PHASES.findIndex(([a, k]) => a === action && k === kind);
}

/** The changes in apply's order; within a phase, in the file's order. */
export function inApplyOrder(planned: PlannedChange[]): PlannedChange[] {
  return planned
    .map((p, index) => ({ p, index, phase: phaseOf(p.change) }))
    .sort((a, b) => a.phase - b.phase || a.index - b.index)
    .map(({ p }) => p);
}

const sameRights = (a: readonly string[], b: readonly string[]) => a.join() === b.join();

function sameAttributes(a: Readonly<Record<string, string>> = {}, b: Readonly<Record<string, string>> = {}) {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((key) => b[key] === a[key]);
}

/**
 * The fields the file changes (given, and unlike the store's), new and old. A field the file does
 * not give is left alone; `null` unsets it.
 */
function changedFields(
  file: Record<string, unknown>,
  current: Record<string, unknown> | undefined,
  fields: ReadonlyArray<[string, string]>,
): { fields: Record<string, unknown>; before: Record<string, unknown> } {
  const changed: Record<string, unknown> = {};
  const before: Record<string, unknown> = {};
  for (const [property, field] of fields) {
    const value = file[property];
    if (value === undefined) continue;
    const was = current?.[property];
    const same =
      property === 'attributes'
        ? sameAttributes((value ?? {}) as Record<string, string>, (was ?? {}) as Record<string, string>)
        : (value ?? undefined) === was || (value === null && was === undefined);
    if (current && same) continue;
    if (!current && value === null) continue;
    changed[field] = value;
    before[field] = was ?? null;
  }
  return { fields: changed, before };
}

const RECORD_FIELDS: ReadonlyArray<[string, string]> = [
  ['name', 'name'],
  ['description', 'description'],
  ['attributes', 'attributes'],
];
const ORGANIZATION_FIELDS = [...RECORD_FIELDS, ['fanoutNotifications', 'fanout_notifications']] as const;
const USER_FIELDS: ReadonlyArray<[string, string]> = [
  ['name', 'name'],
  ['admin', 'admin'],
];

/** `user:alice`: a contact compared; undefined for none. */
const contactKey = (contact: CollaboratorIds | null | undefined) => contact && `${contact.kind}:${contact.id}`;

/**
 * The update of a record's contacts the file asks for, against the store's (or, for a record
 * created, the collaborator it is created for, which `create` makes both): a contact a file gives
 * must be a collaborator, so it changes once the collaborators have (PHASES).
 */
function contactChanges(
  kind: 'organization' | EntityKindName,
  ids: Record<string, string>,
  file: FileContacts,
  current: FileContacts,
): Change[] {
  const fields: Record<string, unknown> = {};
  const before: Record<string, unknown> = {};
  for (const { field, key } of CONTACTS) {
    const value = file[key];
    if (value === undefined || contactKey(value) === contactKey(current[key])) continue;
    fields[field] = value && identifierView(value);
    before[field] = current[key] ? identifierView(current[key]) : null;
  }
  return Object.keys(fields).length > 0 ? [{ action: 'update', kind, ids, fields, before }] : [];
}

/** Both contacts of a record created for `collaborator`. */
const createdContacts = (collaborator: Change['collaborator']): Contacts => {
  const account = collaborator && accountOfView(collaborator);
  return { administrativeContact: account, technicalContact: account };
};

/** Create, restore, update and delete of one record, as the file's `deleted` and fields ask. */
function recordChanges(
  kind: 'user' | 'organization' | EntityKindName,
  ids: Record<string, string>,
  file: Record<string, unknown> & { deleted?: boolean },
  current: (Record<string, unknown> & { deleted?: boolean }) | undefined,
  fields: ReadonlyArray<readonly [string, string]>,
  collaborator?: Change['collaborator'],
): Change[] {
  if (!current) {
    // Deleting what is not there changes nothing (REGISTRY.md).
    if (file.deleted) return [];
    const created = changedFields(file, undefined, fields as Array<[string, string]>).fields;
    return [{ action: 'create', kind, ids, fields: created, ...(collaborator && { collaborator }) }];
  }
  const changes: Change[] = [];
  if (file.deleted === false && current.deleted) changes.push({ action: 'restore', kind, ids });
  const { fields: changed, before } = changedFields(file, current, fields as Array<[string, string]>);
  if (Object.keys(changed).length > 0) changes.push({ action: 'update', kind, ids, fields: changed, before });
  if (file.deleted === true && !current.deleted) changes.push({ action: 'delete', kind, ids });
  return changes;
}

/** Members or collaborators: `[]` removes one; with `prune`, so does being left out. */
function holderChanges(
  kind: 'member' | 'collaborator',
  idsOf: (holderId: string) => Record<string, string>,
  file: Holders | undefined,
  current: Holders | undefined,
  prune: boolean,
): Change[] {
  if (file === undefined) return [];
  const changes: Change[] = [];
  for (const [id, after] of file) {
    const before = current?.get(id);
    if (after.length === 0) {
      if (before) changes.push({ action: 'delete', kind, ids: idsOf(id), before });
    } else if (!before) changes.push({ action: 'create', kind, ids: idsOf(id), after });
    else if (!sameRights(before, after)) changes.push({ action: 'update', kind, ids: idsOf(id), before, after });
  }
  if (prune && current) {
    for (const [id, before] of current) {
      if (!file.has(id)) changes.push({ action: 'delete', kind, ids: idsOf(id), before });
    }
  }
  return changes;
}

export function userChanges(file: UserRecord, current: User | undefined): Change[] {
  const state = current && { name: current.name, admin: current.admin };
  return recordChanges('user', { user_id: file.userId }, { ...file }, state, USER_FIELDS);
}

/**
 * An organization's changes: the record's, its members' and its API keys'. `current` is what the
 * caller sees of it (members and keys undefined where it may not list them: a file naming them
 * then is refused by apply's own check). `owner` is who a new organization is created for.
 */
export function organizationChanges(
  file: OrganizationRecord,
  current: OrganizationRecord | undefined,
  prune: boolean,
  owner: () => string,
): Change[] {
  const id = file.organizationId;
  const ids = { organization_id: id };
  const exists = current !== undefined;
  // A deleted record that stays deleted cannot be changed: the file's word on it waits for its restore.
  if (current?.deleted && file.deleted !== false) return [];
  const collaborator = exists || file.deleted ? undefined : identifierView({ kind: 'user', id: owner() });
  const record = recordChanges(
    'organization',
    ids,
    { ...file },
    current && { ...current },
    ORGANIZATION_FIELDS,
    collaborator,
  );
  if (!exists && file.deleted) return [];
  return [
    ...record,
    ...holderChanges('member', (userId) => ({ ...ids, user_id: userId }), file.members, current?.members, prune),
    ...apiKeyChanges(id, file.apiKeys, current?.apiKeys, prune),
    // After the members, as the export's script makes a record's changes in this order.
    ...contactChanges('organization', ids, file, current ?? createdContacts(collaborator)),
  ];
}

/** API keys are matched by ID and changed or (pruned) deleted, never created. */
function apiKeyChanges(
  organizationId: string,
  file: readonly ApiKeyRecord[] | undefined,
  current: readonly ApiKeyRecord[] | undefined,
  prune: boolean,
): Change[] {
  if (file === undefined) return [];
  const changes: Change[] = [];
  const known = new Map((current ?? []).map((key) => [key.id, key]));
  const idsOf = (id: string) => ({ organization_id: organizationId, api_key_id: id });
  for (const key of file) {
    const was = known.get(key.id);
    if (!was) {
      throw notFound(
        'registry',
        'unknown_api_key',
        `organization ${organizationId} has no API key ${key.id}: create keys with api-keys create, then export`,
      );
    }
    const { fields, before } = changedFields(
      { ...key, rights: key.rights?.join() },
      { ...was, rights: was.rights?.join() },
      [
        ['name', 'name'],
        ['rights', 'rights'],
        ['expiresAt', 'expires_at'],
      ],
    );
    if (Object.keys(fields).length === 0) continue;
    if ('rights' in fields) [fields.rights, before.rights] = [key.rights, was.rights];
    for (const times of [fields, before])
      if (typeof times.expires_at === 'number') times.expires_at = timestamp(times.expires_at);
    changes.push({ action: 'update', kind: 'api_key', ids: idsOf(key.id), fields, before });
  }
  if (prune) {
    const listed = new Set(file.map((key) => key.id));
    for (const key of current ?? []) {
      if (!listed.has(key.id)) changes.push({ action: 'delete', kind: 'api_key', ids: idsOf(key.id) });
    }
  }
  return changes;
}

/** An entity's changes: the record's and its collaborators'; `creator` is who a new one is created for. */
export function entityChanges(
  file: EntityRecord,
  current: EntityRecord | undefined,
  prune: boolean,
  creator: () => { kind: 'user' | 'organization'; id: string },
): Change[] {
  const kind = kindNamed(file.kind);
  const ids = { [kind.idKey]: file.entityId };
  const exists = current !== undefined;
  if ((!exists && file.deleted) || (current?.deleted && file.deleted !== false)) return [];
  const collaborator = exists ? undefined : identifierView(creator());
  const record = recordChanges(file.kind, ids, { ...file }, current && { ...current }, RECORD_FIELDS, collaborator);
  const collaborators = (holder: 'users' | 'organizations', key: string) =>
    holderChanges(
      'collaborator',
      (id) => ({ ...ids, [key]: id }),
      file.collaborators?.[holder],
      current?.collaborators?.[holder],
      prune,
    );
  return [
    ...record,
    ...collaborators('users', 'user_id'),
    ...collaborators('organizations', 'organization_id'),
    ...contactChanges(file.kind, ids, file, current ?? createdContacts(collaborator)),
  ];
}

/** Who makes the records of an apply: the administrator for anyone, a user for itself, an API key for its organization. */
export type Maker = { kind: 'admin' } | { kind: 'user'; id: string } | { kind: 'organization'; id: string };

const noOwner = (what: string) =>
  failedPrecondition('registry', 'no_owner', `${what} names no collaborator to create it for`);

/** The first holder (in ID order) holding one of `rights`, else the first of all. */
function firstHolding(holders: Holders | undefined, rights: readonly string[]): string | undefined {
  if (!holders) return undefined;
  for (const right of rights) for (const [id, held] of holders) if (held.includes(right)) return id;
  return holders.keys().next().value;
}

/** Who a new organization is created for: its first member holding RIGHT_ALL (an administrator's apply), or the user applying. */
export function organizationOwner(file: OrganizationRecord, maker: Maker): string {
  if (maker.kind === 'user') return maker.id;
  const owner = firstHolding(new Map([...(file.members ?? [])].filter(([, rights]) => rights.length > 0)), [
    RIGHT_ALL,
    'RIGHT_ORGANIZATION_ALL',
  ]);
  if (owner === undefined) throw noOwner(`organization ${file.organizationId}`);
  return owner;
}

/**
 * Who a new entity is created for: the user applying where the file makes it a collaborator, an
 * API key's organization, else the first user, then organization, holding all of the kind's rights.
 */
export function entityCreator(file: EntityRecord, maker: Maker): { kind: 'user' | 'organization'; id: string } {
  if (maker.kind === 'organization') return maker;
  const users = new Map([...(file.collaborators?.users ?? [])].filter(([, rights]) => rights.length > 0));
  const organizations = new Map(
    [...(file.collaborators?.organizations ?? [])].filter(([, rights]) => rights.length > 0),
  );
  if (maker.kind === 'user' && users.has(maker.id)) return maker;
  const all = [RIGHT_ALL, kindNamed(file.kind).rights.all];
  const holding = (holders: Map<string, readonly string[]>) =>
    [...holders].find(([, rights]) => all.some((right) => rights.includes(right)))?.[0];
  const user = holding(users);
  if (user !== undefined && maker.kind === 'admin') return { kind: 'user', id: user };
  const organization = holding(organizations) ?? firstHolding(organizations, []);
  if (organization !== undefined) return { kind: 'organization', id: organization };
  if (maker.kind === 'user') return maker;
  const first = firstHolding(users, []);
  if (first === undefined) throw noOwner(`${file.kind} ${file.entityId}`);
  return { kind: 'user', id: first };
}

/** The collaborator a create names (The Things Stack's `collaborator`). */
export function collaboratorOf(change: Change): CollaboratorIds | undefined {
  return change.collaborator && accountOfView(change.collaborator);
}
