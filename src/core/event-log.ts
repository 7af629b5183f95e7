/**
 * Reading the audit trail: `orgs events` and `orgs events prune`. A caller sees an event when it
 * holds, now, the event's visibility rights on what the event is about (its first identifier).
 */
import { effectiveRights } from './effective-rights.js';
import { invalidArgument, permissionDenied } from './errors.js';
import { eventView, identifierKey, recordEvent } from './events.js';
import type { Identifier, StoredEvent } from './model.js';
import { kindNamed, type EntityKindName } from './kinds.js';
import { namePattern, PatternError, type NamePattern } from './name-pattern.js';
import { Rights } from './rights.js';
import { isAdministrator, isOtherKey, rightsOn, type Scope, type Session } from './session.js';
import type { EventQuery } from './store.js';
import * as validate from './validate.js';

const NS = 'events';
/** Events read per store query; a --tail or a filter that drops many reads on in chunks. */
const CHUNK = 500;

export interface EventRequest {
  /** Events about any of these (none: every event the caller may see). */
  identifiers?: Identifier[];
  /** Exact names, or one `/regular expression/`. */
  names?: string;
  /** RFC 3339: only events after it. */
  after?: string;
  /** Only the last N that match. */
  tail?: number;
}

type View = Record<string, unknown>;

interface Filter {
  query: Omit<EventQuery, 'newestFirst' | 'limit' | 'afterSeq' | 'beforeSeq'>;
  pattern?: NamePattern;
  after?: number;
}

export class EventService {
  constructor(private readonly session: Session) {}

  /**
   * The history, oldest first, in batches (so that a million events stream); with `tail`, only the
   * last N. Resolves with the commit position to follow from.
   */
  async history(request: EventRequest, emit: (views: View[]) => Promise<void>): Promise<number> {
    const filter = this.filter(request);
    if (request.tail !== undefined) {
      const tail = validate.positiveInteger('tail', request.tail);
      const { events, last } = await this.session.read(async (scope) => {
        const kept: StoredEvent[] = [];
        let beforeSeq: number | undefined;
        const newest = (await scope.tx.listEvents({ ...filter.query, newestFirst: true, limit: 1 }))[0]?.seq ?? 0;
        const visible = this.visibility(scope);
        while (kept.length < tail) {
          const chunk = await scope.tx.listEvents({ ...filter.query, beforeSeq, newestFirst: true, limit: CHUNK });
          for (const event of chunk)
            if (kept.length < tail && (await visible(event)) && matches(filter, event)) kept.push(event);
          if (chunk.length < CHUNK) break;
          beforeSeq = chunk[chunk.length - 1]!.seq;
        }
        return { events: kept.reverse(), last: newest };
      });
      if (events.length > 0) await emit(events.map(eventView));
      return last;
    }
    let afterSeq = 0;
    for (;;) {
      const { events, last, more } = await this.page(filter, afterSeq);
      if (events.length > 0) await emit(events.map(eventView));
      afterSeq = last;
      if (!more) return afterSeq;
    }
  }

  /** New matching events after `afterSeq`, as they are committed, until `stop` says so. */
  async follow(
    request: EventRequest,
    afterSeq: number,
    emit: (views: View[]) => Promise<void>,
    stop: () => boolean,
  ): Promise<void> {
    const filter = this.filter(request);
    while (!stop()) {
      const { events, last, more } = await this.page(filter, afterSeq);
      if (events.length > 0) await emit(events.map(eventView));
      afterSeq = last;
      if (!more) await this.session.store.waitForEvents();
    }
  }

  /** The administrator removes the events older than `before`, and the trail records that it did. */
  async prune(before: string | undefined): Promise<{ pruned: number }> {
    if (before === undefined) throw invalidArgument(NS, 'no_before', 'give --before TIME (RFC 3339)');
    const time = validate.time('before', before);
    return this.session.write(async (scope) => {
      if (!isAdministrator(scope.caller)) {
        throw permissionDenied(NS, 'prune_needs_admin', 'only an administrator can prune events');
      }
      const pruned = await scope.tx.pruneEvents(time);
      await recordEvent(scope, {
        name: 'events.prune',
        identifiers: [],
        data: { before: new Date(time).toISOString(), pruned },
        visibility: [],
      });
      return { pruned };
    });
  }

  /** One read's worth of matching, visible events after `afterSeq`. */
  private page(filter: Filter, afterSeq: number): Promise<{ events: StoredEvent[]; last: number; more: boolean }> {
    return this.session.read(async (scope) => {
      const chunk = await scope.tx.listEvents({ ...filter.query, afterSeq, newestFirst: false, limit: CHUNK });
      const visible = this.visibility(scope);
      const events: StoredEvent[] = [];
      for (const event of chunk) if ((await visible(event)) && matches(filter, event)) events.push(event);
      return { events, last: chunk[chunk.length - 1]?.seq ?? afterSeq, more: chunk.length === CHUNK };
    });
  }

  private filter(request: EventRequest): Filter {
    const filter: Filter = { query: {} };
    for (const { kind, id } of request.identifiers ?? []) {
      if (kind === 'user') validate.userId(id);
      else validate.entityId(kind, id);
    }
    if (request.identifiers?.length) filter.query.identifiers = request.identifiers.map(identifierKey);
    const names = request.names;
    if (names !== undefined) {
      validate.withoutNul('names', names);
      const regex = /^\/(.*)\/$/s.exec(names);
      if (regex) {
        try {
          filter.pattern = namePattern(regex[1]!);
        } catch (error) {
          if (!(error instanceof PatternError)) throw error;
          throw invalidArgument(NS, 'invalid_names', `--names ${validate.quote(names)}: ${error.message}`);
        }
      } else filter.query.names = names.split(',').map((name) => name.trim());
    }
    if (request.after !== undefined) {
      filter.after = validate.time('after', request.after);
      // The index finds the events from that millisecond on; "after" is decided exactly below.
      filter.query.since = filter.after;
    }
    return filter;
  }

  /**
   * Whether the caller may see an event: the administrator always; others when the event is of the
   * record that holds its first identifier now, not of a former one (purged, or a deleted user),
   * and they hold now the event's visibility rights on that record (a user also sees its own
   * user.* events). What the caller may see of each identifier is looked up once in a read.
   */
  private visibility(scope: Scope): (event: StoredEvent) => Promise<boolean> {
    if (isAdministrator(scope.caller)) return async () => true;
    const standings = new Map<string, Promise<Standing | undefined>>();
    const standingOn = (subject: Identifier) => {
      const key = identifierKey(subject);
      if (!standings.has(key)) standings.set(key, this.standing(scope, subject));
      return standings.get(key)!;
    };
    return async (event) => {
      const subject = event.identifiers[0];
      if (!subject) return false;
      const { caller } = scope;
      if (subject.kind === 'user' && !(caller.kind === 'user' && caller.user.id === subject.id)) return false;
      const standing = await standingOn(subject);
      if (!standing || event.seq! < standing.since) return false;
      return subject.kind === 'user' || standing.rights.includesAll(Rights.of(event.visibility));
    };
  }

  /** Where the life of the record holding this ID began, and the caller's rights on it now. */
  private async standing(scope: Scope, subject: Identifier): Promise<Standing | undefined> {
    const since = await scope.tx.lifeOf(subject);
    if (since === undefined) return undefined;
    return { since, rights: await this.rightsOn(scope, subject) };
  }

  /** The caller's rights on an existing record (none on a user: its own events need none). */
  private async rightsOn(scope: Scope, subject: Identifier): Promise<Rights> {
    if (subject.kind === 'user') return Rights.none;
    if (subject.kind === 'organization') {
      const { caller } = scope;
      if (isOtherKey(caller, subject.id)) return Rights.none;
      return rightsOn(scope, subject.id);
    }
    const kind = kindNamed(subject.kind as EntityKindName);
    return (await effectiveRights(scope, kind, subject.id)).rights;
  }
}

/** What a caller may see of one identifier's events: from `since` (seq) on, those its rights cover. */
interface Standing {
  since: number;
  rights: Rights;
}

function matches(filter: Filter, event: StoredEvent): boolean {
  if (filter.after !== undefined && event.time <= filter.after) return false;
  return filter.pattern === undefined || filter.pattern.test(event.name);
}
