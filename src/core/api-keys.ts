/**
 * Organization API keys: credentials with their own rights on their own organization. A key can
 * only get rights its creator holds, and the secret is shown once, at creation.
 */
import { requireHeldChange } from './collaborators.js';
import { recordEvent } from './events.js';
import type { NewEvent } from './model.js';
import { invalidArgument, notFound, permissionDenied } from './errors.js';
import type { ReachRequest, Reached } from './access.js';
import type { ApiKey } from './model.js';
import type { OrganizationService } from './organizations.js';
import { orderOf, paginate, type Listing, type PageRequest } from './paging.js';
import { Rights } from './rights.js';
import { requireRights, type Scope, type Session } from './session.js';
import type { ApiKeyOrderField } from './store.js';
import { generateToken, hashSecret } from './tokens.js';
import * as validate from './validate.js';
import { apiKeyView } from './views.js';

const NS = 'api_keys';
export const API_KEY_ORDERS: readonly ApiKeyOrderField[] = ['api_key_id', 'name', 'created_at', 'expires_at'];
const MANAGE = 'RIGHT_ORGANIZATION_SETTINGS_API_KEYS';

export interface ApiKeyRequest {
  organizationId?: string;
  apiKeyId?: string;
}

export interface ApiKeyInput {
  name?: string;
  /** Replaces the key's rights when given. */
  rights?: readonly string[];
  /** RFC 3339, in the future. */
  expiresAt?: string;
}

export interface ApiKeyListRequest extends PageRequest {
  organizationId?: string;
  order?: string;
}

type View = Record<string, unknown>;

/** `organization.api-key.create|update` carry the key as printed (never its secret); `.delete` its ID. */
function apiKeyEvent(action: 'create' | 'update' | 'delete', key: ApiKey): NewEvent {
  return {
    name: `organization.api-key.${action}`,
    identifiers: [{ kind: 'organization', id: key.organizationId }],
    data: action === 'delete' ? { id: key.id } : apiKeyView(key),
    visibility: [MANAGE],
  };
}

function checkRights(rights: readonly string[]): Rights {
  if (rights.length === 0)
    throw invalidArgument(NS, 'no_api_key_rights', 'an API key needs at least one --right-* flag');
  const set = Rights.of(rights);
  if (set.size !== rights.length) throw invalidArgument(NS, 'duplicate_rights', 'a right is given twice');
  return set;
}

function checkExpiry(text: string | undefined, now: number): number | undefined {
  if (text === undefined) return undefined;
  const expiresAt = validate.expiryDate(text);
  if (expiresAt <= now) throw invalidArgument(NS, 'expiry_date_invalid', `expiry ${text} is not in the future`);
  return expiresAt;
}

/**
 * Fails unless the caller holds every right of the key, so that managing keys never lets a caller
 * destroy a key that can do more than they can.
 */
function requireEveryKeyRight({ key, held }: { key: ApiKey; held: Rights }, what: string): void {
  const missing = Rights.of(key.rights).expand().minus(held);
  if (missing.size > 0) {
    throw permissionDenied(
      'auth',
      'insufficient_rights',
      `API key ${key.id} holds rights the caller does not (${missing.summary()}); only a caller holding all of them can ${what}`,
    );
  }
}

export class ApiKeyService {
  constructor(
    private readonly session: Session,
    private readonly organizations: OrganizationService,
  ) {}

  /** Creates a key; the view it returns holds the token, which is never shown again. */
  async create(request: ApiKeyRequest & ApiKeyInput): Promise<View> {
    const organizationId = validate.organizationId(request.organizationId);
    const rights = checkRights(request.rights ?? []);
    if (request.name !== undefined) validate.text('name', request.name, validate.LIMITS.apiKeyName);
    return this.session.write(async (scope) => {
      const expiresAt = checkExpiry(request.expiresAt, scope.now);
      await this.organizations.live(scope, organizationId);
      const held = await requireRights(scope, organizationId, MANAGE);
      if (!held.includesAll(rights.expand())) {
        throw permissionDenied('auth', 'insufficient_rights', 'an API key cannot get rights its creator does not hold');
      }
      const token = generateToken();
      const key: ApiKey = {
        id: token.id,
        organizationId,
        name: request.name || undefined,
        rights: rights.toArray(),
        secretHash: hashSecret(token.secret),
        createdAt: scope.now,
        updatedAt: scope.now,
        expiresAt,
      };
      await scope.tx.insertApiKey(key);
      await recordEvent(scope, apiKeyEvent('create', key));
      return apiKeyView(key, token.text);
    });
  }

  async list(request: ApiKeyListRequest): Promise<Listing<View>> {
    const organizationId = validate.organizationId(request.organizationId);
    const order = orderOf(request.order, API_KEY_ORDERS, 'api_key_id');
    return this.session.read(async (scope) => {
      await this.organizations.live(scope, organizationId);
      await requireRights(scope, organizationId, MANAGE);
      const listing = await paginate(request, (page) => scope.tx.listApiKeys({ organizationId, order, ...page }));
      return { ...listing, items: listing.items.map((key) => apiKeyView(key)) };
    });
  }

  async get(request: ApiKeyRequest): Promise<View> {
    const ids = this.ids(request);
    return this.session.read(async (scope) => apiKeyView((await this.managed(scope, ids)).key));
  }

  /** `api-keys reach`: the organization and entities the key holds a right on (ACCESS.md). Needs RIGHT_ORGANIZATION_SETTINGS_API_KEYS. */
  async reach(request: ApiKeyRequest & ReachRequest): Promise<Reached[]> {
    const ids = this.ids(request);
    const { apiKeyReach } = await import('./access.js');
    return this.session.read(async (scope) => apiKeyReach(scope, (await this.managed(scope, ids)).key, request));
  }

  /**
   * Changes the name, expiry or rights of a key. As The Things Stack: each right added or removed
   * must be held, so rights one holds may be traded on a key that holds others too. Changing the
   * expiry needs every right of the key: a weaker manager may not cut a stronger key's life short.
   */
  async update(request: ApiKeyRequest & ApiKeyInput): Promise<void> {
    const ids = this.ids(request);
    const rights = request.rights === undefined ? undefined : checkRights(request.rights);
    if (request.name !== undefined) validate.text('name', request.name, validate.LIMITS.apiKeyName);
    if (request.name === undefined && rights === undefined && request.expiresAt === undefined) {
      throw invalidArgument(NS, 'no_fields', 'nothing to set: give --name, --api-key-expiry or --right-* flags');
    }
    await this.session.write(async (scope) => {
      const expiresAt = checkExpiry(request.expiresAt, scope.now);
      const managed = await this.managed(scope, ids);
      const { key, held } = managed;
      if (rights) requireHeldChange(held, Rights.of(key.rights), rights, `API key ${key.id}`);
      if (expiresAt !== undefined) requireEveryKeyRight(managed, 'change its expiry');
      const next: ApiKey = {
        ...key,
        name: request.name === undefined ? key.name : request.name || undefined,
        rights: rights ? rights.toArray() : key.rights,
        expiresAt: expiresAt ?? key.expiresAt,
        updatedAt: scope.now,
      };
      await scope.tx.updateApiKey(next);
      await recordEvent(scope, apiKeyEvent('update', next));
    });
  }

  /**
   * Deletes a key. `confirm`, when given, is asked once the caller is known to be allowed, outside
   * any transaction (no write lock held while a person thinks); the delete then checks again.
   */
  async delete(request: ApiKeyRequest, confirm?: (apiKeyId: string) => Promise<void>): Promise<void> {
    const ids = this.ids(request);
    if (confirm) {
      await this.session.read((scope) => this.deletable(scope, ids));
      await confirm(ids.apiKeyId);
    }
    await this.session.write(async (scope) => {
      const key = await this.deletable(scope, ids);
      await scope.tx.deleteApiKey(key.id);
      await recordEvent(scope, apiKeyEvent('delete', key));
    });
  }

  private ids(request: ApiKeyRequest): { organizationId: string; apiKeyId: string } {
    const organizationId = validate.organizationId(request.organizationId);
    const apiKeyId = request.apiKeyId;
    if (!apiKeyId) throw invalidArgument(NS, 'no_api_key_id', 'no API key ID given');
    return { organizationId, apiKeyId };
  }

  /** The organization's key, once the caller is known to manage its keys, and the caller's rights. */
  private async managed(
    scope: Scope,
    ids: { organizationId: string; apiKeyId: string },
  ): Promise<{ key: ApiKey; held: Rights }> {
    await this.organizations.live(scope, ids.organizationId);
    const held = await requireRights(scope, ids.organizationId, MANAGE);
    const key = await scope.tx.getApiKey(validate.withoutNul('api_key_id', ids.apiKeyId));
    if (!key || key.organizationId !== ids.organizationId) {
      throw notFound(
        NS,
        'api_key_not_found',
        `organization ${ids.organizationId} has no API key ${validate.quote(ids.apiKeyId)}`,
      );
    }
    return { key, held };
  }

  /** A key the caller may delete: one whose every right the caller holds. */
  private async deletable(scope: Scope, ids: { organizationId: string; apiKeyId: string }): Promise<ApiKey> {
    const managed = await this.managed(scope, ids);
    requireEveryKeyRight(managed, 'delete it');
    return managed.key;
  }
}
