/**
 * Lists: organizations, applications, gateways, clients (search, paging, deleted, restore); what
 * holds an ID.
 */

import { ApiError, call, caller, get, listing, qs, seg } from './api.js';
import { capital, type Child, field, h, moment, select, textInput, uid, when } from './dom.js';
import { go, heading, showStatus } from './frame.js';
import { type Kind, ORGANIZATIONS, recordHref } from './kinds.js';
import {
  actions,
  button,
  confirmButton,
  DEFAULT_PAGE_SIZE,
  FieldError,
  form,
  LIMITS,
  linkButton,
  pageNumber,
  pager,
  pageSize,
  showFieldError,
  submitButton,
  table,
} from './parts.js';

/** A kind's list; `more` goes beside its Create button (the organizations' Export). */
export async function listPage(kind: Kind, query: URLSearchParams, more: Child[] = []): Promise<Child[]> {
  const deleted = query.get('deleted') === 'true';
  const text = query.get('query') ?? '';
  const limit = pageSize(query);
  const page = pageNumber(query);
  const path = text ? `/search/${kind.plural}` : `/${kind.plural}`;
  const { items, nextPage } = await listing(
    path +
      qs({
        query: text || undefined,
        deleted: deleted ? 'true' : undefined,
        field_mask: deleted ? 'name,deleted_at' : 'name',
        limit,
        page,
      }),
    kind.plural,
  );
  const base = `#/${kind.plural}`;
  const href = (values: Record<string, string | undefined>) => {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(values)) if (value) params.set(key, value);
    const s = params.toString();
    return `${base}${s ? `?${s}` : ''}`;
  };

  const search = textInput('query', text, { type: 'search', placeholder: 'ID or name contains…' });
  const perPage = select(
    'limit',
    LIMITS.map((n) => [String(n), String(n)] as const),
    String(limit),
  );
  const searchForm = form(
    { class: 'search', role: 'search' },
    [field(`Search ${kind.noun}s`, search), field('Per page', perPage), actions(submitButton('Search', 'secondary'))],
    async () => {
      go(
        href({
          query: search.value.trim() || undefined,
          deleted: deleted ? 'true' : undefined,
          limit: perPage.value === String(DEFAULT_PAGE_SIZE) ? undefined : perPage.value,
        }),
      );
    },
  );

  const tabs = h(
    'nav',
    { class: 'tabs', 'aria-label': `Which ${kind.plural}` },
    h(
      'ul',
      {},
      h(
        'li',
        {},
        h('a', { href: href({ query: text || undefined }), 'aria-current': deleted ? undefined : 'page' }, 'Active'),
      ),
      h(
        'li',
        {},
        h(
          'a',
          { href: href({ query: text || undefined, deleted: 'true' }), 'aria-current': deleted ? 'page' : undefined },
          'Deleted',
        ),
      ),
    ),
  );

  const noun = kind.noun;
  let body: Child;
  if (items.length === 0) {
    body = h(
      'p',
      { class: 'empty' },
      text
        ? `No ${deleted ? 'deleted ' : ''}${noun}s match “${text}”.`
        : deleted
          ? `No deleted ${noun}s (that you may see).`
          : `No ${noun}s yet.`,
    );
  } else if (deleted) {
    body = table(
      [kind.idLabel, 'Name', 'Deleted', 'Restorable until', 'Actions'],
      items.map((item) => {
        const id: string = item.ids[kind.idKey];
        const until = restorableUntil(item.deleted_at);
        return [
          h('code', {}, id),
          item.name ?? '',
          when(item.deleted_at),
          until === undefined ? '—' : until > Date.now() ? moment(until) : 'no longer',
          h(
            'div',
            { class: 'row-actions' },
            deletedActions(kind, id, item.deleted_at, (message) => go(href({ deleted: 'true' }), message)),
          ),
        ];
      }),
      `Deleted ${noun}s`,
    );
  } else {
    body = table(
      [kind.idLabel, 'Name', 'Created'],
      items.map((item) => {
        const id: string = item.ids[kind.idKey];
        return [h('a', { href: recordHref(kind, id) }, h('code', {}, id)), item.name ?? '', when(item.created_at)];
      }),
      kind.title,
    );
  }

  return [
    h(
      'div',
      { class: 'page-head' },
      heading(deleted ? `Deleted ${kind.noun}s` : kind.title),
      h('div', { class: 'head-actions' }, ...more, linkButton(`${base}/add`, `Create ${noun}`)),
    ),
    tabs,
    searchForm,
    body,
    items.length > 0 || page > 1 ? pager(base, query, page, nextPage) : null,
  ];
}

/** Until when a record deleted at `deletedAt` can be restored, when the API says its window. */
function restorableUntil(deletedAt: string | undefined): number | undefined {
  const window = caller?.restore_window_ms;
  return deletedAt === undefined || window === undefined ? undefined : Date.parse(deletedAt) + window;
}

/**
 * Restore (while the restore window lasts) and, for administrators, Purge, of a deleted record;
 * `purged` says so once it is purged.
 */
function deletedActions(
  kind: Kind,
  id: string,
  deletedAt: string | undefined,
  purged: (message: string) => void,
): Child[] {
  const until = restorableUntil(deletedAt);
  const restorable = until === undefined || until > Date.now();
  return [
    restorable
      ? button(
          until === undefined ? 'Restore' : ['Restore (until ', moment(until), ')'],
          async () => {
            await call('POST', `/${kind.plural}/${seg(id)}/restore`);
            go(recordHref(kind, id), `${capital(kind.noun)} ${id} restored.`);
          },
          'secondary small',
        )
      : null,
    caller?.admin
      ? confirmButton('Purge', `Purge ${id} for good?`, async () => {
          await call('DELETE', `/${kind.plural}/${seg(id)}/purge`);
          purged(`${capital(kind.noun)} ${id} purged: its ID is free.`);
        })
      : null,
  ];
}

/**
 * What holds a taken ID, in words and with what can be done: "old-team was deleted at 11:48;
 * Restore (until tomorrow 11:48)", a link to a record that has it, or who else may.
 */
async function whatHolds(kind: Kind, id: string, input: HTMLInputElement): Promise<Child> {
  const find = async (deleted: boolean): Promise<any> => {
    const path = `/search/${kind.plural}${qs({ id_contains: id, deleted: deleted ? 'true' : undefined, field_mask: 'name,deleted_at' })}`;
    const found = await listing(path, kind.plural).catch(() => ({ items: [] as any[] }));
    return found.items.find((item) => item.ids[kind.idKey] === id);
  };
  if (await find(false)) {
    return [
      h('a', { href: recordHref(kind, id) }, h('code', {}, id)),
      ` is already the ID of ${kind.noun === 'gateway' ? 'a' : 'an'} ${kind.noun}.`,
    ];
  }
  const deleted = await find(true);
  if (deleted) {
    const at = Date.parse(deleted.deleted_at);
    const until = restorableUntil(deleted.deleted_at);
    return h(
      'span',
      {},
      h('code', {}, id),
      ' was deleted ',
      new Date(at).toDateString() === new Date().toDateString() ? 'at ' : '',
      moment(at),
      until !== undefined && until <= Date.now() ? '; it can no longer be restored' : '',
      '. ',
      deletedActions(kind, id, deleted.deleted_at, (message) => {
        showFieldError(input, undefined);
        showStatus(message);
      }),
    );
  }
  return kind === ORGANIZATIONS
    ? 'A user, or an organization you cannot see, holds this ID.'
    : `${capital(kind.noun)}s you cannot see may hold it: deleted ones keep their ID until purged.`;
}

/** The create forms' answer to `id_taken`: what holds the ID, under its field. */
export async function createOrExplain(kind: Kind, id: string, input: HTMLInputElement, create: () => Promise<void>) {
  try {
    await create();
  } catch (error) {
    if (error instanceof ApiError && error.errorName === 'id_taken') {
      throw new FieldError(input, await whatHolds(kind, id, input));
    }
    throw error;
  }
}

/**
 * Suggestions for a user or organization ID field (a <datalist>, filled when they arrive): the
 * organizations the caller may list; the users named in the activity it may read (no route
 * lists users), and the caller.
 */
export function suggestions(
  input: HTMLInputElement,
  kind: () => 'user' | 'organization',
): HTMLDataListElement & { refill(): Promise<void> } {
  const list = h('datalist', { id: uid('known') });
  input.setAttribute('list', list.id);
  const fill = async () => {
    const wanted = kind();
    let ids: string[] = [];
    if (wanted === 'organization') {
      const found = await listing('/organizations?limit=100', 'organizations').catch(() => ({ items: [] as any[] }));
      ids = found.items.map((o) => o.ids.organization_id);
    } else {
      const events = await get<any[]>('/events?tail=200').catch(() => []);
      const users = events.flatMap((event) => [
        event.caller?.user_id,
        ...(event.identifiers ?? []).map((identifier: any) => identifier.user_ids?.user_id),
      ]);
      ids = [caller?.user_id, ...users].filter((id): id is string => typeof id === 'string');
    }
    if (kind() === wanted) list.replaceChildren(...[...new Set(ids)].sort().map((id) => h('option', { value: id })));
  };
  void fill();
  return Object.assign(list, { refill: fill });
}
