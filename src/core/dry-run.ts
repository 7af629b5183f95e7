/**
 * --dry-run (ACCESS.md): the command's own change, run in a transaction that keeps nothing
 * (Store.trial), with every (subject, target) pair whose effective rights it would change. The
 * targets are found from the subjects of the events the change records; their subjects and rights
 * are `access`'s answer (accessorsOf), asked before the change and after it: the same computation
 * as every check, not a model of what each command does.
 */
import {
  accessorIds,
  entityAccessors,
  inAccessOrder,
  organizationAccessors,
  TARGET_KINDS,
  type Access,
  type TargetKind,
} from './access.js';
import { effectiveRightsOn } from './effective-rights.js';
import { KINDS } from './kinds.js';
import { everyPage } from './paging.js';
import type { NewEvent } from './model.js';
import { Rights } from './rights.js';
import { isAdministrator, mayListMembers, type Scope, type Trial } from './session.js';
import type { Store, Transaction } from './store.js';
import { identifierView } from './views.js';

interface Target {
  kind: TargetKind;
  id: string;
}

/** A subject whose rights on a target change: a user or an API key. */
export interface AccessChange {
  who: Access['who'];
  target: Target;
  before: Rights;
  after: Rights;
}

/** Who holds what on one target, by subject, and which of those subjects the caller may see there. */
interface Holders {
  rights: Map<string, Access>;
  shown: Set<string>;
}

const subjectKey = ({ who }: Access) =>
  who.kind === 'user'
    ? `user:${who.user.id}`
    : who.kind === 'api-key'
      ? `key:${who.key.id}`
      : `org:${who.organizationId}`;
const targetKey = (target: Target) => `${target.kind}:${target.id}`;

/** The writes of a command, tried and undone, and what they would change, gathered for its report. */
export class DryRun implements Trial {
  readonly changes: AccessChange[] = [];
  /** Changes of subjects the caller may not see: counted, not named. */
  hidden = 0;

  /**
   * Runs the change (its result is the command's) and reads the access of every target it touches
   * there; undoes it and reads the access before. A target found only before the change (a purge
   * ends an organization's collaborations) has its access after read by running the change again.
   */
  write<T>(
    store: Store,
    change: (tx: Transaction, recorded: NewEvent[]) => Promise<T>,
    inspect: <R>(tx: Transaction, work: (scope: Scope) => Promise<R>) => Promise<R>,
  ): Promise<T> {
    return store.trial(async (tx, undo) => {
      const recorded: NewEvent[] = [];
      const result = await change(tx, recorded);
      const touched = await inspect(tx, (scope) => touchedBy(scope, recorded));
      const is = await inspect(tx, (scope) => holdersOf(scope, touched));
      const before = await undo();
      const targets = unionOf(touched, await inspect(before, (scope) => touchedBy(scope, recorded)));
      const was = await inspect(before, (scope) => holdersOf(scope, targets));
      const unread = targets.filter((target) => !is.has(targetKey(target)));
      if (unread.length > 0) {
        await change(before, []);
        for (const [key, holders] of await inspect(before, (scope) => holdersOf(scope, unread))) is.set(key, holders);
      }
      for (const target of targets) this.compare(target, was.get(targetKey(target))!, is.get(targetKey(target))!);
      return result;
    });
  }

  private compare(target: Target, was: Holders, is: Holders): void {
    const changes: AccessChange[] = [];
    for (const key of new Set([...was.rights.keys(), ...is.rights.keys()])) {
      const access = (is.rights.get(key) ?? was.rights.get(key))!;
      // Organizations are paths, not subjects: their members and keys are listed for the caller who may see them.
      if (access.who.kind === 'organization') continue;
      const before = was.rights.get(key)?.rights ?? Rights.none;
      const after = is.rights.get(key)?.rights ?? Rights.none;
      if (before.equals(after)) continue;
      if (was.shown.has(key) || is.shown.has(key)) changes.push({ who: access.who, target, before, after });
      else this.hidden++;
    }
    this.changes.push(...inAccessOrder(changes, (change) => change.who));
  }

  /** The changes by target (kind, then ID), then subject in `access` order. */
  private sorted(): AccessChange[] {
    const rank = (change: AccessChange) => TARGET_KINDS.indexOf(change.target.kind);
    return this.changes
      .map((change, at) => ({ change, at }))
      .sort(
        (a, b) =>
          rank(a.change) - rank(b.change) ||
          (a.change.target.id < b.change.target.id ? -1 : a.change.target.id > b.change.target.id ? 1 : a.at - b.at),
      )
      .map(({ change }) => change);
  }

  /** The report's `access`: each change, then those of hidden subjects as a count. */
  view(): Array<Record<string, unknown>> {
    const views: Array<Record<string, unknown>> = this.sorted().map((change) => ({
      subject: accessorIds(change.who),
      target: identifierView(change.target),
      before: change.before.toArray(),
      after: change.after.toArray(),
      gained: change.after.minus(change.before).toArray(),
      lost: change.before.minus(change.after).toArray(),
    }));
    if (this.hidden > 0) views.push({ hidden: this.hidden });
    return views;
  }

  /** The report for a person: a row per change, its rights gained and lost (the table compacts them). */
  rows(): Array<Record<string, unknown>> {
    const rows: Array<Record<string, unknown>> = this.sorted().map(({ who, target, before, after }) => ({
      subject: who.kind === 'user' ? who.user.id : who.kind === 'api-key' ? who.key.id : who.organizationId,
      target: `${target.kind} ${target.id}`,
      gained: after.minus(before).toArray(),
      lost: before.minus(after).toArray(),
    }));
    if (this.hidden > 0) rows.push({ subject: `${this.hidden} hidden`, target: '', gained: [], lost: [] });
    return rows;
  }
}

/**
 * The targets whose access the recorded events may change, in the state `scope` reads (the write
 * reads them after the change and before it): an organization's event, the organization and every
 * entity it collaborates on; an entity's, the entity; a user's (deleted, made or unmade an
 * administrator), every target. A newcomer's registration changes nothing.
 */
async function touchedBy(scope: Scope, recorded: readonly NewEvent[]): Promise<Target[]> {
  const { tx } = scope;
  const targets = new Map<string, Target>();
  const add = (target: Target) => targets.set(targetKey(target), target);
  for (const event of recorded) {
    const subject = event.identifiers[0];
    if (!subject || event.name === 'user.create') continue;
    if (subject.kind === 'user') {
      for (const target of await everyTarget(tx)) add(target);
    } else if (subject.kind === 'organization') {
      add(subject as Target);
      for (const c of await tx.listAccountCollaborations(subject.id)) add({ kind: c.entityKind, id: c.entityId });
    } else {
      add(subject as Target);
    }
  }
  return [...targets.values()];
}

/** The targets of both lists, each once, in the order first seen. */
function unionOf(a: readonly Target[], b: readonly Target[]): Target[] {
  return [...new Map([...a, ...b].map((target) => [targetKey(target), target])).values()];
}

/** Every organization and entity, live or deleted. */
async function everyTarget(tx: Transaction): Promise<Target[]> {
  const targets: Target[] = [];
  for (const deleted of [false, true]) {
    const organizations = await everyPage((page) =>
      tx.listOrganizations({ deleted, order: { field: 'organization_id', direction: 'asc' }, ...page }),
    );
    targets.push(...organizations.map(({ id }) => ({ kind: 'organization' as const, id })));
    for (const kind of KINDS) {
      const entities = await everyPage((page) =>
        tx.listEntities({ kind: kind.name, deleted, order: { field: 'id', direction: 'asc' }, ...page }),
      );
      targets.push(...entities.map(({ id }) => ({ kind: kind.name, id })));
    }
  }
  return targets;
}

/**
 * Each target's holders as the administrator sees them (every path), and those the caller sees in
 * its own `access` of the target (none where it may not ask). A target that is not there, or is
 * deleted, has no holders.
 */
async function holdersOf(scope: Scope, targets: readonly Target[]): Promise<Map<string, Holders>> {
  const administrator: Scope = { ...scope, caller: { kind: 'admin' } };
  const holders = new Map<string, Holders>();
  for (const target of targets) {
    const every = await accessorsOf(administrator, target);
    const shown = isAdministrator(scope.caller)
      ? every
      : (await mayAskAccess(scope, target))
        ? await accessorsOf(scope, target)
        : [];
    holders.set(targetKey(target), {
      rights: new Map(every.map((access) => [subjectKey(access), access])),
      shown: new Set(shown.map(subjectKey)),
    });
  }
  return holders;
}

/** `access` of a live target, unpaged; nobody on one that is not there or deleted. */
async function accessorsOf(scope: Scope, target: Target): Promise<Access[]> {
  if (target.kind === 'organization') {
    const organization = await scope.tx.getOrganization(target.id);
    return organization && organization.deletedAt === undefined ? organizationAccessors(scope, target.id) : [];
  }
  const kind = KINDS.find((k) => k.name === target.kind)!;
  const entity = await scope.tx.getEntity(kind.name, target.id);
  return entity && entity.deletedAt === undefined ? entityAccessors(scope, kind, target.id) : [];
}

/** Whether the caller may ask `access` of the target (ACCESS.md: who may ask). */
async function mayAskAccess(scope: Scope, target: Target): Promise<boolean> {
  if (target.kind === 'organization') return mayListMembers(scope, target.id);
  const kind = KINDS.find((k) => k.name === target.kind)!;
  const { rights } = (await effectiveRightsOn(scope, kind, [target.id])).get(target.id)!;
  return rights.has(kind.rights.settingsCollaborators);
}
