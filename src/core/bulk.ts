/**
 * Bulk create: organizations, applications, gateways or clients read as JSON documents from a
 * stream, created in order. Documents are committed in batches (one per chunk of input, so a slow
 * producer still sees each result promptly) and each result is reported only after its batch has
 * committed.
 */
import { refusal } from './create-batch.js';
import { invalidArgument, OrgsError, toOrgsError } from './errors.js';
import { JsonDocumentSplitter, type RawDocument } from './json-stream.js';
import type { CollaboratorIds } from './model.js';
import { CONTACTS } from './contacts.js';
import type { OrganizationInput } from './records.js';
import type { Scope, Session } from './session.js';
import { StrictUtf8Decoder } from './utf8.js';
import * as validate from './validate.js';
import { accountOfView, type FieldMask, type OrganizationField, type View } from './views.js';

/** What bulk create makes of each document: organizations (R: Organization), or one kind of entity. */
export interface BulkTarget<R = unknown> {
  /** What is created: `organization`, `application`, …; a document's ID is `ids.<kind>_id`. */
  readonly kind: string;
  /** Whether documents may set fanout_notifications (organizations only). */
  readonly notifications: boolean;
  /** What is created, in reports: `organizations`. */
  readonly plural: string;
  /** Fails before any input is read when no document could succeed (no collaborator). */
  check(): void;
  /**
   * Creates the documents in the open transaction, as one batch (src/core/create-batch.ts): for
   * each, its record or the refusal of it. Their inputs are made for this and may become the
   * requests: copied by spread, they were among bulk create's hot spots.
   */
  createAll(
    scope: Scope,
    documents: ReadonlyArray<{ id: string; input: OrganizationInput }>,
  ): Promise<Array<R | OrgsError>>;
  /** A created record as printed, given the fields its document set. */
  view(record: R, fields: FieldMask): View;
}

export interface BulkReport {
  /** Called once per committed batch with its organizations, in input order. */
  created(views: View[]): void | Promise<void>;
  /**
   * Called once per failed document; `position` counts documents from 1 (each element of a
   * top-level array is one), `line` is where it starts in the input.
   */
  failed(position: number, id: string | undefined, error: OrgsError, line: number): void;
}

export interface BulkResult {
  created: number;
  failed: number;
  /** The first failure, whose class decides the exit code. */
  firstError?: OrgsError;
}

const NS = 'bulk';
const DOCUMENT_FIELDS = new Set(['ids', 'name', 'description', 'attributes', ...CONTACTS.map((c) => c.field)]);
/** Fields of the output that a new organization does not take, so that output can be input. */
const OUTPUT_ONLY_FIELDS = new Set(['created_at', 'updated_at', 'deleted_at']);

interface Parsed {
  id: string;
  input: OrganizationInput;
  fields: Set<OrganizationField>;
}

/**
 * Turns one document into an ID and its fields; the flags of the command line (those given, none
 * undefined; or none at all) override its fields.
 */
export function parseDocument(
  raw: RawDocument,
  flags: Partial<OrganizationInput> | undefined,
  target: Pick<BulkTarget, 'kind' | 'notifications'>,
): Parsed {
  if (raw.error) throw raw.error;
  let doc: unknown;
  try {
    doc = JSON.parse(raw.text);
  } catch (error) {
    throw invalidArgument(NS, 'invalid_json', `not valid JSON: ${(error as Error).message}`);
  }
  const { kind } = target;
  const idKey = `${kind}_id`;
  if (!isObject(doc))
    throw invalidArgument(NS, 'invalid_document', `expected a JSON object shaped like ${validate.withArticle(kind)}`);
  for (const key of Object.keys(doc)) {
    const known = DOCUMENT_FIELDS.has(key) || (target.notifications && key === 'fanout_notifications');
    if (!known && !OUTPUT_ONLY_FIELDS.has(key))
      throw invalidArgument(NS, 'invalid_document', `unknown field ${validate.quote(key)}`);
  }
  const ids = doc.ids;
  const id = isObject(ids) ? ids[idKey] : undefined;
  if (typeof id !== 'string') throw invalidArgument(NS, `no_${idKey}`, `the document has no ids.${idKey}`);
  const request: OrganizationInput = {};
  const fields = new Set<OrganizationField>();
  if (doc.name !== undefined) {
    request.name = expectString(doc.name, 'name');
    fields.add('name');
  }
  if (doc.description !== undefined) {
    request.description = expectString(doc.description, 'description');
    fields.add('description');
  }
  if (doc.attributes !== undefined) {
    if (!isObject(doc.attributes)) throw invalidArgument(NS, 'invalid_document', 'attributes must be an object');
    request.attributes = Object.fromEntries(
      Object.entries(doc.attributes).map(([k, v]) => [k, expectString(v, `attribute ${k}`)]),
    );
    fields.add('attributes');
  }
  for (const { field, key } of CONTACTS) {
    if (doc[field] === undefined) continue;
    request[key] = contactOf(doc[field], field);
    fields.add(field);
  }
  if (doc.fanout_notifications !== undefined) {
    if (typeof doc.fanout_notifications !== 'boolean') {
      throw invalidArgument(NS, 'invalid_document', 'fanout_notifications must be true or false');
    }
    request.fanoutNotifications = doc.fanout_notifications;
    fields.add('fanout_notifications');
  }
  if (flags === undefined) return { id, input: request, fields };
  const merged: OrganizationInput = { ...request, ...flags };
  if (flags.attributes) merged.attributes = { ...request.attributes, ...flags.attributes };
  if (flags.name !== undefined) fields.add('name');
  if (flags.description !== undefined) fields.add('description');
  if (flags.attributes !== undefined) fields.add('attributes');
  if (flags.fanoutNotifications !== undefined) fields.add('fanout_notifications');
  for (const { field, key } of CONTACTS) if (flags[key] !== undefined) fields.add(field);
  return { id, input: merged, fields };
}

/** A contact as printed: `{"user_ids": {"user_id": …}}` or `{"organization_ids": {"organization_id": …}}`. */
function contactOf(value: unknown, field: string): CollaboratorIds {
  const account = accountOfView(value);
  if (!account) throw invalidArgument(NS, 'invalid_document', `${field} must name a user or an organization by its ID`);
  return account;
}

/** The ID a document names, for error reports, if it can be read at all. */
function idOf(raw: RawDocument, idKey: string): string | undefined {
  if (raw.text === undefined) return undefined;
  try {
    const id = JSON.parse(raw.text)?.ids?.[idKey];
    return typeof id === 'string' ? id : undefined;
  } catch {
    return undefined;
  }
}

export async function createMany<R>(
  session: Session,
  target: BulkTarget<R>,
  /** Text, or bytes to be read as UTF-8. */
  input: AsyncIterable<string | Uint8Array>,
  /** Fields given on the command line, for every document. */
  flags: OrganizationInput,
  report: BulkReport,
  shouldStop: () => boolean = () => false,
): Promise<BulkResult> {
  // Without a collaborator every document would fail: say so once, before reading any input.
  target.check();
  const overrides = definedOnly(flags);
  const result: BulkResult = { created: 0, failed: 0 };
  const splitter = new JsonDocumentSplitter();
  const decoder = new StrictUtf8Decoder();
  let position = 0;
  const fail = (at: number, raw: RawDocument, error: unknown) => {
    const orgsError = toOrgsError(error);
    result.failed++;
    result.firstError ??= orgsError;
    report.failed(at, idOf(raw, `${target.kind}_id`), orgsError, raw.line);
  };
  const runBatch = async (documents: RawDocument[]) => {
    if (documents.length === 0) return;
    // Each document read once, outside the transaction (which the store may run more than once).
    const parsed: Parsed[] = [];
    /** Where each parsed document is in the batch. */
    const places: number[] = [];
    const refused: Array<{ index: number; error: OrgsError }> = [];
    for (const [index, raw] of documents.entries()) {
      try {
        parsed.push(parseDocument(raw, overrides, target));
        places.push(index);
      } catch (error) {
        refused.push({ index, error: refusal(error) });
      }
    }
    let pending: View[] = [];
    let failures: Array<{ index: number; error: OrgsError }> = [];
    try {
      await session.write(async (scope) => {
        // Each run starts afresh; failures are reported once, after the batch is settled.
        pending = [];
        failures = [...refused];
        const results = parsed.length === 0 ? [] : await target.createAll(scope, parsed);
        for (const [k, result] of results.entries()) {
          if (result instanceof OrgsError) failures.push({ index: places[k]!, error: result });
          else pending.push(target.view(result, parsed[k]!.fields));
        }
        // A batch that created nothing leaves nothing behind, not even the caller it registered.
        if (pending.length === 0) throw NOTHING_CREATED;
      });
    } catch (error) {
      if (error !== NOTHING_CREATED) throw error;
    }
    failures.sort((a, b) => a.index - b.index);
    for (const { index, error } of failures) fail(position + index + 1, documents[index]!, error);
    position += documents.length;
    if (pending.length > 0) await report.created(pending);
    result.created += pending.length;
  };
  for await (const chunk of input) {
    await runBatch(splitter.push(typeof chunk === 'string' ? chunk : decoder.decode(chunk)));
    if (shouldStop()) return result;
  }
  await runBatch([...splitter.push(decoder.end()), ...splitter.end()]);
  if (position === 0) {
    throw invalidArgument('validate', `no_${target.kind}_id`, `no ${target.kind} ID given and nothing on stdin`);
  }
  return result;
}

const NOTHING_CREATED = Symbol('nothing created');

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function expectString(value: unknown, field: string): string {
  if (typeof value !== 'string') throw invalidArgument(NS, 'invalid_document', `${field} must be a string`);
  return value;
}

/** The fields given (not undefined), or undefined when none is. */
function definedOnly<T extends object>(value: T): Partial<T> | undefined {
  const given = Object.entries(value).filter(([, v]) => v !== undefined);
  return given.length > 0 ? (Object.fromEntries(given) as Partial<T>) : undefined;
}
