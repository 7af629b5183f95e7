/**
 * API keys of users, organizations, applications and gateways (API.md), written once over the
 * table of owner kinds (src/core/key-owners.ts): credentials with their own rights, acting on
 * their owner (a user's key acts as its user, within them). A key can only get rights its creator
 * holds on its owner, and the secret is shown once, at creation.
 */
import { requireHeldChange } from './collaborators.js';
import { effectiveRights } from './effective-rights.js';
import { liveEntity } from './entities.js';
import { recordEvent } from './events.js';
import type { NewEvent } from './model.js';
import { invalidArgument, notFound, permissionDenied } from './errors.js';
import type { ReachRequest, Reached } from './access.js';
import type { KeyOwnerKind } from './key-owners.js';
import { kindNamed } from './kinds.js';
import type { ApiKey } from './model.js';
import { keyRights } from './organization-rights.js';
import type { OrganizationService } from './organizations.js';
import { orderOf, paginate, type Listing, type PageRequest } from './paging.js';
import { Rights } from './rights.js';
import { existingUser, rightsOn, rightsOnUser, type Scope, type Session } from './session.js';
import type { ApiKeyOrderField } from './store.js';
import { generateToken, hashSecret } from './tokens.js';
import * as validate from './validate.js';
import { apiKeyView } from './views.js';

const NS = 'api_keys';
export const API_KEY_ORDERS: readonly ApiKeyOrderField[] = ['api_key_id', 'name', 'created_at', 'expires_at'];

export interface ApiKeyRequest {
  /** The ID of the key's owner, of the service's owner kind. */
  ownerId?: string;
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
  ownerId?: string;
  order?: string;
}

type View = Record<string, unknown>;

/** `<owner>.api-key.create|update` carry the key as printed (never its secret); `.delete` its ID. */
function apiKeyEvent(owner: KeyOwnerKind, action: 'create' | 'update' | 'delete', key: ApiKey): NewEvent {
  return {
    name: `${owner.name}.api-key.${action}`,
    identifiers: [{ kind: owner.name, id: key.ownerId }],
    data: action === 'delete' ? { id: key.id } : apiKeyView(key),
    visibility: [owner.manage],
  };
}

/** The rights of a new or changed key: at least one, none twice, each of a group the owner's keys may hold. */
function checkRights(owner: KeyOwnerKind, rights: readonly string[]): Rights {
  if (rights.length === 0)
    throw invalidArgument(NS, 'no_api_key_rights', 'an API key needs at least one --right-* flag');
  const set = Rights.of(rights);
  if (set.size !== rights.length) throw invalidArgument(NS, 'duplicate_rights', 'a right is given twice');
  const foreign = rights.filter((right) => Rights.of([right]).inGroups(owner.groups).size === 0);
  if (foreign.length > 0) {
    throw invalidArgument(NS, 'invalid_rights', `an API key of a ${owner.name} cannot hold ${foreign.join(', ')}`);
  }
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
  const missing = keyRights(key).minus(held);
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
    private readonly owner: KeyOwnerKind,
    private readonly organizations: OrganizationService,
  ) {}

  /** Creates a key; the view it returns holds the token, which is never shown again. */
  async create(request: ApiKeyRequest & ApiKeyInput): Promise<View> {
    const ownerId = this.ownerId(request.ownerId);
    const rights = checkRights(this.owner, request.rights ?? []);
    if (request.name !== undefined) validate.text('name', request.name, validate.LIMITS.apiKeyName);
    return this.session.write(async (scope) => {
      const expiresAt = checkExpiry(request.expiresAt, scope.now);
      const held = await this.manages(scope, ownerId);
      if (!held.includesAll(rights.expand())) {
        throw permissionDenied('auth', 'insufficient_rights', 'an API key cannot get rights its creator does not hold');
      }
      const token = generateToken();
      const key: ApiKey = {
        id: token.id,
        ownerKind: this.owner.name,
        ownerId,
        name: request.name || undefined,
        rights: rights.toArray(),
        secretHash: hashSecret(token.secret),
        createdAt: scope.now,
        updatedAt: scope.now,
        expiresAt,
      };
      await scope.tx.insertApiKey(key);
      await recordEvent(scope, apiKeyEvent(this.owner, 'create', key));
      return apiKeyView(key, token.text);
    });
  }

  async list(request: ApiKeyListRequest): Promise<Listing<View>> {
    const ownerId = this.ownerId(request.ownerId);
    const order = orderOf(request.order, API_KEY_ORDERS, 'api_key_id');
    return this.session.read(async (scope) => {
      await this.manages(scope, ownerId);
      const listing = await paginate(request, (page) =>
        scope.tx.listApiKeys({ ownerKind: this.owner.name, ownerId, order, ...page }),
      );
      return { ...listing, items: listing.items.map((key) => apiKeyView(key)) };
    });
  }

  async get(request: ApiKeyRequest): Promise<View> {
    const ids = this.ids(request);
    return this.session.read(async (scope) => apiKeyView((await this.managed(scope, ids)).key));
  }

  /** `api-keys reach`: what the key holds a right on (ACCESS.md). Needs the owner's …_SETTINGS_API_KEYS. */
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
    const rights = request.rights === undefined ? undefined : checkRights(this.owner, request.rights);
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
      await recordEvent(scope, apiKeyEvent(this.owner, 'update', next));
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
      await recordEvent(scope, apiKeyEvent(this.owner, 'delete', key));
    });
  }

  private ownerId(id: string | undefined): string {
    const { name } = this.owner;
    if (name === 'organization') return validate.organizationId(id);
    return name === 'user' ? validate.userId(id) : validate.entityId(name, id);
  }

  private ids(request: ApiKeyRequest): { ownerId: string; apiKeyId: string } {
    const ownerId = this.ownerId(request.ownerId);
    const apiKeyId = request.apiKeyId;
    if (!apiKeyId) throw invalidArgument(NS, 'no_api_key_id', 'no API key ID given');
    return { ownerId, apiKeyId };
  }

  /**
   * The caller's rights on the owner, once the owner is known to be there and the caller to manage
   * its keys: a user's own (or the administrator's), an organization's as `rights` answers, an
   * application's or gateway's effective rights.
   */
  private async manages(scope: Scope, ownerId: string): Promise<Rights> {
    let held: Rights;
    const { name } = this.owner;
    if (name === 'organization') {
      await this.organizations.live(scope, ownerId);
      held = await rightsOn(scope, ownerId);
    } else if (name === 'user') {
      await existingUser(scope, ownerId);
      held = rightsOnUser(scope.caller, ownerId);
    } else {
      const kind = kindNamed(name);
      await liveEntity(scope, kind, ownerId);
      held = (await effectiveRights(scope, kind, ownerId)).rights;
    }
    if (!held.has(this.owner.manage)) {
      throw permissionDenied(
        'auth',
        'insufficient_rights',
        `the caller lacks ${this.owner.manage} on ${name} ${ownerId}`,
      );
    }
    return held;
  }

  /** The owner's key, once the caller is known to manage its keys, and the caller's rights. */
  private async managed(
    scope: Scope,
    ids: { ownerId: string; apiKeyId: string },
  ): Promise<{ key: ApiKey; held: Rights }> {
    const held = await this.manages(scope, ids.ownerId);
    const key = await scope.tx.getApiKey(validate.withoutNul('api_key_id', ids.apiKeyId));
    if (!key || key.ownerKind !== this.owner.name || key.ownerId !== ids.ownerId) {
      throw notFound(
        NS,
        'api_key_not_found',
        `${this.owner.name} ${ids.ownerId} has no API key ${validate.quote(ids.apiKeyId)}`,
      );
    }
    return { key, held };
  }

  /** A key the caller may delete: one whose every right the caller holds. */
  private async deletable(scope: Scope, ids: { ownerId: string; apiKeyId: string }): Promise<ApiKey> {
    const managed = await this.managed(scope, ids);
    requireEveryKeyRight(managed, 'delete it');
    return managed.key;
  }
}
