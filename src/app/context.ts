/**
 * The composition root: what a command (of the CLI, or a request of the Console) needs from the
 * runtime, resolved on first use: settings, the store, and the core services over them. Nothing
 * heavy (SQLite, node-postgres) loads before a command asks for it.
 */
import type { ApiKeyService } from '../core/api-keys.js';
import type { CollaboratorService } from '../core/collaborators.js';
import type { EntityService } from '../core/entities.js';
import type { EntityKind } from '../core/kinds.js';
import type { KeyOwnerKindName } from '../core/key-owners.js';
import type { OrganizationService } from '../core/organizations.js';
import type { RegistryService } from '../core/registry/service.js';
import type { ReviewService } from '../core/review.js';
import type { UserService } from '../core/users.js';
import packageJson from '../../package.json' with { type: 'json' };
import type { EventContext } from '../core/scope.js';
import type { EventService } from '../core/event-log.js';
import { newEventContext, Session, type Identity, type Trial } from '../core/session.js';
import { isPostgresUrl } from '../store/location.js';
import type { PostgresStore } from '../store/postgres.js';
import type { SqliteStore } from '../store/sqlite.js';
import type { Runtime } from './runtime.js';
import type { Streams } from './streams.js';
import {
  type ConfigValues,
  connectTimeoutMsOf,
  readConfig,
  resolveSettings,
  type Settings,
  storeLocationOf,
} from './settings.js';

export interface GlobalFlags {
  db?: string;
  outputFormat?: string;
}

export class Context {
  private cachedConfig?: ConfigValues;
  private cachedSettings?: Settings;
  private openedStore?: SqliteStore | PostgresStore;
  private cachedSession?: Session;
  private trial?: Trial;
  private eventContext?: EventContext;

  constructor(
    readonly flags: GlobalFlags,
    readonly runtime: Runtime,
    readonly streams: Streams,
    /** Whose store and settings this context shares (see `as`). */
    private readonly parent?: Context,
    private readonly identity?: Identity,
  ) {}

  get env(): Runtime['env'] {
    return this.runtime.env;
  }

  /**
   * The same store and settings, as a command of its own (its own correlation ID), acting as
   * `identity` or the configured caller: each request of `orgs console`.
   */
  as(identity?: Identity): Context {
    return new Context(this.flags, this.runtime, this.streams, this.parent ?? this, identity);
  }

  /** The configuration file's values, read once. */
  get config(): ConfigValues {
    if (this.parent) return this.parent.config;
    this.cachedConfig ??= readConfig(this.runtime);
    return this.cachedConfig;
  }

  get settings(): Settings {
    if (this.parent) return this.parent.settings;
    this.cachedSettings ??= resolveSettings(this.flags, this.runtime, this.config);
    return this.cachedSettings;
  }

  /**
   * The store, opened (and created or migrated) on first use: an SQLite file, or a PostgreSQL
   * database for a URL. Each engine is loaded only when it is the one asked for.
   */
  async store(): Promise<SqliteStore | PostgresStore> {
    if (this.parent) return this.parent.store();
    if (!this.openedStore) {
      const location = storeLocationOf(this.flags, this.runtime, this.config);
      if (isPostgresUrl(location)) {
        const { openPostgresStore } = await import('../store/postgres.js');
        this.openedStore = await openPostgresStore(location, { connectTimeoutMs: connectTimeoutMsOf(this.config) });
      } else {
        const { openSqliteStore } = await import('../store/sqlite.js');
        this.openedStore = await openSqliteStore(location);
      }
    }
    return this.openedStore;
  }

  async session(): Promise<Session> {
    if (!this.cachedSession) {
      // Settings first: a bad configured value fails the command before the store is created.
      const identity = this.identity ?? this.settings.identity;
      this.cachedSession = await this.sessionAs(identity);
    }
    return this.cachedSession;
  }

  /** A session on the store for this caller; every event of this command shares one correlation ID. */
  async sessionAs(identity: Identity): Promise<Session> {
    return new Session(await this.store(), identity, this.runtime.clock, this.commandContext, this.trial);
  }

  /** This command's correlation ID: its events' and its errors' (an API error's details name it). */
  get correlationId(): string {
    return this.commandContext.correlationId;
  }

  private get commandContext(): EventContext {
    this.eventContext ??= newEventContext(`orgs/${packageJson.version}`);
    return this.eventContext;
  }

  /** --dry-run: every write of this command is tried and nothing kept (src/core/dry-run.ts); before the session is made. */
  tryOnly(trial: Trial): void {
    this.trial = trial;
  }

  get dryRun(): boolean {
    return this.trial !== undefined;
  }

  async events(): Promise<EventService> {
    const { EventService } = await import('../core/event-log.js');
    return new EventService(await this.session());
  }

  async organizations(): Promise<OrganizationService> {
    const { OrganizationService } = await import('../core/organizations.js');
    return new OrganizationService(await this.session(), this.settings.restoreWindowMs);
  }

  async collaborators(): Promise<CollaboratorService> {
    const { CollaboratorService } = await import('../core/collaborators.js');
    return new CollaboratorService(await this.session(), await this.organizations());
  }

  /** The API keys of one kind of owner (src/core/key-owners.ts): an organization's unless named. */
  async apiKeys(owner: KeyOwnerKindName = 'organization'): Promise<ApiKeyService> {
    const [{ ApiKeyService }, { keyOwnerNamed }] = await Promise.all([
      import('../core/api-keys.js'),
      import('../core/key-owners.js'),
    ]);
    return new ApiKeyService(await this.session(), keyOwnerNamed(owner), await this.organizations());
  }

  async entities(kind: EntityKind): Promise<EntityService> {
    const { EntityService } = await import('../core/entities.js');
    return new EntityService(kind, await this.session(), await this.organizations(), this.settings.restoreWindowMs);
  }

  async review(): Promise<ReviewService> {
    const { ReviewService } = await import('../core/review.js');
    return new ReviewService(await this.session(), await this.organizations());
  }

  async registry(): Promise<RegistryService> {
    const { RegistryService } = await import('../core/registry/service.js');
    return new RegistryService(await this.session(), this.settings.restoreWindowMs);
  }

  async users(): Promise<UserService> {
    const { UserService } = await import('../core/users.js');
    return new UserService(await this.session());
  }

  /** Closes the store this context opened (one made by `as` shares its parent's, and leaves it open). */
  async close(): Promise<void> {
    await this.openedStore?.close();
  }
}
