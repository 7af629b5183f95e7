/**
 * The console's JSON API under /api/v3/: The Things Stack's HTTP paths (api/ttn/lorawan/v3/
 * *_services.proto) over the same core services as the CLI, answering as The Things Stack's Identity
 * Server does (lists wrapped in the message's field, X-Total-Count, `{}` for an empty answer), so
 * that its SDK and scripts work unchanged; the routes of `orgs` alone (access, reach, events,
 * registry) answer in the CLI's shapes.
 * Another adapter beside src/cli/: it parses a request into the core's request objects and
 * calls one service function; every rule stays the core's.
 *
 * Each route describes what it takes (its body's fields and their JSON types, its query
 * parameters), and every request is checked against that description in one place before a
 * handler sees it: a value of another type, a field or parameter the route does not know, a right
 * of another group is a 400, never a value the core would misread.
 */
import { invalidArgument, notFound } from '../core/errors.js';
import { KINDS, type EntityKind } from '../core/kinds.js';
import { KEY_OWNERS, type KeyOwnerKind } from '../core/key-owners.js';
import type { Listing } from '../core/paging.js';
import type { CollaboratorIds } from '../core/model.js';
import { CATALOGUE, ENTITY_GROUPS, type RightGroup } from '../core/rights.js';
import { quote } from '../core/validate.js';
import { accountOfView, apiKeyView, ENTITY_FIELDS, identifierView, ORGANIZATION_FIELDS } from '../core/views.js';
import { Rights } from '../core/rights.js';
import { keyOrganization, type Principal } from '../core/scope.js';
import type { Context } from '../app/context.js';
import type { Access } from '../core/access.js';
import type { ApplyRequest, RegistryFormat } from '../core/registry/service.js';
import { MAX_REGISTRY_BYTES } from '../app/registry-file.js';
import { API_KEY_PATHS, FIELD_MASK_PATHS } from './field-masks.js';

/** A request checked against its route's description: the query's values parsed, the body of the types described. */
interface ApiRequest {
  params: Record<string, string>;
  query: Record<string, any>;
  body: Record<string, any>;
  ctx: Context;
}

export interface ApiResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** An answer written as it is made (a download), in place of `body`: `write` takes each piece. */
  stream?: (write: (text: string) => Promise<void>) => Promise<void>;
}

type Handler = (request: ApiRequest) => Promise<ApiResponse>;

/** A request checked and ready to run: what remains is the store's work, as `ctx`. */
export type Work = (ctx: Context) => Promise<ApiResponse>;

/**
 * What a JSON value must be: a string, a boolean, a list, a map (any keys), one of some strings,
 * rights of some groups, or an object with only the fields named (each optional). `null` is none of them.
 */
type Shape =
  | 'string'
  | 'boolean'
  | { list: Shape }
  | { map: Shape }
  | { oneOf: readonly string[] }
  | { rights: ReadonlySet<string>; groups: readonly RightGroup[] }
  | { fields: Fields };
type Fields = { readonly [field: string]: Shape };

/**
 * A query parameter: a string, a whole number, a boolean (true, false, 1, 0, or no value: true), a
 * repeatable string, or one of some strings.
 */
type Param = 'string' | 'integer' | 'boolean' | 'strings' | { oneOf: readonly string[] };
type Params = { readonly [name: string]: Param };

/** What a route takes; without a description, no body field and no query parameter. */
interface Input {
  body?: Fields;
  query?: Params;
  /** A change of access: it takes `?dry_run=true` (ACCESS.md), and is then tried, nothing kept, its report the answer. */
  changesAccess?: true;
  /** The largest body it takes, in bytes, when larger than the server's default. */
  maxBodyBytes?: number;
}

const typeOf = (value: unknown) =>
  value === null
    ? 'null'
    : Array.isArray(value)
      ? 'an array'
      : typeof value === 'object'
        ? 'an object'
        : `a ${typeof value}`;

const invalidBody = (message: string) => invalidArgument('api', 'invalid_body', message);

/** Fails unless `value`, found at `where` in the body, is of `shape`. */
function checkValue(shape: Shape, value: unknown, where: string): void {
  const expected = (what: string) => {
    throw invalidBody(`${where} must be ${what}, not ${typeOf(value)}`);
  };
  if (shape === 'string' || shape === 'boolean') {
    if (typeof value !== shape) expected(`a ${shape}`);
  } else if ('list' in shape || 'rights' in shape) {
    if (!Array.isArray(value)) expected(`an array`);
    const element: Shape = 'list' in shape ? shape.list : 'string';
    (value as unknown[]).forEach((item, i) => checkValue(element, item, `${where}[${i}]`));
    if ('rights' in shape) checkRights(shape, value as string[], where);
  } else if ('oneOf' in shape) {
    if (typeof value !== 'string') expected(`a string`);
    if (!shape.oneOf.includes(value as string)) {
      throw invalidBody(`${where} must be one of ${shape.oneOf.join(', ')}, not ${quote(value as string)}`);
    }
  } else {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) expected('an object');
    for (const [key, item] of Object.entries(value as object)) {
      // Own fields only: `constructor` or `__proto__` in a body is no field of the description.
      const inner = 'map' in shape ? shape.map : Object.hasOwn(shape.fields, key) ? shape.fields[key] : undefined;
      const at = where === 'the body' ? key : `${where}.${key}`;
      if (inner === undefined) throw invalidBody(`${where} has no field ${quote(key)}`);
      checkValue(inner, item, at);
    }
  }
}

function checkRights(
  shape: { rights: ReadonlySet<string>; groups: readonly RightGroup[] },
  rights: string[],
  where: string,
) {
  for (const right of rights) {
    if (!shape.rights.has(right)) {
      throw invalidArgument(
        'api',
        'invalid_rights',
        `${where}: ${quote(right)} is not a right given here; these are: ${describeGroups(shape.groups)}`,
      );
    }
  }
}

/** `organization, application rights and RIGHT_ALL`. */
const describeGroups = (groups: readonly RightGroup[]) =>
  `${groups.filter((group) => group !== 'all').join(', ')} rights${groups.includes('all') ? ' and RIGHT_ALL' : ''}`;

/** Rights of these groups (`all`: RIGHT_ALL). */
const rightsOf = (...groups: RightGroup[]): Shape => ({
  rights: new Set(CATALOGUE.filter((r) => groups.includes(r.group)).map((r) => r.name)),
  groups,
});

/** The query string as the route describes it, parsed; anything else is a 400. */
function parseQuery(params: Params, query: URLSearchParams): Record<string, unknown> {
  const parsed: Record<string, unknown> = {};
  for (const name of new Set(query.keys())) {
    const kind = Object.hasOwn(params, name) ? params[name] : undefined;
    const values = query.getAll(name);
    const invalid = (why: string) => invalidArgument('api', `invalid_${name}`, `${name} ${why}`);
    if (kind === undefined) throw invalidArgument('api', 'invalid_query', `no query parameter ${quote(name)} here`);
    if (kind === 'strings') {
      parsed[name] = values;
      continue;
    }
    if (values.length > 1) throw invalid('is given more than once');
    const value = values[0]!;
    if (typeof kind === 'object') {
      if (!kind.oneOf.includes(value)) throw invalid(`must be one of ${kind.oneOf.join(', ')}, not ${quote(value)}`);
      parsed[name] = value;
    } else if (kind === 'integer') {
      if (!/^\d{1,15}$/.test(value)) throw invalid('must be a whole number');
      parsed[name] = Number(value);
    } else if (kind === 'boolean') {
      if (!['true', 'false', '1', '0', ''].includes(value)) throw invalid('must be true or false');
      parsed[name] = ['true', '1', ''].includes(value);
    } else {
      parsed[name] = value;
    }
  }
  return parsed;
}

interface Route {
  method: string;
  pattern: RegExp;
  names: string[];
  input: Input;
  handler: Handler;
}

const routes: Route[] = [];

/** `/organizations/{id}/rights` → a pattern with the named parameters; requests checked against `input`. */
function route(method: string, path: string, input: Input, handler: Handler): void {
  if (input.changesAccess) {
    input = { ...input, query: { ...input.query, dry_run: 'boolean' } };
    handler = triable(handler);
  }
  const names: string[] = [];
  const pattern = new RegExp(
    `^/api/v3${path.replace(/\{(\w+)\}/g, (_, name: string) => {
      names.push(name);
      return '([^/]+)';
    })}$`,
  );
  routes.push({ method, pattern, names, input, handler });
}

/**
 * The route for a method and path, or why there is none. Its `check` takes the query string and
 * the body, fails unless they are what the route describes, and gives the work that remains.
 */
export function findRoute(
  method: string,
  path: string,
):
  | { maxBodyBytes?: number; check(query: URLSearchParams, body: Record<string, unknown>): Work }
  | { error: 'not_found' | 'method_not_allowed' } {
  let pathMatched = false;
  for (const candidate of routes) {
    const match = candidate.pattern.exec(path);
    if (!match) continue;
    pathMatched = true;
    if (candidate.method !== method) continue;
    const params = Object.fromEntries(candidate.names.map((name, i) => [name, decodePathPart(match[i + 1]!)]));
    const { input, handler } = candidate;
    return {
      maxBodyBytes: input.maxBodyBytes,
      check(query, body) {
        checkValue({ fields: input.body ?? {} }, body, 'the body');
        const parsed = parseQuery(input.query ?? {}, query);
        return (ctx) => handler({ params, query: parsed, body, ctx });
      },
    };
  }
  return { error: pathMatched ? 'method_not_allowed' : 'not_found' };
}

function decodePathPart(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    throw invalidArgument('api', 'invalid_path', `${quote(part)} in the path is not a valid %-escape of UTF-8`);
  }
}

const ok = (body: unknown): ApiResponse => ({ status: 200, body });
/** The empty message: The Things Stack answers `200 {}` where a call returns nothing. */
const EMPTY = Object.freeze({});
const empty = (): ApiResponse => ok(EMPTY);

/** `work` tried, nothing kept (--dry-run, ACCESS.md): its result and the access it would change. */
async function tried<T>(ctx: Context, work: () => Promise<T>): Promise<{ result: T; access: unknown }> {
  const { DryRun } = await import('../core/dry-run.js');
  const trial = new DryRun();
  ctx.tryOnly(trial);
  const result = await work();
  return { result, access: trial.view() };
}

/** A change of access's handler, with `?dry_run=true` tried: nothing kept, its report the answer. */
function triable(handler: Handler): Handler {
  return async (request) => {
    if (!request.query.dry_run) return handler(request);
    const { result, access } = await tried(request.ctx, () => handler(request));
    // A dry run reports as the CLI's --dry-run does: nothing, for a change that returns nothing.
    return ok({ dry_run: true, result: result.body === EMPTY ? null : (result.body ?? null), access });
  };
}

/** What deletes, restores and purges a record, an organization or an entity. */
interface Lifecycle {
  delete(id: string): Promise<void>;
  restore(id: string): Promise<void>;
  purge(id: string): Promise<void>;
}

/** A record's delete, restore and purge: changes of access, each taking `?dry_run=true`. */
function lifecycleRoutes(path: string, service: (ctx: Context) => Promise<Lifecycle>): void {
  const each: Array<[string, string, keyof Lifecycle]> = [
    ['DELETE', path, 'delete'],
    ['POST', `${path}/restore`, 'restore'],
    ['DELETE', `${path}/purge`, 'purge'],
  ];
  for (const [method, at, action] of each) {
    route(method, at, { changesAccess: true }, async ({ ctx, params }) => {
      await (await service(ctx))[action](params.id!);
      return empty();
    });
  }
}

/** `access`'s answer (ours): the subjects and their rights (with their paths under `explain`), as the CLI prints them. */
async function accessAnswer(listing: Listing<Access>, explain: boolean): Promise<ApiResponse> {
  const { accessView } = await import('../core/access.js');
  return {
    status: 200,
    body: listing.items.map((access) => accessView(access, explain)),
    headers: pageHeaders(listing),
  };
}

/** The next page (ours), and the total (The Things Stack's X-Total-Count) when counted. */
function pageHeaders(listing: Listing<unknown>): Record<string, string> {
  const headers: Record<string, string> = {};
  if (listing.total !== undefined) headers['x-total-count'] = String(listing.total);
  if (listing.next) headers['x-next-page'] = String(listing.next.page);
  return headers;
}

/** A list as The Things Stack answers it: `{"<field>": […]}`, `{}` when empty (proto3 JSON), the total in X-Total-Count. */
const wrapped = (field: string, items: unknown[]) => (items.length > 0 ? { [field]: items } : {});
const listingOf = (field: string, listing: Listing<unknown>): ApiResponse => ({
  status: 200,
  body: wrapped(field, listing.items),
  headers: pageHeaders(listing),
});

/** `field_mask=name,description` or `field_mask.paths=name&field_mask.paths=description`, as grpc-gateway takes them. */
const FIELD_MASK: Params = { field_mask: 'string', 'field_mask.paths': 'strings' };

/**
 * The fields of `stored` a read's field mask selects. Every path The Things Stack allows for the
 * call (`allowed`) is accepted; `all` (ours) selects every field.
 */
function fieldMask<F extends string>(
  query: Record<string, any>,
  allowed: readonly string[],
  stored: readonly F[],
): Set<F> {
  const asked = [...((query.field_mask as string | undefined)?.split(',') ?? []), ...(query['field_mask.paths'] ?? [])]
    .map((path: string) => path.trim())
    .filter((path) => path !== '');
  if (asked.includes('all')) return new Set(stored);
  checkPaths(asked, allowed);
  // As The Things Stack reads them: `contact_info` (of older clients) selects both contacts.
  const paths = asked.flatMap((path) =>
    path === 'contact_info' ? ['administrative_contact', 'technical_contact'] : path,
  );
  return new Set(stored.filter((field) => paths.some((path) => path === field || path.startsWith(`${field}.`))));
}

function checkPaths(paths: readonly string[], allowed: readonly string[]): void {
  for (const path of paths) {
    if (!allowed.includes(path)) {
      throw invalidArgument('api', 'invalid_field_mask', `${quote(path)} is not a field mask path of this call`);
    }
  }
}

const PAGING: Params = { limit: 'integer', page: 'integer', order: 'string' };
/** Paging as The Things Stack takes it (limit 0: the default, page 0: the first), every result counted. */
const paging = (query: Record<string, any>) => ({
  limit: query.limit || undefined,
  page: query.page || undefined,
  order: query.order,
  count: true,
});

/** The substring filters of the search routes, named as The Things Stack names them. */
const FILTERS: Params = {
  query: 'string',
  id_contains: 'string',
  name_contains: 'string',
  description_contains: 'string',
  attributes_contain: 'strings',
};
function filters(query: Record<string, any>) {
  const attributes = ((query.attributes_contain ?? []) as string[]).map((pair) => {
    const at = pair.indexOf('=');
    if (at <= 0) throw invalidArgument('api', 'invalid_attributes_contain', 'attributes_contain takes key=value');
    return [pair.slice(0, at), pair.slice(at + 1)] as [string, string];
  });
  return {
    query: query.query,
    idContains: query.id_contains,
    nameContains: query.name_contains,
    descriptionContains: query.description_contains,
    attributesContain: attributes.length > 0 ? attributes : undefined,
  };
}

/** `{"user_ids": {"user_id": …}}` or `{"organization_ids": {"organization_id": …}}`: a contact. */
const CONTACT: Shape = {
  fields: {
    user_ids: { fields: { user_id: 'string' } },
    organization_ids: { fields: { organization_id: 'string' } },
  },
};

/** The fields of a record a body may set, by name. */
const RECORD: Fields = {
  name: 'string',
  description: 'string',
  attributes: { map: 'string' },
  administrative_contact: CONTACT,
  technical_contact: CONTACT,
};

/** A contact of a body, a user or an organization: exactly one of the two. */
function contactOf(contact: unknown, field: string): CollaboratorIds | undefined {
  if (contact === undefined) return undefined;
  const account = accountOfView(contact);
  if (!account) throw invalidBody(`${field} must name a user or an organization`);
  return account;
}

/**
 * `{<record>: {…}, field_mask: {paths: […]}}`: an update as The Things Stack takes it, any path it
 * allows in the mask; the record's identifiers and times may come along (the path names the record).
 */
const update = (member: string, idKey: string, fields: Fields, paths: readonly string[]): Fields => ({
  [member]: {
    fields: { ids: { fields: { [idKey]: 'string' } }, created_at: 'string', updated_at: 'string', ...fields },
  },
  field_mask: { fields: { paths: { list: { oneOf: paths } } } },
});

/** name, description, attributes of a record in a body. */
function recordFields(record: Record<string, any>) {
  return {
    name: record.name as string | undefined,
    description: record.description as string | undefined,
    attributes: record.attributes as Record<string, string> | undefined,
    administrativeContact: contactOf(record.administrative_contact, 'administrative_contact'),
    technicalContact: contactOf(record.technical_contact, 'technical_contact'),
  };
}

/**
 * An update as The Things Stack takes it: the record and `field_mask.paths`. A path given without
 * a value clears the field; attributes merge as `orgs set --attributes` (an empty value removes one).
 */
function changes(record: Record<string, any>, body: Record<string, any>) {
  const paths: string[] = body.field_mask?.paths ?? Object.keys(record);
  const given = recordFields(record);
  const unset = (['name', 'description', 'attributes', 'administrative_contact', 'technical_contact'] as const).filter(
    (field) => paths.includes(field) && record[field] === undefined,
  );
  return {
    name: paths.includes('name') ? given.name : undefined,
    description: paths.includes('description') ? given.description : undefined,
    attributes: paths.includes('attributes') ? given.attributes : undefined,
    administrativeContact: paths.includes('administrative_contact') ? given.administrativeContact : undefined,
    technicalContact: paths.includes('technical_contact') ? given.technicalContact : undefined,
    unset: unset.length > 0 ? unset : undefined,
  };
}

/** `{ids: {user_ids: {user_id}}}` or `{ids: {organization_ids: {organization_id}}}`, and rights. */
const collaboratorBody = (rights: Shape): Fields => ({
  collaborator: {
    fields: {
      ids: {
        fields: {
          user_ids: { fields: { user_id: 'string' } },
          organization_ids: { fields: { organization_id: 'string' } },
        },
      },
      rights,
    },
  },
});

function collaboratorIds(collaborator: Record<string, any>): { userId?: string; organizationId?: string } {
  return {
    userId: collaborator.ids?.user_ids?.user_id,
    organizationId: collaborator.ids?.organization_ids?.organization_id,
  };
}

/** An organization's members may hold its rights, those of what it may own, and RIGHT_ALL (its owners do). */
const MEMBER_RIGHTS = rightsOf(...ENTITY_GROUPS, 'all');
/** An organization's API keys: the rights of the organization and of what it may own. */

// Organizations (OrganizationRegistry, OrganizationAccess, EntityRegistrySearch).

/** AuthInfo (EntityAccess): how the caller authenticated, as The Things Stack describes it. */
route('GET', '/auth_info', {}, async ({ ctx }) =>
  ok(await (await ctx.session()).read(async ({ caller }) => authInfo(caller))),
);

function authInfo(caller: Principal): Record<string, unknown> | undefined {
  // An administrator's universal rights: every right, within its key's when it acts through one.
  const universal = (rights: Rights) => ({ universal_rights: { rights: rights.toArray() }, is_admin: true });
  if (caller.kind === 'admin') {
    // The local administrator: no credential, every right (The Things Stack has no such caller).
    return universal(Rights.all);
  }
  if (caller.kind === 'user' && caller.key === undefined) {
    return {
      user_session: { user_ids: { user_id: caller.user.id } },
      ...(caller.user.admin ? universal(Rights.all) : {}),
    };
  }
  const key = caller.key!;
  // The key's rights as The Things Stack gives them: implied ones included, the secret left out.
  const rights = Rights.of(key.rights).expand();
  const view: Record<string, unknown> = { ...apiKeyView(key), rights: rights.toArray() };
  delete view.last_used_at;
  return {
    api_key: { api_key: view, entity_ids: identifierView({ kind: key.ownerKind, id: key.ownerId }) },
    ...(caller.kind === 'user' && caller.user.admin ? universal(rights) : {}),
  };
}

/** What the Console's page needs besides the caller (ours): until when a deleted record can be restored. */
route('GET', '/console/settings', {}, async ({ ctx }) => ok({ restore_window_ms: ctx.settings.restoreWindowMs }));

const ORGANIZATION_PATHS = FIELD_MASK_PATHS.organization;

/**
 * An organization API key is, in The Things Stack, the collaborator whose organizations are
 * listed and searched: organizations do not nest, so a list is refused and a search finds none.
 */
const byOrganizationKey = async (ctx: Context) =>
  (await (await ctx.session()).read(async ({ caller }) => keyOrganization(caller))) !== undefined;

route(
  'GET',
  '/organizations',
  { query: { ...PAGING, ...FIELD_MASK, user_id: 'string', deleted: 'boolean' } },
  async ({ ctx, query }) => {
    if (query.user_id === undefined && (await byOrganizationKey(ctx))) {
      throw invalidArgument('organizations', 'nested_organizations', 'organizations can not be nested');
    }
    return listingOf(
      'organizations',
      await (
        await ctx.organizations()
      ).list({
        ...paging(query),
        userId: query.user_id,
        deleted: query.deleted ?? false,
        fields: fieldMask(query, ORGANIZATION_PATHS, ORGANIZATION_FIELDS),
      }),
    );
  },
);

route(
  'GET',
  '/users/{user_id}/organizations',
  { query: { ...PAGING, ...FIELD_MASK, deleted: 'boolean' } },
  async ({ ctx, query, params }) =>
    listingOf(
      'organizations',
      await (
        await ctx.organizations()
      ).list({
        ...paging(query),
        userId: params.user_id,
        deleted: query.deleted ?? false,
        fields: fieldMask(query, ORGANIZATION_PATHS, ORGANIZATION_FIELDS),
      }),
    ),
);

route(
  'GET',
  '/search/organizations',
  { query: { ...PAGING, ...FILTERS, ...FIELD_MASK, deleted: 'boolean' } },
  async ({ ctx, query }) => {
    const request = {
      ...paging(query),
      ...filters(query),
      deleted: query.deleted ?? false,
      fields: fieldMask(query, ORGANIZATION_PATHS, ORGANIZATION_FIELDS),
    };
    if (await byOrganizationKey(ctx)) return listingOf('organizations', { items: [], total: 0 });
    return listingOf('organizations', await (await ctx.organizations()).search(request));
  },
);

const ORGANIZATION_RECORD: Fields = { ...RECORD, fanout_notifications: 'boolean' };

route(
  'POST',
  '/users/{user_id}/organizations',
  { body: { organization: { fields: { ids: { fields: { organization_id: 'string' } }, ...ORGANIZATION_RECORD } } } },
  async ({ ctx, params, body }) => {
    const organization = body.organization ?? {};
    return ok(
      await (
        await ctx.organizations()
      ).create({
        organizationId: organization.ids?.organization_id,
        userId: params.user_id,
        ...recordFields(organization),
        fanoutNotifications: organization.fanout_notifications,
      }),
    );
  },
);

route('GET', '/organizations/{id}', { query: FIELD_MASK }, async ({ ctx, params, query }) =>
  ok(await (await ctx.organizations()).get(params.id, fieldMask(query, ORGANIZATION_PATHS, ORGANIZATION_FIELDS))),
);

route(
  'PUT',
  '/organizations/{id}',
  { body: update('organization', 'organization_id', ORGANIZATION_RECORD, ORGANIZATION_PATHS) },
  async ({ ctx, params, body }) => {
    const organization = body.organization ?? {};
    const paths: string[] = body.field_mask?.paths ?? Object.keys(organization);
    return ok(
      await (
        await ctx.organizations()
      ).update({
        organizationId: params.id,
        ...changes(organization, body),
        fanoutNotifications: paths.includes('fanout_notifications') ? organization.fanout_notifications : undefined,
      }),
    );
  },
);

lifecycleRoutes('/organizations/{id}', (ctx) => ctx.organizations());

route(
  'GET',
  '/organizations/{id}/access',
  { query: { limit: 'integer', page: 'integer', explain: 'boolean' } },
  async ({ ctx, params, query }) =>
    accessAnswer(
      await (await ctx.organizations()).access(params.id, { limit: query.limit, page: query.page }),
      query.explain === true,
    ),
);

route('GET', '/organizations/{id}/reach', { query: { explain: 'boolean' } }, async ({ ctx, params, query }) => {
  const { reachedView } = await import('../core/access.js');
  const { items, unlisted } = await (await ctx.organizations()).reach(params.id, {});
  const headers: Record<string, string> = unlisted.length > 0 ? { 'x-unlisted-kinds': unlisted.join(',') } : {};
  return { status: 200, body: items.map((item) => reachedView(item, query.explain === true)), headers };
});

route('GET', '/organizations/{id}/rights', {}, async ({ ctx, params }) =>
  ok(wrapped('rights', await (await ctx.organizations()).rights(params.id))),
);

route('GET', '/organizations/{id}/collaborators', { query: PAGING }, async ({ ctx, params, query }) =>
  listingOf('collaborators', await (await ctx.collaborators()).list({ organizationId: params.id, ...paging(query) })),
);

route('GET', '/organizations/{id}/collaborator/user/{user_id}', {}, async ({ ctx, params }) =>
  ok(await (await ctx.collaborators()).get({ organizationId: params.id, userId: params.user_id })),
);

/** SetCollaborator: the rights given; no rights removes the collaborator (The Things Stack's way). */
route(
  'PUT',
  '/organizations/{id}/collaborators',
  { body: collaboratorBody(MEMBER_RIGHTS), changesAccess: true },
  async ({ ctx, params, body }) => {
    const collaborator = body.collaborator ?? {};
    const { userId, organizationId } = collaboratorIds(collaborator);
    if (organizationId !== undefined) {
      throw invalidArgument('validate', 'nested_organizations', 'organizations cannot be nested, name a user');
    }
    const rights: string[] = collaborator.rights ?? [];
    const collaborators = await ctx.collaborators();
    if (rights.length === 0) await collaborators.delete({ organizationId: params.id, userId });
    else await collaborators.set({ organizationId: params.id, userId, rights });
    return empty();
  },
);

route(
  'DELETE',
  '/organizations/{id}/collaborators/user/{user_id}',
  { changesAccess: true },
  async ({ ctx, params }) => {
    await (await ctx.collaborators()).delete({ organizationId: params.id, userId: params.user_id });
    return empty();
  },
);

// API keys of users, organizations, applications and gateways: one set of routes per owner kind
// of the table in src/core/key-owners.ts.

function apiKeyRoutes(owner: KeyOwnerKind): void {
  const base = `/${owner.plural}/{id}/api-keys`;
  const service = (ctx: Context) => ctx.apiKeys(owner.name);
  const API_KEY: Fields = { name: 'string', rights: rightsOf(...owner.groups), expires_at: 'string' };

  route('GET', base, { query: PAGING }, async ({ ctx, params, query }) =>
    listingOf('api_keys', await (await service(ctx)).list({ ownerId: params.id, ...paging(query) })),
  );

  route('POST', base, { body: API_KEY }, async ({ ctx, params, body }) =>
    ok(
      await (
        await service(ctx)
      ).create({ ownerId: params.id, name: body.name, rights: body.rights ?? [], expiresAt: body.expires_at }),
    ),
  );

  route('GET', `${base}/{key_id}`, {}, async ({ ctx, params }) =>
    ok(await (await service(ctx)).get({ ownerId: params.id, apiKeyId: params.key_id })),
  );

  /**
   * UpdateAPIKey: the fields the mask names (all given without one). No rights, with `rights` in
   * the mask or no mask (as older clients send), deletes the key: The Things Stack's way.
   */
  route(
    'PUT',
    `${base}/{key_id}`,
    {
      body: {
        api_key: { fields: { ...API_KEY, id: 'string', created_at: 'string', updated_at: 'string' } },
        field_mask: { fields: { paths: { list: { oneOf: API_KEY_PATHS } } } },
      },
      changesAccess: true,
    },
    async ({ ctx, params, body }) => {
      const key = body.api_key ?? {};
      const paths: readonly string[] | undefined = body.field_mask?.paths;
      const named = (field: string) => paths === undefined || paths.includes(field);
      const keys = await service(ctx);
      const request = { ownerId: params.id, apiKeyId: params.key_id };
      if (named('rights') && (key.rights ?? []).length === 0) {
        await keys.delete(request);
        return empty();
      }
      await keys.update({
        ...request,
        name: named('name') ? key.name : undefined,
        rights: named('rights') ? key.rights : undefined,
        expiresAt: named('expires_at') ? key.expires_at : undefined,
      });
      return ok(await keys.get(request));
    },
  );

  route('DELETE', `${base}/{key_id}`, { changesAccess: true }, async ({ ctx, params }) => {
    await (await service(ctx)).delete({ ownerId: params.id, apiKeyId: params.key_id });
    return empty();
  });
}

for (const owner of KEY_OWNERS) apiKeyRoutes(owner);

// Applications, gateways and clients: one set of routes per kind of the table in src/core/kinds.ts.

function entityRoutes(kind: EntityKind): void {
  const plural = kind.command;
  const service = (ctx: Context) => ctx.entities(kind);
  const paths = FIELD_MASK_PATHS[kind.name];
  const LIST: Params = { ...PAGING, ...FIELD_MASK, deleted: 'boolean' };
  // Whose list: the route's collaborator, or `?user_id=`/`?organization_id=` (ours) on /{plural}.
  const listOf = (query: Record<string, any>, params: Record<string, string>) => ({
    ...paging(query),
    userId: params.user ?? query.user_id,
    organizationId: params.organization ?? query.organization_id,
    deleted: query.deleted ?? false,
    fields: fieldMask(query, paths, ENTITY_FIELDS),
  });
  const OWNED: Params = { ...LIST, user_id: 'string', organization_id: 'string' };
  const CREATE: Fields = { [kind.name]: { fields: { ids: { fields: { [kind.idKey]: 'string' } }, ...RECORD } } };
  const create =
    (owner: 'user' | 'organization'): Handler =>
    async ({ ctx, params, body }) => {
      const record = body[kind.name] ?? {};
      return ok(
        await (
          await service(ctx)
        ).create({
          entityId: record.ids?.[kind.idKey],
          ...(owner === 'user' ? { userId: params.owner } : { organizationId: params.owner }),
          ...recordFields(record),
        }),
      );
    };
  /** A collaborator in the path: `…/user/{id}` or `…/organization/{id}`. */
  const named = (params: Record<string, string>) => {
    if (params.type !== 'user' && params.type !== 'organization') throw notFound('api', 'not_found', 'no such route');
    return {
      entityId: params.id,
      ...(params.type === 'user' ? { userId: params.account } : { organizationId: params.account }),
    };
  };

  const list: Handler = async ({ ctx, query, params }) =>
    listingOf(plural, await (await service(ctx)).list(listOf(query, params)));
  route('GET', `/${plural}`, { query: OWNED }, list);
  route('GET', `/users/{user}/${plural}`, { query: LIST }, list);
  route('GET', `/organizations/{organization}/${plural}`, { query: LIST }, list);
  route('GET', `/search/${plural}`, { query: { ...OWNED, ...FILTERS } }, async ({ ctx, query, params }) =>
    listingOf(plural, await (await service(ctx)).search({ ...listOf(query, params), ...filters(query) })),
  );
  route('POST', `/users/{owner}/${plural}`, { body: CREATE }, create('user'));
  route('POST', `/organizations/{owner}/${plural}`, { body: CREATE }, create('organization'));
  route('GET', `/${plural}/{id}`, { query: FIELD_MASK }, async ({ ctx, params, query }) =>
    ok(await (await service(ctx)).get(params.id, fieldMask(query, paths, ENTITY_FIELDS))),
  );
  route(
    'PUT',
    `/${plural}/{id}`,
    { body: update(kind.name, kind.idKey, RECORD, paths) },
    async ({ ctx, params, body }) =>
      ok(await (await service(ctx)).update({ entityId: params.id, ...changes(body[kind.name] ?? {}, body) })),
  );
  lifecycleRoutes(`/${plural}/{id}`, service);
  route(
    'GET',
    `/${plural}/{id}/access`,
    { query: { limit: 'integer', page: 'integer', explain: 'boolean' } },
    async ({ ctx, params, query }) =>
      accessAnswer(
        await (await service(ctx)).access(params.id, { limit: query.limit, page: query.page }),
        query.explain === true,
      ),
  );
  route(
    'GET',
    `/${plural}/{id}/rights`,
    { query: { user_id: 'string', organization_id: 'string', explain: 'boolean' } },
    async ({ ctx, params, query }) => {
      const effective = await (
        await service(ctx)
      ).rights({ entityId: params.id, userId: query.user_id, organizationId: query.organization_id });
      if (!query.explain) return ok(wrapped('rights', effective.rights.toArray()));
      const { explanationView } = await import('../core/effective-rights.js');
      return ok(explanationView(effective));
    },
  );
  route('GET', `/${plural}/{id}/collaborators`, { query: PAGING }, async ({ ctx, params, query }) =>
    listingOf('collaborators', await (await service(ctx)).listCollaborators({ entityId: params.id, ...paging(query) })),
  );
  route('GET', `/${plural}/{id}/collaborator/{type}/{account}`, {}, async ({ ctx, params }) =>
    ok(await (await service(ctx)).getCollaborator(named(params))),
  );
  route(
    'PUT',
    `/${plural}/{id}/collaborators`,
    { body: collaboratorBody(rightsOf(kind.group)), changesAccess: true },
    async ({ ctx, params, body }) => {
      const collaborator = body.collaborator ?? {};
      const request = { entityId: params.id, ...collaboratorIds(collaborator) };
      const rights: string[] = collaborator.rights ?? [];
      // No rights removes the collaborator (The Things Stack's way).
      if (rights.length === 0) await (await service(ctx)).deleteCollaborator(request);
      else await (await service(ctx)).setCollaborator({ ...request, rights });
      return empty();
    },
  );
  route(
    'DELETE',
    `/${plural}/{id}/collaborators/{type}/{account}`,
    { changesAccess: true },
    async ({ ctx, params }) => {
      await (await service(ctx)).deleteCollaborator(named(params));
      return empty();
    },
  );
}

for (const kind of KINDS) entityRoutes(kind);

// The audit trail (ours: The Things Stack streams events and keeps none).

const EVENT_IDENTIFIERS = ['organization', 'user', ...KINDS.map((k) => k.name)] as const;

route(
  'GET',
  '/events',
  {
    query: {
      ...Object.fromEntries(EVENT_IDENTIFIERS.map((kind) => [`${kind}_id`, 'strings' as const])),
      names: 'string',
      after: 'string',
      tail: 'integer',
    },
  },
  async ({ ctx, query }) => {
    const identifiers = EVENT_IDENTIFIERS.flatMap((kind) =>
      ((query[`${kind}_id`] ?? []) as string[]).map((id) => ({ kind, id })),
    );
    const events: unknown[] = [];
    await (
      await ctx.events()
    ).history(
      {
        identifiers: identifiers.length > 0 ? identifiers : undefined,
        names: query.names,
        after: query.after,
        tail: query.tail,
      },
      async (views) => void events.push(...views),
    );
    return ok(events);
  },
);

// The registry as a file (REGISTRY.md; ours: The Things Stack has none): `orgs export`, `plan`, `apply`.

/** What an export downloads as, by format. */
const DOWNLOADS: Record<RegistryFormat, { type: string; file: string }> = {
  yaml: { type: 'application/yaml; charset=utf-8', file: 'registry.yaml' },
  json: { type: 'application/json; charset=utf-8', file: 'registry.json' },
  'ttn-lw-cli': { type: 'text/x-shellscript; charset=utf-8', file: 'registry.sh' },
};

route(
  'GET',
  '/registry/export',
  {
    query: {
      format: { oneOf: Object.keys(DOWNLOADS) },
      deleted: 'boolean',
      api_keys: 'boolean',
      organization_id: 'strings',
      ...Object.fromEntries(KINDS.map((kind) => [kind.idKey, 'strings' as const])),
    },
  },
  async ({ ctx, query }) => {
    const format: RegistryFormat = query.format ?? 'yaml';
    const entityIds = Object.fromEntries(
      KINDS.filter((kind) => query[kind.idKey] !== undefined).map((kind) => [kind.name, query[kind.idKey]]),
    );
    const registry = await ctx.registry();
    const request = {
      format,
      deleted: query.deleted ?? false,
      apiKeys: query.api_keys ?? true,
      // Named records only when some are named; the core takes a missing list as none of that kind.
      organizationIds: query.organization_id,
      entityIds: Object.keys(entityIds).length > 0 ? entityIds : undefined,
    };
    return {
      status: 200,
      headers: {
        'content-type': DOWNLOADS[format].type,
        'content-disposition': `attachment; filename="${DOWNLOADS[format].file}"`,
      },
      stream: (write) => registry.export(request, write),
    };
  },
);

/**
 * A registry file in a body: its text, the name its errors give it, `prune`. At most the CLI's
 * 64 MiB: the text of a JSON body is never longer than the body.
 */
const REGISTRY_FILE: Input = {
  body: { file: 'string', file_name: 'string', prune: 'boolean' },
  maxBodyBytes: MAX_REGISTRY_BYTES,
};

async function registryRequest(body: Record<string, any>): Promise<ApplyRequest> {
  const { parseRegistry } = await import('../core/registry/parse.js');
  const file: string = body.file_name ?? 'registry';
  return { document: await parseRegistry(body.file ?? '', file), file, prune: body.prune === true };
}

/** `orgs plan`'s answer: the changes apply would make and the access they would change; nothing kept. */
route('POST', '/registry/plan', REGISTRY_FILE, async ({ ctx, body }) => {
  const request = await registryRequest(body);
  const { result, access } = await tried(ctx, async () => (await ctx.registry()).apply(request));
  return ok({ changes: result, access });
});

/** `orgs apply`: all or nothing; `?dry_run=true` is the plan, in the dry run's form. */
route('POST', '/registry/apply', { ...REGISTRY_FILE, changesAccess: true }, async ({ ctx, body }) =>
  ok({ changes: await (await ctx.registry()).apply(await registryRequest(body)) }),
);
