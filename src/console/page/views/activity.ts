/** Activity: the last events, newest first, new ones as they come. */

import { ApiError, describeCaller, get, qs } from '../api.js';
import { capital, type Child, field, h, moment, textInput } from '../dom.js';
import { generation, go, heading, route } from '../frame.js';
import { ENTITY_KINDS, ORGANIZATIONS, recordHref } from '../kinds.js';
import { actions, form, showFieldError, submitButton } from '../parts.js';
import { groupedRights } from '../rights.js';

const EVENT_FILTERS: ReadonlyArray<readonly [string, string]> = [
  ['organization_id', 'Organization ID'],
  ['user_id', 'User ID'],
  ['application_id', 'Application ID'],
  ['gateway_id', 'Gateway ID'],
  ['client_id', 'Client ID'],
];

/** How often the activity asks for new events (one small request: only those after the newest). */
const ACTIVITY_POLL_MS = 2000;

/** `{organization_ids: {organization_id: 'org1'}}` → its kind and ID. */
function identifierParts(identifier: any): { kind: string; id: string } | undefined {
  const [key, ids] = Object.entries(identifier ?? {})[0] ?? [];
  if (!key || typeof ids !== 'object' || ids === null) return undefined;
  return { kind: key.replace(/_ids$/, ''), id: String(Object.values(ids as Record<string, unknown>)[0] ?? '') };
}

/** An identifier as a link to its record (a user as its ID). */
function identifierOf(identifier: any): Child {
  const parts = identifierParts(identifier);
  if (!parts) return JSON.stringify(identifier);
  const { kind, id } = parts;
  const label = h('code', {}, id);
  if (kind === 'organization') return h('a', { href: recordHref(ORGANIZATIONS, id) }, label);
  const entity = ENTITY_KINDS.find((k) => k.name === kind);
  if (entity) return h('a', { href: recordHref(entity, id) }, label);
  return label;
}

/** The rights of a collaborator event, without the group's name when it is the record's own group. */
function eventRights(kind: string, rights: readonly string[]): string {
  const words = groupedRights(rights);
  const own = `${capital(kind === 'client' ? 'OAuth client' : kind)}: `;
  return words.every((entry) => entry.startsWith(own))
    ? words.map((entry) => entry.slice(own.length)).join('; ')
    : words.join('; ');
}

/**
 * An event as a sentence: "local administrator set bob's rights on acme-iot: info,
 * settings-members". Names it does not know read "… : <name> on <record>".
 */
function eventSentence(event: any): Child[] {
  const who = describeCaller(event.caller);
  const [subject, other] = (event.identifiers ?? []) as any[];
  const record = identifierOf(subject);
  const account = identifierParts(other);
  const [kind = '', ...rest] = String(event.name).split('.');
  const action = rest.join('.');
  const noun = kind === 'client' ? 'OAuth client' : kind;
  const data = event.data;
  const verbs: Record<string, string> = { create: 'created', delete: 'deleted', restore: 'restored', purge: 'purged' };
  if (kind === 'user' && verbs[action])
    return [who, ` ${action === 'create' ? 'registered' : verbs[action]} user `, record];
  if (verbs[action]) return [who, ` ${verbs[action]} ${noun} `, record];
  if (action === 'update') {
    const fields = Array.isArray(data) ? `: ${data.join(', ')}` : '';
    return [who, ` changed ${noun} `, record, fields];
  }
  if (action === 'collaborator.update' && account) {
    return [
      who,
      ' set ',
      h('code', {}, account.id),
      `'s rights on `,
      record,
      `: ${eventRights(kind, data?.rights ?? [])}`,
    ];
  }
  if (action === 'collaborator.delete' && account)
    return [who, ' removed ', h('code', {}, account.id), ' from ', record];
  if (action.startsWith('api-key.')) {
    const key = data?.name ? `“${data.name}”` : h('code', {}, data?.id ?? '?');
    const verb = action === 'api-key.create' ? 'created' : action === 'api-key.update' ? 'changed' : 'deleted';
    const rights = Array.isArray(data?.rights) ? `: ${eventRights(kind, data.rights)}` : '';
    return [who, ` ${verb} API key `, key, ' of ', record, rights];
  }
  return [who, `: ${event.name} on `, record];
}

function eventItem(event: any): HTMLElement {
  return h(
    'li',
    { class: 'event' },
    h(
      'p',
      { class: 'event-line' },
      moment(Date.parse(event.time)),
      ' ',
      h('span', { class: 'sentence' }, eventSentence(event)),
    ),
    h(
      'details',
      {},
      h('summary', {}, h('code', { class: 'event-name' }, event.name)),
      event.data !== undefined ? h('pre', {}, JSON.stringify(event.data, null, 2)) : null,
    ),
  );
}

route(/^\/activity$/, async ({ query }) => {
  const filters: Record<string, string | undefined> = {};
  for (const [name] of EVENT_FILTERS) filters[name] = query.get(name) ?? undefined;
  const names = query.get('names') ?? '';
  const asked = { ...filters, names: names || undefined };
  const inputs = EVENT_FILTERS.map(([name, label]) => [name, textInput(name, filters[name] ?? ''), label] as const);
  const namesInput = textInput('names', names);
  // A refused filter is said under its field; the form stays to correct it.
  let failure: ApiError | undefined;
  const events = await get<any[]>(`/events${qs({ tail: 100, ...asked })}`).catch((error: unknown) => {
    if (!(error instanceof ApiError) || error.status !== 400) throw error;
    failure = error;
    return [] as any[];
  });
  if (failure) {
    const wrong = inputs.find(([name]) => failure!.errorName === `invalid_${name}`)?.[1] ?? namesInput;
    showFieldError(wrong, failure.message);
  }
  const active = Object.values(asked).some((value) => value !== undefined);
  const filterForm = h(
    'details',
    // Folded on a phone unless a filter is in use.
    { class: 'card filters', open: active || failure !== undefined || matchMedia('(min-width: 700px)').matches },
    h('summary', {}, active ? 'Filter (in use)' : 'Filter'),
    form(
      {},
      [
        h('div', { class: 'filter-grid' }, ...inputs.map(([, input, label]) => field(label, input))),
        field(
          'Event names',
          namesInput,
          'Exact names separated by commas (organization.create, organization.delete) or one /regular expression/ (/^organization\\./).',
        ),
        actions(submitButton('Apply', 'secondary'), h('a', { href: '#/activity' }, 'Clear')),
      ],
      async () => {
        const params = new URLSearchParams();
        for (const [name, input] of inputs) if (input.value.trim()) params.set(name, input.value.trim());
        if (namesInput.value.trim()) params.set('names', namesInput.value.trim());
        const text = params.toString();
        go(`#/activity${text ? `?${text}` : ''}`);
      },
    ),
  );
  const newestFirst = [...events].reverse();
  const list = h('ol', { class: 'events', 'aria-live': 'polite' }, ...newestFirst.map(eventItem));
  const empty = h('p', { class: 'empty' }, 'No events.');
  empty.hidden = events.length > 0;
  if (!failure) follow(newestFirst, asked, list, empty);
  return [
    h('div', { class: 'page-head' }, heading('Activity')),
    h('p', { class: 'hint' }, 'The last 100 events, newest first; new ones appear as they happen.'),
    filterForm,
    empty,
    list,
  ];
});

/**
 * Adds the events that come after those `shown` (newest first) to the top of `list`, asking
 * every ACTIVITY_POLL_MS while the page is shown. The newest one's millisecond is asked again,
 * since another event may share it; those already shown are known by their unique ID.
 */
function follow(shown: any[], asked: Record<string, string | undefined>, list: HTMLElement, empty: HTMLElement): void {
  const mine = generation;
  const seen = new Set<string>(shown.map((event) => event.unique_id));
  const since = (event: any) => new Date(Date.parse(event.time) - 1).toISOString();
  let after = shown[0] ? since(shown[0]) : undefined;
  const poll = async () => {
    if (mine !== generation) return;
    try {
      const events = await get<any[]>(`/events${qs({ ...asked, after, tail: after ? undefined : 100 })}`);
      if (mine !== generation) return;
      const fresh = events.filter((event) => !seen.has(event.unique_id));
      for (const event of fresh) {
        seen.add(event.unique_id);
        list.prepend(eventItem(event));
      }
      const last = events[events.length - 1];
      if (last) after = since(last);
      if (fresh.length > 0) empty.hidden = true;
    } catch {
      // The next poll tries again (the Console may be restarting); nothing to show meanwhile.
    }
    setTimeout(() => void poll(), ACTIVITY_POLL_MS);
  };
  setTimeout(() => void poll(), ACTIVITY_POLL_MS);
}
