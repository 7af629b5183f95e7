/**
 * The registry file (REGISTRY.md, "The file") read into a RegistryDocument: YAML 1.2, core schema,
 * of which JSON is a part. The whole file is checked before any command acts on it, and its first
 * fault is one error naming its line and column. The `yaml` package loads here, on first use:
 * no other command pays for it.
 */
import type { Document, LineCounter, Node, Pair, ParsedNode, Scalar, YAMLError, YAMLMap } from 'yaml';
import { invalidArgument, OrgsError } from '../errors.js';
import { type EntityKind, type EntityKindName, KINDS } from '../kinds.js';
import type { CollaboratorIds } from '../model.js';
import { CATALOGUE, ENTITY_GROUPS, isRight, Rights, type RightGroup, RIGHT_ALL } from '../rights.js';
import * as validate from '../validate.js';
import type {
  ApiKeyRecord,
  EntityRecord,
  Holders,
  OrganizationRecord,
  Position,
  RegistryDocument,
  UserRecord,
} from './document.js';

type Yaml = typeof import('yaml');

/** The rights a holder may be given, and how an error names them. */
interface RightsAllowed {
  readonly names: ReadonlySet<string>;
  readonly description: string;
}

function rightsOf(groups: readonly RightGroup[]): RightsAllowed {
  const own = groups.filter((group) => group !== 'all');
  return {
    names: new Set(CATALOGUE.filter((right) => groups.includes(right.group)).map((right) => right.name)),
    description: `${own.join(', ')} rights${groups.includes('all') ? ` and ${RIGHT_ALL}` : ''}`,
  };
}

/** An organization's members: its rights, those of what it may own, and RIGHT_ALL (its owners hold it). */
const MEMBER_RIGHTS = rightsOf([...ENTITY_GROUPS, 'all']);
/** An organization's API keys: as its members, but never RIGHT_ALL, as `api-keys` and the Console give them. */
const KEY_RIGHTS = rightsOf(ENTITY_GROUPS);

/** How one field of a record is read: its value, checked and converted. */
type FieldReader = (reader: RegistryReader, value: ParsedNode) => unknown;

/** A kind of record in the file: the key of its ID, how the ID is checked, and its other fields. */
interface RecordShape {
  /** `a user`, `an organization`: for messages. */
  readonly what: string;
  readonly idKey: string;
  /** The record's property that holds the ID. */
  readonly idProperty: string;
  readonly id: (id: string) => string;
  /** The file's keys besides the ID, each read into the camel-cased property of the same name. */
  readonly fields: ReadonlyMap<string, FieldReader>;
}

/** `name`, of at most `max` characters, or null. */
const nameField =
  (max: number): FieldReader =>
  (reader, value) =>
    reader.nullableText(value, 'name', max);

const FIELDS_OF_RECORDS: ReadonlyArray<[string, FieldReader]> = [
  ['name', nameField(validate.LIMITS.name)],
  ['description', (reader, value) => reader.nullableText(value, 'description', validate.LIMITS.description)],
  ['attributes', (reader, value) => reader.attributes(value)],
  ['administrative_contact', (reader, value) => reader.contact(value, 'administrative_contact')],
  ['technical_contact', (reader, value) => reader.contact(value, 'technical_contact')],
  ['deleted', (reader, value) => reader.boolean(value, 'deleted')],
];

const USER: RecordShape = {
  what: 'a user',
  idKey: 'user_id',
  idProperty: 'userId',
  id: validate.userId,
  fields: new Map<string, FieldReader>([
    ['name', nameField(validate.LIMITS.name)],
    ['admin', (reader, value) => reader.boolean(value, 'admin')],
  ]),
};

const API_KEY: RecordShape = {
  what: 'an API key',
  idKey: 'id',
  idProperty: 'id',
  id: (id) => {
    if (id === '') throw invalidArgument('registry', 'invalid_registry', 'an API key ID cannot be empty');
    return validate.withoutNul('api_key_id', id);
  },
  fields: new Map<string, FieldReader>([
    ['name', nameField(validate.LIMITS.apiKeyName)],
    ['rights', (reader, value) => reader.rights(value, 'rights', KEY_RIGHTS, { atLeastOne: true })],
    ['expires_at', (reader, value) => reader.expiry(value)],
  ]),
};

const ORGANIZATION: RecordShape = {
  what: 'an organization',
  idKey: 'organization_id',
  idProperty: 'organizationId',
  id: validate.organizationId,
  fields: new Map<string, FieldReader>([
    ...FIELDS_OF_RECORDS,
    ['fanout_notifications', (reader, value) => reader.boolean(value, 'fanout_notifications')],
    ['members', (reader, value) => reader.holders(value, 'members', 'user', MEMBER_RIGHTS)],
    ['api_keys', (reader, value) => reader.apiKeys(value)],
  ]),
};

function entityShape(kind: EntityKind): RecordShape {
  const rights = rightsOf([kind.group, 'all']);
  return {
    what: validate.withArticle(kind.name),
    idKey: kind.idKey,
    idProperty: 'entityId',
    id: (id) => validate.entityId(kind.name, id),
    fields: new Map<string, FieldReader>([
      ...FIELDS_OF_RECORDS,
      [
        'collaborators',
        (reader, value) =>
          reader.mapping(value, 'collaborators', {
            users: (reader, value) => reader.holders(value, 'collaborators.users', 'user', rights),
            organizations: (reader, value) =>
              reader.holders(value, 'collaborators.organizations', 'organization', rights),
          }),
      ],
    ]),
  };
}

const ENTITY_SHAPES = new Map(KINDS.map((kind) => [kind, entityShape(kind)]));

const TOP_LEVEL_KEYS = ['version', 'users', 'organizations', ...KINDS.map((kind) => kind.command)];

/** `fanout_notifications` → `fanoutNotifications`. */
const camelCase = (key: string) => key.replace(/_([a-z])/g, (_, letter: string) => letter.toUpperCase());

/** Reads `text`, the registry file `file`, into the document it describes; the first fault is `invalid_registry`. */
export async function parseRegistry(text: string, file: string): Promise<RegistryDocument> {
  const yaml = await import('yaml');
  const lineCounter = new yaml.LineCounter();
  const document = yaml.parseDocument(text, {
    version: '1.2',
    schema: 'core',
    uniqueKeys: true,
    prettyErrors: false,
    lineCounter,
  });
  const reader = new RegistryReader(yaml, lineCounter, text, file);
  const [problem] = [...document.errors, ...document.warnings];
  if (problem) throw reader.fail(problem.pos[0], reader.yamlMessage(problem, document));
  reader.refuseAnchorsAndTags(document);
  return reader.document(document.contents);
}

/** Where each ID was first written, by namespace, to name the first one of a duplicate. */
class Seen {
  private readonly at = new Map<string, { what: string; line: number }>();

  /** Fails if `id` was seen before in this namespace. */
  add(reader: RegistryReader, node: ParsedNode, id: string, what: string): void {
    const first = this.at.get(id);
    if (first) {
      const as =
        first.what === what ? `${what} (line ${first.line})` : `${first.what} (line ${first.line}) and ${what}`;
      throw reader.fail(node, `${validate.quote(id)} is written twice: ${as}`);
    }
    this.at.set(id, { what, line: reader.position(node).line });
  }
}

class RegistryReader {
  /** Users and organizations share one namespace; each kind of entity has its own. */
  private readonly principals = new Seen();
  private readonly entities = new Map(KINDS.map((kind) => [kind, new Seen()]));
  private readonly apiKeyIds = new Seen();

  constructor(
    private readonly yaml: Yaml,
    private readonly lineCounter: LineCounter,
    private readonly text: string,
    private readonly file: string,
  ) {}

  /** The error of a fault at `where` (a node, or an offset in the text). */
  fail(where: ParsedNode | number, what: string): OrgsError {
    const { line, column } = this.position(where);
    return invalidArgument('registry', 'invalid_registry', `${this.file}:${line}:${column}: ${what}`);
  }

  position(where: ParsedNode | number): Position {
    const offset = typeof where === 'number' ? where : where.range[0];
    const { line, col } = this.lineCounter.linePos(offset);
    return { line: Math.max(line, 1), column: col };
  }

  /** Runs a check of validate.ts; its error becomes one at `node`. */
  private checked<T>(node: ParsedNode, check: () => T, prefix?: string): T {
    try {
      return check();
    } catch (error) {
      if (!(error instanceof OrgsError)) throw error;
      throw this.fail(node, prefix ? `${prefix}: ${error.message}` : error.message);
    }
  }

  /** The yaml package's message; a duplicate key is named. */
  yamlMessage(problem: YAMLError, document: Document.Parsed): string {
    if (problem.code !== 'DUPLICATE_KEY') return problem.message;
    const { yaml } = this;
    let key: unknown;
    yaml.visit(document, {
      Pair: (_, pair) => {
        if (!yaml.isScalar(pair.key) || pair.key.range?.[0] !== problem.pos[0]) return undefined;
        key = pair.key.value;
        return yaml.visit.BREAK;
      },
    });
    return `the key ${validate.quote(String(key))} is given twice in this mapping`;
  }

  /** No anchor, alias or tag anywhere: an alias could multiply a small file into a huge one. */
  refuseAnchorsAndTags(document: Document.Parsed): void {
    const { yaml } = this;
    yaml.visit(document, (_key, node) => {
      if (yaml.isAlias(node)) throw this.fail(node as ParsedNode, `YAML aliases (*${node.source}) are not allowed`);
      if (!yaml.isNode(node)) return;
      const parsed = node as ParsedNode;
      if (parsed.anchor) {
        const at = this.text.lastIndexOf(`&${parsed.anchor}`, parsed.range[0]);
        throw this.fail(at < 0 ? parsed : at, `YAML anchors (&${parsed.anchor}) are not allowed`);
      }
      if (parsed.tag) throw this.fail(this.tagStart(parsed), `YAML tags (${parsed.tag}) are not allowed`);
    });
  }

  /** Where the tag written before `node` starts. */
  private tagStart(node: ParsedNode): number {
    let at = this.text.lastIndexOf('!', node.range[0]);
    while (at > 0 && !/[\s,[\]{}]/.test(this.text[at - 1]!)) at--;
    return Math.max(at, 0);
  }

  document(contents: ParsedNode | null): RegistryDocument {
    const top = this.yaml.isMap(contents) ? (contents as YAMLMap.Parsed) : undefined;
    if (!top) {
      throw this.fail(
        contents ?? 0,
        `the file must be a mapping of ${TOP_LEVEL_KEYS.join(', ')}, not ${contents ? this.describe(contents) : 'empty'}`,
      );
    }
    // The version first: a file of another version is told so, not that its keys are unknown.
    this.version(top);
    const entries = this.entries(top, 'the top level', TOP_LEVEL_KEYS);
    let users: UserRecord[] = [];
    let organizations: OrganizationRecord[] = [];
    const entities: Record<EntityKindName, EntityRecord[]> = { application: [], gateway: [], client: [] };
    // In the file's order, so that the first fault found is the first in the file.
    for (const [key, value] of entries) {
      if (key === 'version') continue;
      const items = this.sequence(value, key);
      if (key === 'users') {
        users = items.map((item) => this.record<UserRecord>(item, USER, this.principals));
      } else if (key === 'organizations') {
        organizations = items.map((item) => this.record<OrganizationRecord>(item, ORGANIZATION, this.principals));
      } else {
        const kind = KINDS.find((k) => k.command === key)!;
        const shape = ENTITY_SHAPES.get(kind)!;
        const seen = this.entities.get(kind)!;
        entities[kind.name] = items.map((item) => ({
          kind: kind.name,
          ...this.record<Omit<EntityRecord, 'kind'>>(item, shape, seen),
        }));
      }
    }
    return { users, organizations, entities };
  }

  private version(top: YAMLMap.Parsed): void {
    const { yaml } = this;
    const entry = top.items.find((pair) => yaml.isScalar(pair.key) && pair.key.value === 'version');
    if (!entry) throw this.fail(top, 'version is missing: the file must say version: 1');
    const value = this.valueOf(entry);
    const isOne = yaml.isScalar(value) && value.value === 1 && value.source === '1';
    if (!isOne) {
      throw this.fail(value, `version must be 1 (the only version there is), not ${this.describe(value)}`);
    }
  }

  /** The key-value pairs of a mapping whose keys are strings, each known; in the file's order. */
  private entries(map: YAMLMap.Parsed, where: string, known: readonly string[]): Map<string, ParsedNode> {
    const entries = new Map<string, ParsedNode>();
    for (const pair of map.items) {
      const key = this.key(pair.key, where);
      if (!known.includes(key)) {
        throw this.fail(pair.key, `unknown key ${validate.quote(key)} in ${where}; known keys: ${known.join(', ')}`);
      }
      entries.set(key, this.valueOf(pair));
    }
    return entries;
  }

  private key(node: ParsedNode, where: string): string {
    if (this.yaml.isScalar(node) && typeof node.value === 'string') return node.value;
    throw this.fail(node, `the keys of ${where} must be strings, not ${this.describe(node)}`);
  }

  /** One record of a list: a mapping of its shape, its ID unique in `seen`; it keeps where it starts. */
  private record<T>(node: ParsedNode, shape: RecordShape, seen: Seen): T {
    const map = this.map(node, shape.what);
    const entries = this.entries(map, shape.what, [shape.idKey, ...shape.fields.keys()]);
    const id = entries.get(shape.idKey);
    if (!id) throw this.fail(map, `${shape.what} without ${shape.idKey}`);
    const idText = this.string(id, shape.idKey);
    const record: Record<string, unknown> = {
      at: this.position(map),
      [shape.idProperty]: this.checked(id, () => shape.id(idText)),
    };
    seen.add(this, id, record[shape.idProperty] as string, shape.what);
    for (const [key, value] of entries) {
      if (key !== shape.idKey) record[camelCase(key)] = shape.fields.get(key)!(this, value);
    }
    return record as T;
  }

  /** A mapping of these keys, each read into its camel-cased property; absent keys stay absent. */
  mapping(node: ParsedNode, what: string, fields: Record<string, FieldReader>): Record<string, unknown> {
    const entries = this.entries(this.map(node, what), what, Object.keys(fields));
    const result: Record<string, unknown> = {};
    for (const [key, value] of entries) result[camelCase(key)] = fields[key]!(this, value);
    return result;
  }

  apiKeys(node: ParsedNode): ApiKeyRecord[] {
    return this.sequence(node, 'api_keys').map((item) => this.record<ApiKeyRecord>(item, API_KEY, this.apiKeyIds));
  }

  /** Holders by ID (users, or organizations) with their rights; `[]` removes one. */
  holders(node: ParsedNode, what: string, holder: 'user' | 'organization', allowed: RightsAllowed): Holders {
    const map = this.map(node, what, `a mapping of ${holder} IDs to lists of rights`);
    const holders = new Map<string, readonly string[]>();
    for (const pair of map.items) {
      const text = this.key(pair.key, what);
      const id = this.checked(pair.key, () =>
        holder === 'user' ? validate.userId(text) : validate.organizationId(text),
      );
      holders.set(id, this.rights(this.valueOf(pair), `the rights of ${id}`, allowed));
    }
    return holders;
  }

  /** A list of rights of the allowed groups: unique and sorted by name, as every list of rights is stored. */
  rights(node: ParsedNode, what: string, allowed: RightsAllowed, options: { atLeastOne?: boolean } = {}): string[] {
    const names = this.sequence(node, what).map((item) => {
      const right = this.string(item, 'a right');
      if (!isRight(right)) throw this.fail(item, `${validate.quote(right)} is not a right`);
      if (!allowed.names.has(right)) {
        throw this.fail(item, `${right} is not a right given here; these are: ${allowed.description}`);
      }
      return right;
    });
    if (options.atLeastOne && names.length === 0) throw this.fail(node, `${what} must hold at least one right`);
    return Rights.of(names).toArray();
  }

  attributes(node: ParsedNode): Record<string, string> | null {
    if (this.isNull(node)) return null;
    const map = this.map(node, 'attributes', 'a mapping of keys to strings, or null');
    const attributes: Record<string, string> = {};
    for (const pair of map.items) {
      const keyText = this.key(pair.key, 'attributes');
      const key = this.checked(pair.key, () => validate.attributeKey(keyText));
      const node = this.valueOf(pair);
      const value = this.string(node, `attribute ${key}`);
      attributes[key] = this.checked(node, () =>
        validate.text('attribute_value', value, validate.LIMITS.attributeValue),
      );
    }
    // Each key and value is checked where it is written; what is left is how many there are.
    return this.checked(map, () => validate.attributes(attributes));
  }

  /** A contact as `get --all` prints it, `{user_ids: {user_id: …}}` or `{organization_ids: {organization_id: …}}`; or null. */
  contact(node: ParsedNode, field: string): CollaboratorIds | null {
    if (this.isNull(node)) return null;
    const map = this.map(node, field, 'a mapping of user_ids or organization_ids, or null');
    const entries = [...this.entries(map, field, ['user_ids', 'organization_ids'])];
    if (entries.length !== 1) throw this.fail(map, `${field} must name one user or one organization`);
    const [[key, ids]] = entries as [[string, ParsedNode]];
    const kind = key === 'user_ids' ? 'user' : 'organization';
    const idKey = `${kind}_id`;
    const idNode = this.entries(this.map(ids, `${field}.${key}`), `${field}.${key}`, [idKey]).get(idKey);
    if (!idNode) throw this.fail(ids, `${field}.${key} without ${idKey}`);
    const text = this.string(idNode, idKey);
    const id = this.checked(idNode, () => (kind === 'user' ? validate.userId(text) : validate.organizationId(text)));
    return { kind, id };
  }

  expiry(node: ParsedNode): number | null {
    if (this.isNull(node)) return null;
    const text = this.string(node, 'expires_at', 'an RFC 3339 time, or null');
    return this.checked(node, () => validate.expiryDate(text), 'expires_at');
  }

  nullableText(node: ParsedNode, field: string, max: number): string | null {
    if (this.isNull(node)) return null;
    const text = this.string(node, field, 'a string, or null');
    return this.checked(node, () => validate.text(field, text, max));
  }

  boolean(node: ParsedNode, what: string): boolean {
    if (this.yaml.isScalar(node) && typeof node.value === 'boolean') return node.value;
    throw this.fail(node, `${what} must be true or false, not ${this.describe(node)}`);
  }

  private string(node: ParsedNode, what: string, expected = 'a string'): string {
    if (this.yaml.isScalar(node) && typeof node.value === 'string') return node.value;
    throw this.fail(node, `${what} must be ${expected}, not ${this.describe(node)}`);
  }

  private sequence(node: ParsedNode, what: string): ParsedNode[] {
    if (this.yaml.isSeq(node)) return node.items as ParsedNode[];
    throw this.fail(node, `${what} must be a list, not ${this.describe(node)}`);
  }

  private map(node: ParsedNode, what: string, expected = 'a mapping'): YAMLMap.Parsed {
    if (this.yaml.isMap(node)) return node as YAMLMap.Parsed;
    throw this.fail(node, `${what} must be ${expected}, not ${this.describe(node)}`);
  }

  private isNull(node: ParsedNode): boolean {
    return this.yaml.isScalar(node) && node.value === null;
  }

  /** A pair's value; null where a key has none (`{ user1 }`, `? key`), just after the key. */
  private valueOf(pair: Pair<ParsedNode, ParsedNode | null>): ParsedNode {
    if (pair.value) return pair.value;
    const empty = new this.yaml.Scalar(null) as Scalar.Parsed;
    const end = pair.key.range[1];
    empty.range = [end, end, end];
    return empty;
  }

  /** What a value is, for a message: `a mapping`, `a list`, `null`, `true`, `the number 1.0`, `the string "1"`. */
  private describe(node: ParsedNode | Node): string {
    const { yaml } = this;
    if (yaml.isMap(node)) return 'a mapping';
    if (yaml.isSeq(node)) return 'a list';
    if (!yaml.isScalar(node) || node.value === null) return 'null';
    const value = node.value;
    if (typeof value === 'string') return `the string ${validate.quote(value)}`;
    if (typeof value === 'number') return `the number ${node.source ?? value}`;
    return String(value);
  }
}
