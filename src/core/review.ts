/**
 * `orgs review` (ACCESS.md, "Review"): what in the registry deserves a look, as findings. Not a
 * second rights engine: who holds an entity is holders.ts's rule, what a member gains through an
 * organization is effectiveRightsOn's path, what a user reaches is `reach` (access.ts). A read:
 * it writes nothing (the caller's key records its use afterwards, as every command's does).
 */
import {
  apiKeyReach,
  collaborationsOf,
  everyEntity,
  everyOrganization,
  keyIds,
  mayListApiKeys,
  mayListUserKeys,
  usable,
  userReach,
  userReachesAnything,
  type EntityIds,
  type Reached,
} from './access.js';
import { parseDuration } from './duration.js';
import { everyPage } from './paging.js';
import { effectiveRightsOn } from './effective-rights.js';
import { invalidArgument } from './errors.js';
import { entityHasHolder } from './holders.js';
import { KINDS, kindNamed, type EntityKindName } from './kinds.js';
import { KEY_OWNERS, keyOwnerOf, type KeyOwnerKindName } from './key-owners.js';
import type { ApiKey, User } from './model.js';
import type { OrganizationService } from './organizations.js';
import { Rights } from './rights.js';
import { HOUR_MS, hourOf, isAdministrator, type Scope, type Session } from './session.js';
import { quote, organizationId as validOrganizationId } from './validate.js';
import { identifierView, timestamp } from './views.js';

/** Levels, the gravest first: the order findings are sorted in. */
export const LEVELS = ['critical', 'warning', 'info'] as const;
export type Level = (typeof LEVELS)[number];

const LEVEL_OF = {
  orphaned_entity: 'critical',
  api_key_all_rights: 'warning',
  api_key_no_expiry: 'warning',
  api_key_unused: 'warning',
  api_key_expired: 'info',
  path_gives_nothing: 'info',
  user_without_access: 'info',
  administrator: 'info',
} as const satisfies Record<string, Level>;

export type FindingName = keyof typeof LEVEL_OF;

/** What a finding is about: an organization (its keys), an entity, or a user. */
type Target = { kind: 'organization' | EntityKindName | 'user'; id: string };

export interface Finding {
  finding: FindingName;
  target: Target;
  /** The key of a key finding, the organization of path_gives_nothing; none otherwise. */
  subject?: { kind: 'api-key'; key: ApiKey } | { kind: 'organization'; id: string };
  detail: string;
}

export interface ReviewRequest {
  /** Only what concerns this organization: its keys, the entities it collaborates on, its members. */
  organizationId?: string;
  /** How long a key may go unused (`90d`, `30d`, `12h`). */
  stale?: string;
}

export const DEFAULT_STALE = '90d';

/** `--fail-on`'s level, checked. */
export function levelNamed(text: string): Level {
  const level = LEVELS.find((l) => l === text);
  if (!level) {
    throw invalidArgument('review', 'invalid_level', `unknown level ${quote(text)}; use one of ${LEVELS.join(', ')}`);
  }
  return level;
}

export const levelOf = (finding: Finding): Level => LEVEL_OF[finding.finding];

/** Whether a finding at `level` or graver is among `findings` (`--fail-on`). */
export const foundAtOrAbove = (findings: readonly Finding[], level: Level): boolean =>
  findings.some((finding) => LEVELS.indexOf(levelOf(finding)) <= LEVELS.indexOf(level));

export class ReviewService {
  constructor(
    private readonly session: Session,
    private readonly organizations: OrganizationService,
  ) {}

  /**
   * The findings the caller may see, sorted: the administrator every one; anyone else those on
   * organizations where it may list the API keys and entities where it may list the
   * collaborators, and none about users.
   */
  async review(request: ReviewRequest): Promise<Finding[]> {
    const organizationId =
      request.organizationId === undefined ? undefined : validOrganizationId(request.organizationId);
    const stale = staleness(request.stale);
    return this.session.read(async (scope) => {
      if (organizationId !== undefined) await this.organizations.live(scope, organizationId);
      const { keyOwners, entities } = await reviewable(scope, organizationId);
      const findings: Finding[] = [];
      for (const [kind, ids] of keyOwners) {
        for (const key of await scope.tx.listApiKeysOf(kind, ids))
          findings.push(...keyFindings(asUsedNow(scope, key), stale, scope.now));
      }
      findings.push(...(await orphanedEntities(scope, entities)));
      findings.push(...(await pathsGivingNothing(scope, entities, organizationId)));
      if (isAdministrator(scope.caller)) findings.push(...(await userFindings(scope, organizationId)));
      return findings.sort(findingOrder);
    });
  }
}

/** Owners of keys by kind. */
type KeyOwnerIds = Array<[KeyOwnerKindName, string[]]>;

/**
 * The owners whose keys, and the live entities whose collaborators, the caller may review: those
 * of the one organization asked about, or all, where the caller holds the right to list them (the
 * administrator everywhere; a user its own keys too).
 */
async function reviewable(
  scope: Scope,
  organizationId: string | undefined,
): Promise<{ keyOwners: KeyOwnerIds; entities: EntityIds }> {
  const { caller, tx } = scope;
  if (organizationId !== undefined) {
    const entities: EntityIds = [];
    for (const [name, ids] of await collaborationsOf(tx, [organizationId])) {
      const kind = kindNamed(name);
      const rights = ids.length > 0 ? await effectiveRightsOn(scope, kind, ids) : new Map();
      entities.push([name, ids.filter((id) => rights.get(id)!.rights.has(kind.rights.settingsCollaborators))]);
    }
    return {
      keyOwners: (await mayListApiKeys(scope, organizationId)) ? [['organization', [organizationId]]] : [],
      entities,
    };
  }
  if (caller.kind === 'admin' || (caller.kind === 'user' && caller.user.admin)) {
    const entities = await everyEntity(tx);
    const users = (await everyPage((page) => tx.listUsers(page))).map((user) => user.id);
    const keyOwners: KeyOwnerIds = [
      ['organization', await everyOrganization(tx)],
      ['user', users],
      ...entities.flatMap(([name, ids]): KeyOwnerIds => {
        const owner = keyOwnerOf(name);
        return owner ? [[owner.name, ids]] : [];
      }),
    ];
    return { keyOwners, entities };
  }
  // What the caller reaches, with its rights there: the same answer `reach` gives it.
  const reached: Reached[] =
    caller.kind === 'user'
      ? await userReach(scope, caller.user, {}, caller.key)
      : await apiKeyReach(scope, caller.key, {});
  // Every owner reached whose keys the caller manages, and the user's own.
  const keyOwners: KeyOwnerIds = KEY_OWNERS.map((owner) => [
    owner.name,
    reached
      .filter(({ target, rights }) => target.kind === owner.name && rights.has(owner.manage))
      .map(({ target }) => target.id),
  ]);
  if (caller.kind === 'user' && mayListUserKeys(scope, caller.user.id)) keyOwners.push(['user', [caller.user.id]]);
  const entities: EntityIds = KINDS.map((kind) => [
    kind.name,
    reached
      .filter(({ target, rights }) => target.kind === kind.name && rights.has(kind.rights.settingsCollaborators))
      .map(({ target }) => target.id),
  ]);
  return { keyOwners, entities };
}

/** `--stale`, as given and in milliseconds. */
interface Staleness {
  text: string;
  ms: number;
}

const staleness = (text = DEFAULT_STALE): Staleness => ({ text, ms: parseDuration(text, { days: true }) });

/** The key as the store holds it, but the caller's own, in use now though recorded only once the review's read is over. */
function asUsedNow(scope: Scope, key: ApiKey): ApiKey {
  const { caller } = scope;
  return caller.kind !== 'admin' && caller.key?.id === key.id ? { ...key, lastUsedAt: hourOf(scope.now) } : key;
}

function keyFindings(key: ApiKey, stale: Staleness, now: number): Finding[] {
  const finding = (name: FindingName, detail: string): Finding => ({
    finding: name,
    target: { kind: key.ownerKind, id: key.ownerId },
    subject: { kind: 'api-key', key },
    detail: `API key ${key.id} of ${key.ownerId} ${detail}`,
  });
  if (!usable(key, now)) {
    return [finding('api_key_expired', `expired at ${timestamp(key.expiresAt!)} and is still stored`)];
  }
  const findings: Finding[] = [];
  const allRights = key.rights.filter((right) => right.endsWith('_ALL')).sort();
  if (allRights.length > 0) {
    findings.push(
      finding('api_key_all_rights', `holds ${allRights.join(', ')}: every present and future right it stands for`),
    );
  }
  if (key.expiresAt === undefined) findings.push(finding('api_key_no_expiry', 'never expires'));
  if (key.lastUsedAt === undefined) {
    if (key.createdAt + stale.ms <= now) {
      findings.push(
        finding(
          'api_key_unused',
          `has never been used since its creation at ${timestamp(key.createdAt)}, more than ${stale.text} ago`,
        ),
      );
    }
  } else if (key.lastUsedAt + HOUR_MS + stale.ms <= now) {
    // The hour recorded is all that is known: the key counts as used until that hour's end.
    findings.push(
      finding(
        'api_key_unused',
        `was last used in the hour from ${timestamp(key.lastUsedAt)}, more than ${stale.text} ago`,
      ),
    );
  }
  return findings;
}

/** The entities no one but an administrator can manage: holders.ts's rule, found broken. */
async function orphanedEntities(scope: Scope, entities: EntityIds): Promise<Finding[]> {
  const findings: Finding[] = [];
  for (const [name, ids] of entities) {
    const kind = kindNamed(name);
    // Read side by side: on PostgreSQL the entities' queries share round trips.
    const held = await Promise.all(ids.map((id) => entityHasHolder(scope.tx, kind, id)));
    ids.forEach((id, at) => {
      if (held[at]) return;
      findings.push({
        finding: 'orphaned_entity',
        target: { kind: name, id },
        detail: `no user or live organization holds ${kind.rights.all} on ${name} ${id}: only administrators can manage it`,
      });
    });
  }
  return findings;
}

/**
 * The live organizations collaborating on the entities (only `organizationId` when given) through
 * which none of their members gains anything there: every member's organization path, as
 * effectiveRightsOn finds it, is empty.
 */
async function pathsGivingNothing(
  scope: Scope,
  entities: EntityIds,
  organizationId: string | undefined,
): Promise<Finding[]> {
  const { tx } = scope;
  // For each organization, the entities it collaborates on, by kind: the one asked about
  // collaborates on every entity reviewed (they are its own collaborations).
  const collaborations = new Map<string, Map<EntityKindName, string[]>>();
  if (organizationId !== undefined) collaborations.set(organizationId, new Map(entities));
  else {
    for (const [name, ids] of entities) {
      for (const id of ids) {
        for (const { collaborator } of await tx.listEntityCollaborators(name, id)) {
          if (collaborator.kind !== 'organization') continue;
          if (!collaborations.has(collaborator.id)) collaborations.set(collaborator.id, new Map());
          const byKind = collaborations.get(collaborator.id)!;
          byKind.set(name, [...(byKind.get(name) ?? []), id]);
        }
      }
    }
  }
  const findings: Finding[] = [];
  for (const [organization, byKind] of collaborations) {
    if ((await tx.getOrganization(organization))?.deletedAt !== undefined) continue;
    // A member's path through the organization depends on its rights there alone: one member of
    // each set of rights is asked about, until every entity is found to give something.
    const members = new Map<string, User>();
    for (const { userId, rights } of await tx.listMemberships(organization)) {
      const held = Rights.of(rights).toArray().join();
      if (!members.has(held)) members.set(held, (await tx.getUser(userId))!);
    }
    for (const [name, ids] of byKind) {
      const kind = kindNamed(name);
      const giving = new Set<string>();
      for (const member of members.values()) {
        if (giving.size === ids.length) break;
        // The path through the organization, whatever else the member is: an administrator's
        // intersection there is what it would be without --admin.
        const subject = { kind: 'user' as const, user: { ...member, admin: false } };
        for (const [id, { paths }] of await effectiveRightsOn(scope, kind, ids, subject)) {
          const through = paths.find((path) => path.via === 'organization' && path.organizationId === organization);
          if (through !== undefined && through.rights.size > 0) giving.add(id);
        }
      }
      for (const id of ids) {
        if (giving.has(id)) continue;
        findings.push({
          finding: 'path_gives_nothing',
          target: { kind: name, id },
          subject: { kind: 'organization', id: organization },
          detail: `organization ${organization} collaborates on ${name} ${id}, but none of its members gains a right there through it`,
        });
      }
    }
  }
  return findings;
}

/** For the administrator: the users made --admin, and those who reach nothing (of the organization's members, given one). */
async function userFindings(scope: Scope, organizationId: string | undefined): Promise<Finding[]> {
  const users = await reviewedUsers(scope, organizationId);
  // Read side by side: on PostgreSQL the users' queries share round trips.
  const reaching = await Promise.all(users.map((user) => !user.admin && userReachesAnything(scope, user)));
  const findings: Finding[] = [];
  users.forEach((user, at) => {
    const target = { kind: 'user' as const, id: user.id };
    if (user.admin) {
      findings.push({
        finding: 'administrator',
        target,
        detail: `user ${user.id} was made --admin: every right on everything`,
      });
    } else if (!reaching[at]) {
      findings.push({
        finding: 'user_without_access',
        target,
        detail: `user ${user.id} holds no right on any organization, application, gateway or client`,
      });
    }
  });
  return findings;
}

async function reviewedUsers(scope: Scope, organizationId: string | undefined): Promise<User[]> {
  const { tx } = scope;
  const users: User[] = [];
  if (organizationId !== undefined) {
    const ids = (await tx.listMemberships(organizationId)).map((membership) => membership.userId);
    await tx.prefetchUsers(ids);
    for (const id of ids) users.push((await tx.getUser(id))!);
    return users;
  }
  return everyPage((page) => tx.listUsers(page));
}

const TARGET_ORDER: ReadonlyArray<Target['kind']> = ['organization', ...KINDS.map((kind) => kind.name), 'user'];

const subjectKey = (finding: Finding) =>
  finding.subject === undefined ? '' : finding.subject.kind === 'api-key' ? finding.subject.key.id : finding.subject.id;

const compare = (a: string | number, b: string | number) => (a < b ? -1 : a > b ? 1 : 0);

/** By level (critical first), then finding, then target (kind, then ID), then subject. */
function findingOrder(a: Finding, b: Finding): number {
  return (
    compare(LEVELS.indexOf(levelOf(a)), LEVELS.indexOf(levelOf(b))) ||
    compare(a.finding, b.finding) ||
    compare(TARGET_ORDER.indexOf(a.target.kind), TARGET_ORDER.indexOf(b.target.kind)) ||
    compare(a.target.id, b.target.id) ||
    compare(subjectKey(a), subjectKey(b))
  );
}

/** A finding as ACCESS.md prints it. */
export function findingView(finding: Finding): Record<string, unknown> {
  const { subject } = finding;
  return {
    finding: finding.finding,
    level: levelOf(finding),
    target: identifierView(finding.target),
    subject:
      subject === undefined
        ? null
        : subject.kind === 'api-key'
          ? keyIds(subject.key)
          : identifierView({ kind: 'organization', id: subject.id }),
    detail: finding.detail,
  };
}

/** A finding as a table row: LEVEL  FINDING  TARGET  SUBJECT  DETAIL. */
export function findingRow(finding: Finding): Record<string, string> {
  const { subject } = finding;
  return {
    level: levelOf(finding),
    finding: finding.finding,
    target: `${finding.target.kind} ${finding.target.id}`,
    subject:
      subject === undefined
        ? '-'
        : subject.kind === 'api-key'
          ? `api-key ${subject.key.id}`
          : `organization ${subject.id}`,
    detail: finding.detail,
  };
}
