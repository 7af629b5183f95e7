/**
 * Back to The Things Stack (REGISTRY.md, `--format ttn-lw-cli`): changes as a POSIX shell script of
 * `ttn-lw-cli` commands, with The Things Stack's own command and flag names
 * (cmd/ttn-lw-cli/commands of lorawan-stack), so that the script makes the same changes on a real
 * server; orgs takes the same commands, so the script runs against orgs too. `plan` writes its
 * changes; `export` writes the changes that create its records on an empty server. One line writer
 * for both.
 */
import { KINDS } from '../kinds.js';
import { ENTITY_GROUPS, flagName, groupOf, RIGHT_ALL, type RightGroup } from '../rights.js';
import {
  collaboratorOf,
  entityChanges,
  entityCreator,
  organizationChanges,
  organizationOwner,
  type Change,
} from './changes.js';
import { accountOfView } from '../views.js';
import type { EntityRecord, OrganizationRecord, UserRecord } from './document.js';
import type { RegistryWriter } from './service.js';

/** `'…'`, each `'` closed, given as `"'"` and reopened: nothing inside is special to sh. */
export function shellQuote(value: string): string {
  return `'${value.replaceAll("'", `'"'"'`)}'`;
}

/** A command group of ttn-lw-cli: organizations, or a kind's (applications, gateways, clients). */
interface Group {
  command: string;
  idFlag: string;
  idKey: string;
  /** The groups of rights its `collaborators set` has flags for. */
  rightGroups: readonly RightGroup[];
}

const ORGANIZATIONS: Group = {
  command: 'organizations',
  idFlag: 'organization-id',
  idKey: 'organization_id',
  rightGroups: ENTITY_GROUPS,
};
/** The kinds first: an entity's collaborator that is an organization has an `organization_id` too. */
const GROUPS: readonly Group[] = [
  ...KINDS.map((kind) => ({
    command: kind.command,
    idFlag: kind.idFlag,
    idKey: kind.idKey,
    rightGroups: [kind.group],
  })),
  ORGANIZATIONS,
];

const groupOfChange = (change: Change) => GROUPS.find((group) => change.ids[group.idKey] !== undefined)!;

/** `--user-id U` or `--organization-id O`: the member or collaborator a change is about. */
function holderOf(change: Change): string[] {
  const { ids } = change;
  return ids.user_id !== undefined
    ? ['--user-id', shellQuote(ids.user_id)]
    : ['--organization-id', shellQuote(ids.organization_id!)];
}

/**
 * `--attributes key=value`. The Things Stack reads the flag as CSV (flagsplugin's string map), so
 * a pair whose value holds `=`, `,` or `"` is given as one CSV field (orgs reads that form too).
 */
function attributeFlags(attributes: Record<string, string>): string[] {
  return Object.entries(attributes).flatMap(([key, value]) => {
    const pair = `${key}=${value}`;
    return ['--attributes', shellQuote(/[=,"]/.test(value) ? `"${pair.replaceAll('"', '""')}"` : pair)];
  });
}

/** A command line of words as given: flags and command names plain, values through `shellQuote`. */
const line = (...words: ReadonlyArray<string>) => ['ttn-lw-cli', ...words].join(' ');

/**
 * The rights of a `collaborators set` (or an API key's) as flags. RIGHT_ALL has no flag: it is what
 * a create gives its collaborator; elsewhere it becomes the `_ALL` rights of the command's groups,
 * and the script says so.
 */
function rightFlags(group: Group, rights: readonly string[]): { flags: string[]; notes: string[] } {
  const notes: string[] = [];
  const expanded = rights.flatMap((right) => {
    if (right !== RIGHT_ALL) return [right];
    const alls = group.rightGroups.map((g) => `RIGHT_${g.toUpperCase()}_ALL`);
    notes.push(`# RIGHT_ALL has no ttn-lw-cli flag: ${alls.join(', ')} instead`);
    return alls;
  });
  const flagged = expanded.filter((right) => group.rightGroups.includes(groupOf(right)!));
  const unflagged = expanded.filter((right) => !flagged.includes(right));
  if (unflagged.length > 0) notes.push(`# ${unflagged.join(', ')}: no ttn-lw-cli flag here, left out`);
  return { flags: [...new Set(flagged)].map((right) => `--${flagName(right)}`), notes };
}

/** The record fields a create or update gives, as flags; null (unset) fields in `unset`. */
function fieldFlags(change: Change): { flags: string[]; unset: string[] } {
  const flags: string[] = [];
  const unset: string[] = [];
  for (const [field, value] of Object.entries(change.fields ?? {})) {
    if (value === null || (field === 'attributes' && Object.keys(value as object).length === 0)) unset.push(field);
    else if (field === 'attributes') flags.push(...attributeFlags(value as Record<string, string>));
    else if (field === 'administrative_contact' || field === 'technical_contact') {
      const { kind, id } = accountOfView(value)!;
      flags.push(`--${field.replace('_', '-')}.ids.${kind}-ids.${kind}-id`, shellQuote(id));
    } else if (field === 'fanout_notifications') {
      // Off is the default of a new organization; The Things Stack's bool flags take `=false`.
      if (value) flags.push('--fanout-notifications');
      else if (change.action === 'update') flags.push('--fanout-notifications=false');
    } else flags.push(`--${field}`, shellQuote(value as string));
  }
  return { flags, unset };
}

/**
 * Writes changes as script lines, in the order given. Remembers who each create made a
 * collaborator (with RIGHT_ALL), so that the same holding, listed next as a member or
 * collaborator, is not set again.
 */
function lineWriter() {
  const created = new Set<string>();
  const holding = (group: Group, id: string, holder: readonly string[]) => [group.command, id, ...holder].join(' ');

  return (change: Change): string[] => {
    if (change.kind === 'user') {
      return [
        `# user ${change.ids.user_id}: ${change.action} on The Things Stack by hand (people register themselves)`,
      ];
    }
    const group = groupOfChange(change);
    const rawId = change.ids[group.idKey]!;
    const id = shellQuote(rawId);
    switch (change.kind) {
      case 'member':
      case 'collaborator': {
        const holder = holderOf(change);
        const record = [`--${group.idFlag}`, id, ...holder];
        if (change.action === 'delete') return [line(group.command, 'collaborators', 'delete', ...record)];
        const after = change.after!;
        if (created.has(holding(group, rawId, holder)) && after.length === 1 && after[0] === RIGHT_ALL) return [];
        const { flags, notes } = rightFlags(group, after);
        return [...notes, line(group.command, 'collaborators', 'set', ...record, ...flags)];
      }
      case 'api_key': {
        const key = ['--organization-id', id, '--api-key-id', shellQuote(change.ids.api_key_id!)];
        if (change.action === 'delete') return [line('organizations', 'api-keys', 'delete', ...key)];
        const fields = change.fields ?? {};
        const rights = fields.rights ? rightFlags(ORGANIZATIONS, fields.rights as string[]) : { flags: [], notes: [] };
        const name = fields.name !== undefined ? ['--name', shellQuote((fields.name ?? '') as string)] : [];
        const expiry = typeof fields.expires_at === 'string' ? ['--api-key-expiry', shellQuote(fields.expires_at)] : [];
        return [...rights.notes, line('organizations', 'api-keys', 'set', ...key, ...name, ...rights.flags, ...expiry)];
      }
      default: {
        if (change.action === 'delete' || change.action === 'restore') return [line(group.command, change.action, id)];
        const { flags, unset } = fieldFlags(change);
        if (change.action === 'create') {
          const collaborator = collaboratorOf(change)!;
          const holder = [`--${collaborator.kind}-id`, shellQuote(collaborator.id)];
          created.add(holding(group, rawId, holder));
          return [line(group.command, 'create', id, ...holder, ...flags)];
        }
        // `set --attributes` replaces them on The Things Stack but merges on orgs: a key removed is cleared first, on both.
        const before = ((change.before ?? {}) as Record<string, unknown>).attributes as Record<string, string> | null;
        const after = change.fields?.attributes as Record<string, string> | null | undefined;
        const clear =
          after && !unset.includes('attributes') && Object.keys(before ?? {}).some((key) => !(key in after))
            ? [line(group.command, 'set', id, '--unset', 'attributes')]
            : [];
        const unsetFlags = unset.length > 0 ? ['--unset', unset.join(',')] : [];
        return [...clear, line(group.command, 'set', id, ...flags, ...unsetFlags)];
      }
    }
  };
}

/** The script's start: the users it expects (never created: on The Things Stack people register). */
function header(userIds: Iterable<string>): string {
  const users = [...userIds].map((id) => `#   ${id}\n`).join('') || '#   (none)\n';
  return (
    '#!/bin/sh\n' +
    "# The Things Stack's own commands (orgs --format ttn-lw-cli). Users are not created: people\n" +
    '# register themselves. The users this script expects:\n' +
    users +
    'set -e\n'
  );
}

/** Every user a change names: as the record, a member or collaborator, or the collaborator of a create. */
function usersNamed(changes: readonly Change[]): string[] {
  const users = new Set<string>();
  for (const change of changes) {
    if (change.ids.user_id !== undefined) users.add(change.ids.user_id);
    const collaborator = collaboratorOf(change);
    if (collaborator?.kind === 'user') users.add(collaborator.id);
  }
  return [...users].sort();
}

/** A record with no collaborator the caller may see (hidden, or none: orphaned): nobody to create it for. */
const unmade = (kind: string, id: string) =>
  `# ${kind} ${id}: no collaborator the caller may see, so the script cannot create it\n`;

const text = (lines: readonly string[]) => lines.map((out) => `${out}\n`).join('');

/** `plan FILE --format ttn-lw-cli`: the changes, in the order given (apply's), as a script. */
export function scriptOf(changes: readonly Change[]): string {
  return header(usersNamed(changes)) + text(changes.flatMap(lineWriter()));
}

/**
 * `export --format ttn-lw-cli`: a script creating the exported registry on an empty server, a
 * record at a time. Users (first in an export) only fill the header; API keys are left out (they
 * cannot be made again with their secrets); deleted records (`export --deleted`) are not made,
 * nor the collaborations of deleted organizations.
 */
export function scriptWriter(): RegistryWriter {
  const write = lineWriter();
  const users: string[] = [];
  const deleted = new Set<string>();
  let started = false;
  const start = () => (started ? '' : ((started = true), header(users)));
  return {
    record(section, record) {
      if (section === 'users') {
        users.push((record as UserRecord).userId);
        return '';
      }
      const held = record as OrganizationRecord | EntityRecord;
      if (held.deleted) {
        const [what, id] =
          'organizationId' in held ? ['organization', held.organizationId] : [held.kind, held.entityId];
        if (what === 'organization') deleted.add(id);
        return `${start()}# ${what} ${id} is deleted: not made\n`;
      }
      if (section === 'organizations') {
        const organization = { ...(record as OrganizationRecord), apiKeys: undefined };
        if (organization.members === undefined) return start() + unmade('organization', organization.organizationId);
        const owner = () => organizationOwner(organization, { kind: 'admin' });
        return start() + text(organizationChanges(organization, undefined, false, owner).flatMap(write));
      }
      const entity = record as EntityRecord;
      const holders = [
        ...(entity.collaborators?.users?.keys() ?? []),
        ...(entity.collaborators?.organizations?.keys() ?? []),
      ];
      if (holders.every((id) => deleted.has(id))) return start() + unmade(entity.kind, entity.entityId);
      const organizations = entity.collaborators?.organizations;
      const live = organizations && new Map([...organizations].filter(([id]) => !deleted.has(id)));
      const made = live ? { ...entity, collaborators: { ...entity.collaborators, organizations: live } } : entity;
      const creator = () => entityCreator(made, { kind: 'admin' });
      return start() + text(entityChanges(made, undefined, false, creator).flatMap(write));
    },
    end: start,
  };
}
