/**
 * The registry file written out (REGISTRY.md): each record as the file's object, in a fixed key
 * order, and the document as YAML or JSON, a record at a time, so that an export streams. The
 * YAML is written here, not by a library: the file's shape is fixed, and a hand-written block
 * style is deterministic and fast; every string that is not plainly safe is double-quoted.
 */
import type { EntityKindName } from '../kinds.js';
import { KINDS } from '../kinds.js';
import { identifierView } from '../views.js';
import type { EntityRecord, FileContacts, Holders, OrganizationRecord, UserRecord } from './document.js';

export const REGISTRY_VERSION = 1;

/** The document's lists, in file order. */
export type Section = 'users' | 'organizations' | `${EntityKindName}s`;
export const SECTIONS: readonly Section[] = ['users', 'organizations', ...KINDS.map((k) => k.command as Section)];

type FileObject = Record<string, unknown>;

const timestamp = (ms: number) => new Date(ms).toISOString();
const holdersObject = (holders: Holders) => Object.fromEntries(holders);

/** The contacts as `get --all` prints them: `{user_ids: {user_id: …}}` or `{organization_ids: …}`. */
const contactsObject = (record: FileContacts) => ({
  administrative_contact: record.administrativeContact && identifierView(record.administrativeContact),
  technical_contact: record.technicalContact && identifierView(record.technicalContact),
});

/** Fields whose value is undefined are absent from the file; JSON.stringify and the YAML writer both skip them. */
export function userObject(user: UserRecord): FileObject {
  return { user_id: user.userId, name: user.name, admin: user.admin };
}

export function organizationObject(org: OrganizationRecord): FileObject {
  return {
    organization_id: org.organizationId,
    name: org.name,
    description: org.description,
    attributes: org.attributes,
    ...contactsObject(org),
    fanout_notifications: org.fanoutNotifications,
    deleted: org.deleted || undefined,
    members: org.members && holdersObject(org.members),
    api_keys: org.apiKeys?.map((key) => ({
      id: key.id,
      name: key.name,
      rights: key.rights,
      expires_at: key.expiresAt == null ? undefined : timestamp(key.expiresAt),
    })),
  };
}

export function entityObject(entity: EntityRecord): FileObject {
  return {
    [`${entity.kind}_id`]: entity.entityId,
    name: entity.name,
    description: entity.description,
    attributes: entity.attributes,
    ...contactsObject(entity),
    deleted: entity.deleted || undefined,
    collaborators: entity.collaborators && {
      users: entity.collaborators.users && holdersObject(entity.collaborators.users),
      organizations: entity.collaborators.organizations && holdersObject(entity.collaborators.organizations),
    },
  };
}

/** Writes a document a record at a time: `record` for each in section order, then `end`. */
export interface DocumentWriter {
  record(section: Section, object: FileObject): string;
  end(): string;
}

/**
 * The writer of one format. Sections are opened as their first record comes and closed (or
 * written empty) when the next section begins, so records stream in section order.
 */
function sectionedWriter(format: {
  start: string;
  open(section: Section): string;
  item(object: FileObject, first: boolean): string;
  close(section: Section, empty: boolean, last: boolean): string;
  finish: string;
}): DocumentWriter {
  let at = -1;
  let count = 0;
  let out = format.start;
  const advanceTo = (index: number) => {
    let text = '';
    while (at < index) {
      if (at >= 0) text += format.close(SECTIONS[at]!, count === 0, at === SECTIONS.length - 1);
      at++;
      count = 0;
      if (at < SECTIONS.length) text += format.open(SECTIONS[at]!);
    }
    return text;
  };
  return {
    record(section, object) {
      let text = out + advanceTo(SECTIONS.indexOf(section));
      out = '';
      text += format.item(object, count === 0);
      count++;
      return text;
    },
    end() {
      const text = out + advanceTo(SECTIONS.length) + format.finish;
      out = '';
      return text;
    },
  };
}

export function yamlWriter(): DocumentWriter {
  return sectionedWriter({
    start: `version: ${REGISTRY_VERSION}\n`,
    open: (section) => `${section}:`,
    item: (object, first) => (first ? '\n' : '') + yamlSequence([object], '  '),
    close: (_, empty) => (empty ? ' []\n' : ''),
    finish: '',
  });
}

export function jsonWriter(): DocumentWriter {
  return sectionedWriter({
    start: `{\n  "version": ${REGISTRY_VERSION}`,
    open: (section) => `,\n  ${JSON.stringify(section)}: [`,
    item: (object, first) => `${first ? '' : ','}\n    ${JSON.stringify(object, null, 2).replaceAll('\n', '\n    ')}`,
    close: (_, empty) => (empty ? ']' : '\n  ]'),
    finish: '\n}\n',
  });
}

// YAML

/** Words a YAML reader (1.2, or 1.1 for older tools) takes for something other than a string. */
const RESERVED = /^(?:null|true|false|yes|no|on|off|y|n|~)$/i;
/** A string that reads back as itself unquoted: no indicator, no comment, no trailing space. */
const PLAIN = /^[A-Za-z_](?:[A-Za-z0-9_ .\/-]*[A-Za-z0-9_.\/-])?$/;
/** Characters YAML does not allow raw in a double-quoted scalar, which JSON leaves raw. */
const UNPRINTABLE = /[\u007f-\u009f\u2028\u2029\ufeff\ufffe\uffff]/g;

export function yamlScalar(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'boolean' || typeof value === 'number') return String(value);
  const text = String(value);
  if (PLAIN.test(text) && !RESERVED.test(text)) return text;
  return JSON.stringify(text).replace(UNPRINTABLE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

const defined = (object: FileObject) => Object.entries(object).filter(([, value]) => value !== undefined);
const isNested = (value: unknown) => typeof value === 'object' && value !== null;

/** The value after `key:`: a scalar on the same line, an empty collection in flow style, else a block below. */
function yamlValue(value: unknown, indent: string): string {
  if (!isNested(value)) return ` ${yamlScalar(value)}\n`;
  if (Array.isArray(value)) return value.length === 0 ? ' []\n' : `\n${yamlSequence(value, `${indent}  `)}`;
  const entries = defined(value as FileObject);
  return entries.length === 0 ? ' {}\n' : `\n${yamlMapping(entries, `${indent}  `)}`;
}

function yamlMapping(entries: Array<[string, unknown]>, indent: string): string {
  return entries.map(([key, value]) => `${indent}${yamlScalar(key)}:${yamlValue(value, indent)}`).join('');
}

function yamlSequence(items: readonly unknown[], indent: string): string {
  return items
    .map((item) => {
      if (!isNested(item)) return `${indent}- ${yamlScalar(item)}\n`;
      // A mapping in a sequence starts on the dash's line, its other keys under the first.
      return `${indent}- ${yamlMapping(defined(item as FileObject), `${indent}  `).slice(indent.length + 2)}`;
    })
    .join('');
}
