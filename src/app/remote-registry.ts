/**
 * `export --from URL` (API.md, "Reading a real The Things Stack"): a The Things Stack's registry,
 * as far as the API key sees it, read through its HTTP API into the registry file's records. Only
 * GETs: it never writes to the server. Lists are paged with `limit`/`page` until `X-Total-Count`;
 * what the key may not list (a 403 on collaborators or keys) is left out, as `export` leaves out
 * what the caller may not see. Every fault of the server is one OrgsError, the key never in it.
 */
import { Agent as HttpAgent, type IncomingMessage, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { classOfGrpcCode, classOfHttpStatus, type ErrorClass, invalidArgument, OrgsError } from '../core/errors.js';
import { quote } from '../core/validate.js';
import { KINDS, type EntityKind } from '../core/kinds.js';
import type { CollaboratorIds } from '../core/model.js';
import type { ApiKeyRecord, EntityRecord, Holders, OrganizationRecord } from '../core/registry/document.js';
import { documentWriter, type ExportRequest, type Exported, usersNamed } from '../core/registry/service.js';
import { holdersOf, normalRights } from '../core/registry/state.js';

export interface RemoteSource {
  /** The API's root, `https://eu1.cloud.thethings.network/api/v3`. */
  url: string;
  apiKey: string;
  /** How long each request may take, connection included (config key connect-timeout). */
  timeoutMs: number;
  deleted?: boolean;
  apiKeys?: boolean;
}

/** An answer larger than this is not The Things Stack's (the file's own limit). */
const MAX_ANSWER_BYTES = 64 * 1024 * 1024;
const PAGE_SIZE = 1000;

const remote = (errorClass: ErrorClass, name: string, message: string) =>
  new OrgsError(errorClass, 'remote', name, message);

type Json = Record<string, any>;

/**
 * Writes the remote registry as `export` writes the store's: the records `request` names (all,
 * without a filter), the IDs of the users they name, in `request.format`.
 */
export async function exportRemote(
  source: RemoteSource,
  request: ExportRequest,
  write: (text: string) => Promise<void>,
): Promise<void> {
  const protocol = URL.canParse(source.url) ? new URL(source.url).protocol : undefined;
  if (protocol !== 'http:' && protocol !== 'https:') {
    throw invalidArgument(
      'remote',
      'invalid_url',
      `--from takes the http(s) URL of an API, …/api/v3, not ${quote(source.url)}`,
    );
  }
  const filtered = request.organizationIds !== undefined || request.entityIds !== undefined;
  const named = (exported: Exported) => {
    if (!filtered || exported.section === 'users') return true;
    if (exported.section === 'organizations') {
      return request.organizationIds?.includes((exported.record as OrganizationRecord).organizationId) ?? false;
    }
    const entity = exported.record as EntityRecord;
    return request.entityIds?.[entity.kind]?.includes(entity.entityId) ?? false;
  };
  // Read whole before a byte is written: a server failing halfway leaves stdout empty.
  const records = (await readRemoteRegistry(source)).filter(named);
  const out = await documentWriter(request.format ?? 'yaml', write);
  for (const userId of usersNamed(records)) await out.put({ section: 'users', record: { userId } });
  for (const exported of records) await out.put(exported);
  await out.end();
}

/**
 * Requests in flight at once: each record costs a request or two (its collaborators, its keys), and
 * a server answers several at once far sooner than one after the other.
 */
const IN_FLIGHT = 8;

/** The records of the remote registry, organizations then each kind's entities, by ID. */
async function readRemoteRegistry(source: RemoteSource): Promise<Exported[]> {
  const client = new Client(source);
  try {
    return await readWith(client, source);
  } finally {
    client.close();
  }
}

async function readWith(client: Client, source: RemoteSource): Promise<Exported[]> {
  const organizations = await client.records('organizations', 'organization_id', source.deleted);
  const records: Exported[] = await inOrder(organizations, async (organization) => ({
    section: 'organizations',
    record: await client.organization(organization, source.apiKeys ?? true),
  }));
  for (const kind of KINDS) {
    const entities = await client.records(kind.command, kind.idKey, source.deleted);
    records.push(
      ...(await inOrder(entities, async (entity) => ({
        section: kind.command as Exported['section'],
        record: await client.entity(kind, entity),
      }))),
    );
  }
  return records;
}

/** `read` of every item, IN_FLIGHT at a time, answered in the items' order; after a failure, no new one starts. */
async function inOrder<T, R>(items: readonly T[], read: (item: T) => Promise<R>): Promise<R[]> {
  const answers = new Array<R>(items.length);
  let next = 0;
  let failed = false;
  const reader = async () => {
    while (!failed && next < items.length) {
      const at = next++;
      try {
        answers[at] = await read(items[at]!);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(IN_FLIGHT, items.length) }, reader));
  return answers;
}

/** Connections kept open between requests, as many as are in flight. */
const AGENT = { keepAlive: true, maxSockets: IN_FLIGHT };

class Client {
  private readonly base: string;
  private httpAgent?: HttpAgent;
  private httpsAgent?: HttpsAgent;

  constructor(private readonly source: RemoteSource) {
    this.base = source.url.replace(/\/+$/, '');
  }

  /** Every record of a listing (live, and deleted ones too with `deleted`), by ID. */
  async records(path: string, idKey: string, deleted = false): Promise<Json[]> {
    const fields = path === 'organizations' ? `${FIELDS},fanout_notifications` : FIELDS;
    const live = await this.list(path, path, { field_mask: fields });
    const gone = deleted ? await this.list(path, path, { field_mask: fields, deleted: 'true' }) : [];
    const id = (record: Json) => String(record.ids?.[idKey] ?? '');
    return [...live, ...gone].sort((a, b) => (id(a) < id(b) ? -1 : id(a) > id(b) ? 1 : 0));
  }

  async organization(answer: Json, withKeys: boolean): Promise<OrganizationRecord> {
    const id = answer.ids.organization_id as string;
    const path = `organizations/${encodeURIComponent(id)}`;
    const [members, keys] = await Promise.all([
      this.hidden(() => this.list(`${path}/collaborators`, 'collaborators')),
      withKeys ? this.hidden(() => this.list(`${path}/api-keys`, 'api_keys')) : undefined,
    ]);
    return {
      organizationId: id,
      ...fieldsOf(answer),
      fanoutNotifications: answer.fanout_notifications === true,
      members: members && holdersOf(members.map((m) => [m.ids?.user_ids?.user_id, m.rights ?? []])),
      apiKeys: keys
        ?.map((key): ApiKeyRecord => ({
          id: key.id,
          name: key.name || undefined,
          rights: normalRights(key.rights ?? []),
          expiresAt: key.expires_at ? Date.parse(key.expires_at) : undefined,
        }))
        .sort((a, b) => (a.id < b.id ? -1 : 1)),
    };
  }

  async entity(kind: EntityKind, answer: Json): Promise<EntityRecord> {
    const id = answer.ids[kind.idKey] as string;
    const collaborators = await this.hidden(() =>
      this.list(`${kind.command}/${encodeURIComponent(id)}/collaborators`, 'collaborators'),
    );
    const of = (holder: 'user' | 'organization'): Holders =>
      holdersOf(
        (collaborators ?? [])
          .filter((c) => c.ids?.[`${holder}_ids`] !== undefined)
          .map((c) => [c.ids[`${holder}_ids`][`${holder}_id`], c.rights ?? []]),
      );
    return {
      kind: kind.name,
      entityId: id,
      ...fieldsOf(answer),
      collaborators: collaborators && { users: of('user'), organizations: of('organization') },
    };
  }

  /** A listing the key may not see (403) is undefined: left out, as export leaves it out. */
  private async hidden<T>(read: () => Promise<T>): Promise<T | undefined> {
    try {
      return await read();
    } catch (error) {
      if (error instanceof OrgsError && error.errorClass === 'permission_denied') return undefined;
      throw error;
    }
  }

  /** Every item of a paged listing, `{"<field>": […]}` page by page until X-Total-Count. */
  private async list(path: string, field: string, query: Record<string, string> = {}): Promise<Json[]> {
    const items: Json[] = [];
    for (let page = 1; ; page++) {
      const { body, total } = await this.get(path, { ...query, limit: String(PAGE_SIZE), page: String(page) });
      const found = body[field] ?? [];
      if (!Array.isArray(found)) throw this.invalid(path, `its "${field}" is not a list`);
      items.push(...found);
      if (found.length === 0 || total === undefined || items.length >= total) return items;
    }
  }

  /** One GET: the JSON object answered, and X-Total-Count; any other answer is an error. */
  private async get(path: string, query: Record<string, string>): Promise<{ body: Json; total?: number }> {
    const url = new URL(`${this.base}/${path}?${new URLSearchParams(query)}`);
    // The whole exchange, connection to last byte, within the timeout.
    const signal = AbortSignal.timeout(this.source.timeoutMs);
    const failed = (error: unknown) =>
      remote(
        'unavailable',
        'unavailable',
        `${this.base}: ${signal.aborted ? `no answer within ${this.source.timeoutMs} ms` : causeOf(error)}`,
      );
    let response: IncomingMessage;
    try {
      response = await this.request(url, signal);
    } catch (error) {
      throw failed(error);
    }
    const status = response.statusCode ?? 0;
    if (status >= 300 && status < 400) {
      response.resume();
      throw this.invalid(path, `a redirect (${status}) to ${response.headers.location ?? 'nowhere'}`);
    }
    const text = await this.textOf(response, path, failed);
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw this.invalid(path, `not JSON (${response.headers['content-type'] ?? 'no content type'})`);
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw this.invalid(path, 'not a JSON object');
    if (status < 200 || status >= 300) throw this.refusal(path, status, body as Json);
    const total = response.headers['x-total-count'];
    return { body: body as Json, total: typeof total === 'string' ? Number(total) : undefined };
  }

  /**
   * The response to a GET of `url`, over connections kept for the next requests (node:http, not
   * fetch: a third of the client's work per request); redirects are not followed.
   */
  private request(url: URL, signal: AbortSignal): Promise<IncomingMessage> {
    const secure = url.protocol === 'https:';
    const agent = secure ? (this.httpsAgent ??= new HttpsAgent(AGENT)) : (this.httpAgent ??= new HttpAgent(AGENT));
    return new Promise((resolve, reject) => {
      const request = (secure ? httpsRequest : httpRequest)(
        url,
        { agent, signal, headers: { authorization: `Bearer ${this.source.apiKey}`, accept: 'application/json' } },
        resolve,
      );
      request.once('error', reject);
      request.end();
    });
  }

  /** The answer's text, at most MAX_ANSWER_BYTES read. */
  private async textOf(
    response: IncomingMessage,
    path: string,
    failed: (error: unknown) => OrgsError,
  ): Promise<string> {
    const chunks: Buffer[] = [];
    let size = 0;
    try {
      for await (const chunk of response) {
        size += (chunk as Buffer).length;
        if (size > MAX_ANSWER_BYTES) {
          response.destroy();
          throw this.invalid(path, `an answer larger than ${MAX_ANSWER_BYTES / 2 ** 20} MiB`);
        }
        chunks.push(chunk as Buffer);
      }
    } catch (error) {
      if (error instanceof OrgsError) throw error;
      throw failed(error);
    }
    return Buffer.concat(chunks).toString('utf8');
  }

  /** Closes the connections kept. */
  close(): void {
    this.httpAgent?.destroy();
    this.httpsAgent?.destroy();
  }

  /** The server's own error, by its name and gRPC code. */
  private refusal(path: string, status: number, body: Json): OrgsError {
    const details = Array.isArray(body.details) ? body.details[0] : undefined;
    const name =
      typeof details?.name === 'string' && /^[a-z0-9_]+$/.test(details.name) ? details.name : `http_${status}`;
    const code = typeof body.code === 'number' ? body.code : undefined;
    const errorClass = (code === undefined ? undefined : classOfGrpcCode(code)) ?? classOfHttpStatus(status);
    const message = typeof body.message === 'string' ? body.message.replace(/^error:[^ ]+ \((.*)\)$/s, '$1') : '';
    return remote(errorClass, name, `${this.base}/${path}: ${message || `HTTP ${status}`}`);
  }

  private invalid(path: string, what: string): OrgsError {
    return remote(
      'unavailable',
      'invalid_response',
      `${this.base}/${path} answered ${what}, not The Things Stack's JSON`,
    );
  }
}

/** The fields every record has, as the file holds them. */
const FIELDS = 'name,description,attributes,administrative_contact,technical_contact';
function fieldsOf(answer: Json) {
  const attributes = answer.attributes && Object.keys(answer.attributes).length > 0 ? answer.attributes : undefined;
  return {
    name: answer.name || undefined,
    description: answer.description || undefined,
    attributes,
    administrativeContact: contactOf(answer.administrative_contact),
    technicalContact: contactOf(answer.technical_contact),
    deleted: answer.deleted_at !== undefined,
  };
}

/** `{"user_ids": {"user_id": …}}` or `{"organization_ids": …}`, as The Things Stack names a contact. */
function contactOf(ids: Json | undefined): CollaboratorIds | undefined {
  if (typeof ids?.user_ids?.user_id === 'string') return { kind: 'user', id: ids.user_ids.user_id };
  if (typeof ids?.organization_ids?.organization_id === 'string') {
    return { kind: 'organization', id: ids.organization_ids.organization_id };
  }
  return undefined;
}

/** A network error's own reason: its code (ECONNREFUSED, …), else its message. */
function causeOf(error: unknown): string {
  return (error as { code?: string }).code ?? (error as Error).message;
}
