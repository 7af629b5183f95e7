/**
 * The audit trail (EVENTS.md): every change records its event through recordEvent, in the
 * transaction of the change, so that the two commit together or not at all.
 */
import { internal } from './errors.js';
import type { EntityKindName } from './kinds.js';
import type { Identifier, NewEvent, StoredEvent } from './model.js';
import { describeCaller, type EventScope } from './scope.js';
import { nextUlid } from './ulid.js';
import { identifierView, timestamp } from './views.js';

/**
 * Records one event of the change under way. `caller` stands in for the scope's while the caller
 * is still being authenticated (a user who registers by being named).
 */
export function recordEvent(scope: EventScope, event: NewEvent, caller = scope.caller): Promise<void> {
  return recordEvents(scope, [event], caller);
}

/** Records events of the change under way, in this order, together (a batch of creates). */
export async function recordEvents(
  scope: EventScope,
  events: readonly NewEvent[],
  caller = scope.caller,
): Promise<void> {
  if (!scope.writable || !caller) throw internal('events', 'no_write', 'events are recorded only by changes');
  const { journal } = scope;
  journal.recorded?.push(...events);
  journal.lastId ??= (await scope.tx.lastEventId()) ?? '';
  const correlationIds = [journal.context.correlationId];
  const { origin, userAgent } = journal.context;
  // The same caller all transaction long (bar a newcomer registering itself): described once.
  const described = caller === scope.caller ? (journal.caller ??= describeCaller(caller)) : describeCaller(caller);
  const stored = events.map((event): StoredEvent => {
    const uniqueId = nextUlid(scope.now, journal.lastId || undefined);
    journal.lastId = uniqueId;
    const { name, identifiers, data, visibility } = event;
    // A literal, not a spread: a bulk create makes thousands.
    return {
      name,
      identifiers,
      data,
      visibility,
      uniqueId,
      time: scope.now,
      correlationIds,
      origin,
      caller: described,
      userAgent,
    };
  });
  await scope.tx.insertEvents(stored);
}

/** An event as EVENTS.md shows it. */
export function eventView(event: StoredEvent): Record<string, unknown> {
  const view: Record<string, unknown> = {
    name: event.name,
    time: timestamp(event.time),
    identifiers: event.identifiers.map(identifierView),
  };
  if (event.data !== undefined) view.data = event.data;
  Object.assign(view, {
    correlation_ids: event.correlationIds,
    origin: event.origin,
    visibility: { rights: event.visibility },
    caller: event.caller,
    user_agent: event.userAgent,
    unique_id: event.uniqueId,
  });
  return view;
}

/** `organization:org1`: how the store indexes an identifier. */
export const identifierKey = ({ kind, id }: Identifier): string => `${kind}:${id}`;

/**
 * The record whose life this event begins: its subject, when the event is its kind's `.create`.
 * An ID freed by a purge or a user's deletion can be taken again; the new record's events are
 * those from its creation on, the former holder's are the administrator's alone (EVENTS.md).
 */
export function beginsLife(event: NewEvent): Identifier | undefined {
  const subject = event.identifiers[0];
  return subject && event.name === `${subject.kind}.create` ? subject : undefined;
}

type RecordKind = 'organization' | EntityKindName;

/** `<kind>.create`, `.update` (data: the changed field names), `.delete`, `.restore`, `.purge`. */
export function recordEventOf(
  kind: RecordKind,
  id: string,
  action: 'create' | 'update' | 'delete' | 'restore' | 'purge',
  changed?: readonly string[],
): NewEvent {
  return {
    name: `${kind}.${action}`,
    identifiers: [{ kind, id }],
    data: changed,
    visibility: [`RIGHT_${kind.toUpperCase()}_INFO`],
  };
}

/** `<kind>.collaborator.update` (data: the collaborator as printed) or `.delete`. */
export function collaboratorEvent(
  on: Identifier,
  collaborator: Identifier,
  visibility: string,
  printed?: Record<string, unknown>,
): NewEvent {
  return {
    name: `${on.kind}.collaborator.${printed ? 'update' : 'delete'}`,
    identifiers: [on, collaborator],
    data: printed,
    visibility: [visibility],
  };
}
