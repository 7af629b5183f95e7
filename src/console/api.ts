/**
 * The console's JSON API under /api/v3/: The Things Stack's HTTP paths (api/ttn/lorawan/v3/
 * *_services.proto) over the same core services as the CLI, answering the CLI's JSON shapes.
 * Another adapter beside src/cli/: it parses a request into the core's request objects and
 * calls one service function; every rule stays the core's.
 */
import { invalidArgument, notFound } from '../core/errors.js';
import { KINDS, type EntityKind } from '../core/kinds.js';
import type { Listing } from '../core/paging.js';
import { ENTITY_FIELDS, ORGANIZATION_FIELDS, type OrganizationField } from '../core/views.js';
import type { Context } from '../cli/context.js';

/** What a handler gets: the path's parameters, the query string, the JSON body, and the caller's services. */
export interface ApiRequest {
  params: Record<string, string>;
  query: URLSearchParams;
  body: Record<string, any>;
  ctx: Context;
}

export interface ApiResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

type Handler = (request: ApiRequest) => Promise<ApiResponse>;

interface Route {
  method: string;
  pattern: RegExp;
  names: string[];
  handler: Handler;
}

const routes: Route[] = [];

/** `/organizations/{id}/rights` → a pattern with the named parameters. */
function route(method: string, path: string, handler: Handler): void {
  const names: string[] = [];
  const pattern = new RegExp(
    `^/api/v3${path.replace(/\{(\w+)\}/g, (_, name: string) => {
      names.push(name);
      return '([^/]+)';
    })}$`,
  );
  routes.push({ method, pattern, names, handler });
}

/** The route for a method and path: its handler and parameters, or why there is none. */
export function findRoute(
  method: string,
  path: string,
): { handler: Handler; params: Record<string, string> } | { error: 'not_found' | 'method_not_allowed' } {
  let pathMatched = false;
  for (const candidate of routes) {
    const match = candidate.pattern.exec(path);
    if (!match) continue;
    pathMatched = true;
    if (candidate.method !== method) continue;
    const params = Object.fromEntries(candidate.names.map((name, i) => [name, decodeURIComponent(match[i + 1]!)]));
    return { handler: candidate.handler, params };
  }
  return { error: pathMatched ? 'method_not_allowed' : 'not_found' };
}

const ok = (body: unknown): ApiResponse => ({ status: 200, body });
const noContent = (): ApiResponse => ({ status: 204 });

/** A listing as the CLI prints it (an array), the next page in a header when there is one. */
function listing(result: Listing<unknown>): ApiResponse {
  const headers: Record<string, string> = {};
  if (result.next) headers['x-next-page'] = String(result.next.page);
  return { status: 200, body: result.items, headers };
}

const integer = (query: URLSearchParams, name: string): number | undefined => {
  const value = query.get(name);
  if (value === null) return undefined;
  if (!/^\d{1,15}$/.test(value)) throw invalidArgument('api', `invalid_${name}`, `${name} must be a whole number`);
  return Number(value);
};

const flag = (query: URLSearchParams, name: string): boolean => ['true', '1', ''].includes(query.get(name) ?? 'no');

/** `field_mask=name,description` (The Things Stack's field mask), or every field with `all`. */
function fieldMask(query: URLSearchParams, fields: readonly OrganizationField[]): Set<OrganizationField> {
  const mask = query.get('field_mask');
  if (mask === null) return new Set();
  const asked = mask.split(',').map((f) => f.trim());
  if (asked.includes('all')) return new Set(fields);
  for (const field of asked) {
    if (!fields.includes(field as OrganizationField)) {
      throw invalidArgument('api', 'invalid_field_mask', `unknown field ${JSON.stringify(field)} in field_mask`);
    }
  }
  return new Set(asked as OrganizationField[]);
}

const paging = (query: URLSearchParams) => ({
  limit: integer(query, 'limit'),
  page: integer(query, 'page'),
  order: query.get('order') ?? undefined,
});

/** The substring filters of the search routes, named as The Things Stack names them. */
function filters(query: URLSearchParams) {
  const attributes = query.getAll('attributes_contain').map((pair) => {
    const at = pair.indexOf('=');
    if (at <= 0) throw invalidArgument('api', 'invalid_attributes_contain', 'attributes_contain takes key=value');
    return [pair.slice(0, at), pair.slice(at + 1)] as [string, string];
  });
  return {
    query: query.get('query') ?? undefined,
    idContains: query.get('id_contains') ?? undefined,
    nameContains: query.get('name_contains') ?? undefined,
    descriptionContains: query.get('description_contains') ?? undefined,
    attributesContain: attributes.length > 0 ? attributes : undefined,
  };
}

/** An object member of the body (`organization`, `collaborator`, …), or an empty one. */
function member(body: Record<string, any>, name: string): Record<string, any> {
  const value = body[name];
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalidArgument('api', 'invalid_body', `${name} must be an object`);
  }
  return value;
}

/** name, description, attributes (and more) of a record in a body. */
function recordFields(record: Record<string, any>) {
  return {
    name: record.name as string | undefined,
    description: record.description as string | undefined,
    attributes: record.attributes as Record<string, string> | undefined,
  };
}

/**
 * An update as The Things Stack takes it: the record and `field_mask.paths`. A path given without
 * a value clears the field; attributes merge as `orgs set --attributes` (an empty value removes one).
 */
function changes(record: Record<string, any>, body: Record<string, any>) {
  const paths: string[] = member(body, 'field_mask').paths ?? Object.keys(record);
  const given = recordFields(record);
  const unset = (['name', 'description', 'attributes'] as const).filter(
    (field) => paths.includes(field) && record[field] === undefined,
  );
  return {
    name: paths.includes('name') ? given.name : undefined,
    description: paths.includes('description') ? given.description : undefined,
    attributes: paths.includes('attributes') ? given.attributes : undefined,
    unset: unset.length > 0 ? unset : undefined,
  };
}

const rights = (body: Record<string, any>): string[] => {
  const value = body.rights ?? [];
  if (!Array.isArray(value) || value.some((r) => typeof r !== 'string')) {
    throw invalidArgument('api', 'invalid_rights', 'rights must be an array of right names');
  }
  return value;
};

/** `{ids: {user_ids: {user_id}}}` or `{ids: {organization_ids: {organization_id}}}`. */
function collaboratorIds(collaborator: Record<string, any>): { userId?: string; organizationId?: string } {
  const ids = member(collaborator, 'ids');
  return { userId: ids.user_ids?.user_id, organizationId: ids.organization_ids?.organization_id };
}

// Organizations (OrganizationRegistry, OrganizationAccess, EntityRegistrySearch).

// The restore window too: the Console says until when a deleted record can be restored.
route('GET', '/auth_info', async ({ ctx }) =>
  ok({ ...(await (await ctx.session()).whoami()), restore_window_ms: ctx.settings.restoreWindowMs }),
);

route('GET', '/organizations', async ({ ctx, query }) =>
  listing(
    await (
      await ctx.organizations()
    ).list({
      ...paging(query),
      userId: query.get('user_id') ?? undefined,
      deleted: flag(query, 'deleted'),
      fields: fieldMask(query, ORGANIZATION_FIELDS),
    }),
  ),
);

route('GET', '/users/{user_id}/organizations', async ({ ctx, query, params }) =>
  listing(
    await (
      await ctx.organizations()
    ).list({ ...paging(query), userId: params.user_id, fields: fieldMask(query, ORGANIZATION_FIELDS) }),
  ),
);

route('GET', '/search/organizations', async ({ ctx, query }) =>
  listing(
    await (
      await ctx.organizations()
    ).search({
      ...paging(query),
      ...filters(query),
      deleted: flag(query, 'deleted'),
      fields: fieldMask(query, ORGANIZATION_FIELDS),
    }),
  ),
);

route('POST', '/users/{user_id}/organizations', async ({ ctx, params, body }) => {
  const organization = member(body, 'organization');
  const created = await (
    await ctx.organizations()
  ).create({
    organizationId: organization.ids?.organization_id,
    userId: params.user_id,
    ...recordFields(organization),
    fanoutNotifications: organization.fanout_notifications,
  });
  return { status: 201, body: created };
});

route('GET', '/organizations/{id}', async ({ ctx, params, query }) =>
  ok(await (await ctx.organizations()).get(params.id, fieldMask(query, ORGANIZATION_FIELDS))),
);

route('PUT', '/organizations/{id}', async ({ ctx, params, body }) => {
  const organization = member(body, 'organization');
  const paths: string[] = member(body, 'field_mask').paths ?? Object.keys(organization);
  return ok(
    await (
      await ctx.organizations()
    ).update({
      organizationId: params.id,
      ...changes(organization, body),
      fanoutNotifications: paths.includes('fanout_notifications') ? organization.fanout_notifications : undefined,
    }),
  );
});

route('DELETE', '/organizations/{id}', async ({ ctx, params }) => {
  await (await ctx.organizations()).delete(params.id);
  return noContent();
});

route('POST', '/organizations/{id}/restore', async ({ ctx, params }) => {
  await (await ctx.organizations()).restore(params.id);
  return noContent();
});

route('DELETE', '/organizations/{id}/purge', async ({ ctx, params }) => {
  await (await ctx.organizations()).purge(params.id);
  return noContent();
});

route('GET', '/organizations/{id}/rights', async ({ ctx, params }) =>
  ok(await (await ctx.organizations()).rights(params.id)),
);

route('GET', '/organizations/{id}/collaborators', async ({ ctx, params, query }) =>
  listing(await (await ctx.collaborators()).list({ organizationId: params.id, ...paging(query) })),
);

route('GET', '/organizations/{id}/collaborator/user/{user_id}', async ({ ctx, params }) =>
  ok(await (await ctx.collaborators()).get({ organizationId: params.id, userId: params.user_id })),
);

route('PUT', '/organizations/{id}/collaborators', async ({ ctx, params, body }) => {
  const collaborator = member(body, 'collaborator');
  const { userId, organizationId } = collaboratorIds(collaborator);
  if (organizationId !== undefined) {
    throw invalidArgument('validate', 'nested_organizations', 'organizations cannot be nested, name a user');
  }
  await (await ctx.collaborators()).set({ organizationId: params.id, userId, rights: rights(collaborator) });
  return noContent();
});

route('DELETE', '/organizations/{id}/collaborators/user/{user_id}', async ({ ctx, params }) => {
  await (await ctx.collaborators()).delete({ organizationId: params.id, userId: params.user_id });
  return noContent();
});

route('GET', '/organizations/{id}/api-keys', async ({ ctx, params, query }) =>
  listing(await (await ctx.apiKeys()).list({ organizationId: params.id, ...paging(query) })),
);

route('POST', '/organizations/{id}/api-keys', async ({ ctx, params, body }) => ({
  status: 201,
  body: await (
    await ctx.apiKeys()
  ).create({ organizationId: params.id, name: body.name, rights: rights(body), expiresAt: body.expires_at }),
}));

route('GET', '/organizations/{id}/api-keys/{key_id}', async ({ ctx, params }) =>
  ok(await (await ctx.apiKeys()).get({ organizationId: params.id, apiKeyId: params.key_id })),
);

route('PUT', '/organizations/{id}/api-keys/{key_id}', async ({ ctx, params, body }) => {
  const key = member(body, 'api_key');
  const keys = await ctx.apiKeys();
  const request = { organizationId: params.id, apiKeyId: params.key_id };
  await keys.update({
    ...request,
    name: key.name,
    rights: key.rights === undefined ? undefined : rights(key),
    expiresAt: key.expires_at,
  });
  return ok(await keys.get(request));
});

route('DELETE', '/organizations/{id}/api-keys/{key_id}', async ({ ctx, params }) => {
  await (await ctx.apiKeys()).delete({ organizationId: params.id, apiKeyId: params.key_id });
  return noContent();
});

// Applications, gateways and clients: one set of routes per kind of the table in src/core/kinds.ts.

function entityRoutes(kind: EntityKind): void {
  const plural = kind.command;
  const service = (ctx: Context) => ctx.entities(kind);
  const listOf = (query: URLSearchParams) => ({
    ...paging(query),
    userId: query.get('user_id') ?? undefined,
    organizationId: query.get('organization_id') ?? undefined,
    deleted: flag(query, 'deleted'),
    fields: fieldMask(query, ENTITY_FIELDS),
  });
  const create =
    (owner: 'user' | 'organization'): Handler =>
    async ({ ctx, params, body }) => {
      const record = member(body, kind.name);
      const created = await (
        await service(ctx)
      ).create({
        entityId: record.ids?.[kind.idKey],
        ...(owner === 'user' ? { userId: params.owner } : { organizationId: params.owner }),
        ...recordFields(record),
      });
      return { status: 201, body: created };
    };
  /** A collaborator in the path: `…/user/{id}` or `…/organization/{id}`. */
  const named = (params: Record<string, string>) => {
    if (params.type !== 'user' && params.type !== 'organization') throw notFound('api', 'not_found', 'no such route');
    return {
      entityId: params.id,
      ...(params.type === 'user' ? { userId: params.account } : { organizationId: params.account }),
    };
  };

  route('GET', `/${plural}`, async ({ ctx, query }) => listing(await (await service(ctx)).list(listOf(query))));
  route('GET', `/search/${plural}`, async ({ ctx, query }) =>
    listing(await (await service(ctx)).search({ ...listOf(query), ...filters(query) })),
  );
  route('POST', `/users/{owner}/${plural}`, create('user'));
  route('POST', `/organizations/{owner}/${plural}`, create('organization'));
  route('GET', `/${plural}/{id}`, async ({ ctx, params, query }) =>
    ok(await (await service(ctx)).get(params.id, fieldMask(query, ENTITY_FIELDS))),
  );
  route('PUT', `/${plural}/{id}`, async ({ ctx, params, body }) =>
    ok(await (await service(ctx)).update({ entityId: params.id, ...changes(member(body, kind.name), body) })),
  );
  route('DELETE', `/${plural}/{id}`, async ({ ctx, params }) => {
    await (await service(ctx)).delete(params.id);
    return noContent();
  });
  route('POST', `/${plural}/{id}/restore`, async ({ ctx, params }) => {
    await (await service(ctx)).restore(params.id);
    return noContent();
  });
  route('DELETE', `/${plural}/{id}/purge`, async ({ ctx, params }) => {
    await (await service(ctx)).purge(params.id);
    return noContent();
  });
  route('GET', `/${plural}/{id}/rights`, async ({ ctx, params, query }) => {
    const effective = await (
      await service(ctx)
    ).rights({
      entityId: params.id,
      userId: query.get('user_id') ?? undefined,
      organizationId: query.get('organization_id') ?? undefined,
    });
    if (!flag(query, 'explain')) return ok(effective.rights.toArray());
    const { explanationView } = await import('../core/effective-rights.js');
    return ok(explanationView(effective));
  });
  route('GET', `/${plural}/{id}/collaborators`, async ({ ctx, params, query }) =>
    listing(await (await service(ctx)).listCollaborators({ entityId: params.id, ...paging(query) })),
  );
  route('GET', `/${plural}/{id}/collaborator/{type}/{account}`, async ({ ctx, params }) =>
    ok(await (await service(ctx)).getCollaborator(named(params))),
  );
  route('PUT', `/${plural}/{id}/collaborators`, async ({ ctx, params, body }) => {
    const collaborator = member(body, 'collaborator');
    await (
      await service(ctx)
    ).setCollaborator({ entityId: params.id, ...collaboratorIds(collaborator), rights: rights(collaborator) });
    return noContent();
  });
  route('DELETE', `/${plural}/{id}/collaborators/{type}/{account}`, async ({ ctx, params }) => {
    await (await service(ctx)).deleteCollaborator(named(params));
    return noContent();
  });
}

for (const kind of KINDS) entityRoutes(kind);

// The audit trail (ours: The Things Stack streams events and keeps none).

route('GET', '/events', async ({ ctx, query }) => {
  const identifiers = (['organization', 'user', ...KINDS.map((k) => k.name)] as const).flatMap((kind) =>
    query.getAll(`${kind}_id`).map((id) => ({ kind, id })),
  );
  const events: unknown[] = [];
  await (
    await ctx.events()
  ).history(
    {
      identifiers: identifiers.length > 0 ? identifiers : undefined,
      names: query.get('names') ?? undefined,
      after: query.get('after') ?? undefined,
      tail: integer(query, 'tail'),
    },
    async (views) => void events.push(...views),
  );
  return ok(events);
});
