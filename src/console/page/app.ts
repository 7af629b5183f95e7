/**
 * The Console in the browser: it shows what the API (/api/v3/) answers and sends what the person
 * asks for; every rule is the core's, behind the API (the page never decides who may do what).
 *
 * One file, in sections: DOM building, the API, the rights catalogue, the frame and its router,
 * shared pieces (lists, forms, rights pickers), then the pages: organizations, an organization
 * (overview, collaborators, API keys, delete), applications, gateways and clients (overview,
 * collaborators, effective rights, delete) and the activity.
 *
 * Names and everything else that comes from the store reach the page through textContent and
 * attributes only, never as markup. Listeners are added with addEventListener: the page's
 * Content-Security-Policy forbids inline handlers.
 */

// ---------------------------------------------------------------------------------------------
// DOM building

type Child = Node | string | number | null | undefined | false | readonly Child[];
type AttrValue = string | number | boolean | null | undefined | ((event: any) => void);
type Attrs = Record<string, AttrValue>;

/** `h('a', {href: '#/x', onclick: f}, 'text')`: an element; `on…` attributes become listeners. */
function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs | null = null,
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (attrs) {
    for (const [name, value] of Object.entries(attrs)) {
      if (value === undefined || value === null || value === false) continue;
      if (typeof value === 'function') node.addEventListener(name.slice(2), value as EventListener);
      else node.setAttribute(name, value === true ? '' : String(value));
    }
  }
  append(node, children);
  return node;
}

function append(parent: Node, children: readonly Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(parent, child);
    else parent.appendChild(typeof child === 'object' ? (child as Node) : document.createTextNode(String(child)));
  }
}

let lastId = 0;
const uid = (prefix = 'field') => `${prefix}-${++lastId}`;

type Control = HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement;

/** A labelled form field, with an optional hint read out with it. */
function field(label: string, control: Control, hint?: string): HTMLElement {
  if (!control.id) control.id = uid();
  const parts: Child[] = [h('label', { for: control.id }, label), control];
  if (hint) {
    const id = uid('hint');
    control.setAttribute('aria-describedby', id);
    parts.push(h('p', { class: 'hint', id }, hint));
  }
  return h('div', { class: 'field' }, parts);
}

function textInput(name: string, value = '', attrs: Attrs = {}): HTMLInputElement {
  const input = h('input', { type: 'text', name, autocomplete: 'off', spellcheck: 'false', ...attrs });
  input.value = value;
  return input;
}

function textArea(name: string, value = ''): HTMLTextAreaElement {
  const area = h('textarea', { name, rows: 3 });
  area.value = value;
  return area;
}

function select(name: string, options: ReadonlyArray<readonly [string, string]>, value?: string): HTMLSelectElement {
  const node = h('select', { name }, ...options.map(([v, label]) => h('option', { value: v }, label)));
  if (value !== undefined) node.value = value;
  return node;
}

/** A date and time as the person's clock shows it, in a <time> with the exact value. */
function when(iso: string | undefined, dateOnly = false): Child {
  if (!iso) return '—';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const pad = (n: number) => String(n).padStart(2, '0');
  const day = `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
  const text = dateOnly ? day : `${day} ${pad(date.getHours())}:${pad(date.getMinutes())}`;
  return h('time', { datetime: iso, title: iso }, text);
}

// ---------------------------------------------------------------------------------------------
// The API

const csrfToken = document.querySelector<HTMLMetaElement>('meta[name="csrf-token"]')?.content ?? '';

/** An answer of the API that is not a success: its `message` is what the person reads. */
class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

interface Answer<T> {
  body: T;
  /** The x-next-page header: the next page of a listing, when there is one. */
  nextPage?: number;
}

async function call<T = any>(method: string, path: string, body?: unknown): Promise<Answer<T>> {
  let response: Response;
  try {
    response = await fetch(`/api/v3${path}`, {
      method,
      headers: {
        accept: 'application/json',
        'x-csrf-token': csrfToken,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
      cache: 'no-store',
    });
  } catch {
    throw new ApiError('The Console does not answer: is orgs console still running?', 0);
  }
  const text = await response.text();
  let value: any;
  try {
    value = text ? JSON.parse(text) : undefined;
  } catch {
    value = undefined;
  }
  if (!response.ok) {
    const message = typeof value?.message === 'string' ? value.message : `${response.status} ${response.statusText}`;
    throw new ApiError(message, response.status);
  }
  const next = response.headers.get('x-next-page');
  return { body: value as T, nextPage: next ? Number(next) : undefined };
}

const get = async <T = any>(path: string): Promise<T> => (await call<T>('GET', path)).body;

/** `?a=1&b=x` of the defined values (or '' when none). */
function qs(values: Record<string, string | number | undefined>): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(values))
    if (value !== undefined && value !== '') params.set(name, `${value}`);
  const text = params.toString();
  return text ? `?${text}` : '';
}

const seg = (id: string) => encodeURIComponent(id);

// ---------------------------------------------------------------------------------------------
// The rights catalogue (reference/rights.tsv): the groups an organization and the entities use

type GroupName = 'organization' | 'application' | 'gateway' | 'client';

const RIGHTS: Record<GroupName, readonly string[]> = {
  organization: [
    'RIGHT_ORGANIZATION_INFO',
    'RIGHT_ORGANIZATION_SETTINGS_BASIC',
    'RIGHT_ORGANIZATION_SETTINGS_API_KEYS',
    'RIGHT_ORGANIZATION_SETTINGS_MEMBERS',
    'RIGHT_ORGANIZATION_DELETE',
    'RIGHT_ORGANIZATION_PURGE',
    'RIGHT_ORGANIZATION_APPLICATIONS_LIST',
    'RIGHT_ORGANIZATION_APPLICATIONS_CREATE',
    'RIGHT_ORGANIZATION_GATEWAYS_LIST',
    'RIGHT_ORGANIZATION_GATEWAYS_CREATE',
    'RIGHT_ORGANIZATION_CLIENTS_LIST',
    'RIGHT_ORGANIZATION_CLIENTS_CREATE',
    'RIGHT_ORGANIZATION_ADD_AS_COLLABORATOR',
    'RIGHT_ORGANIZATION_ALL',
  ],
  application: [
    'RIGHT_APPLICATION_INFO',
    'RIGHT_APPLICATION_SETTINGS_BASIC',
    'RIGHT_APPLICATION_SETTINGS_API_KEYS',
    'RIGHT_APPLICATION_SETTINGS_COLLABORATORS',
    'RIGHT_APPLICATION_SETTINGS_PACKAGES',
    'RIGHT_APPLICATION_DELETE',
    'RIGHT_APPLICATION_PURGE',
    'RIGHT_APPLICATION_DEVICES_READ',
    'RIGHT_APPLICATION_DEVICES_WRITE',
    'RIGHT_APPLICATION_DEVICES_READ_KEYS',
    'RIGHT_APPLICATION_DEVICES_WRITE_KEYS',
    'RIGHT_APPLICATION_TRAFFIC_READ',
    'RIGHT_APPLICATION_TRAFFIC_UP_WRITE',
    'RIGHT_APPLICATION_TRAFFIC_DOWN_WRITE',
    'RIGHT_APPLICATION_LINK',
    'RIGHT_APPLICATION_ALL',
  ],
  gateway: [
    'RIGHT_GATEWAY_INFO',
    'RIGHT_GATEWAY_SETTINGS_BASIC',
    'RIGHT_GATEWAY_SETTINGS_API_KEYS',
    'RIGHT_GATEWAY_SETTINGS_COLLABORATORS',
    'RIGHT_GATEWAY_DELETE',
    'RIGHT_GATEWAY_PURGE',
    'RIGHT_GATEWAY_TRAFFIC_READ',
    'RIGHT_GATEWAY_TRAFFIC_DOWN_WRITE',
    'RIGHT_GATEWAY_LINK',
    'RIGHT_GATEWAY_STATUS_READ',
    'RIGHT_GATEWAY_LOCATION_READ',
    'RIGHT_GATEWAY_WRITE_SECRETS',
    'RIGHT_GATEWAY_READ_SECRETS',
    'RIGHT_GATEWAY_ALL',
  ],
  client: [
    'RIGHT_CLIENT_INFO',
    'RIGHT_CLIENT_SETTINGS_BASIC',
    'RIGHT_CLIENT_SETTINGS_COLLABORATORS',
    'RIGHT_CLIENT_DELETE',
    'RIGHT_CLIENT_PURGE',
    'RIGHT_CLIENT_ALL',
  ],
};

const GROUP_TITLES: Record<GroupName, string> = {
  organization: 'Organization rights',
  application: 'Application rights',
  gateway: 'Gateway rights',
  client: 'OAuth client rights',
};

/** The rights an organization's collaborators and API keys may hold: its own and its entities'. */
const ORGANIZATION_GROUPS: readonly GroupName[] = ['organization', 'application', 'gateway', 'client'];

/** `RIGHT_ORGANIZATION_SETTINGS_API_KEYS` → `Settings API keys` (within its group). */
function rightLabel(right: string): string {
  const group = (Object.keys(RIGHTS) as GroupName[]).find((g) => RIGHTS[g].includes(right));
  const rest = group ? right.slice(`RIGHT_${group.toUpperCase()}_`.length) : right.replace(/^RIGHT_/, '');
  if (rest === 'ALL') return group ? `All ${group === 'client' ? 'OAuth client' : group} rights` : 'All rights';
  const words = rest
    .toLowerCase()
    .split('_')
    .map((word) => (word === 'api' ? 'API' : word));
  const text = words.join(' ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** Right names, as small tags. */
function rightTags(rights: readonly string[] | undefined): Child {
  if (rights === undefined) return h('span', { class: 'muted' }, 'not shown');
  if (rights.length === 0) return h('span', { class: 'muted' }, 'none');
  return h(
    'ul',
    { class: 'tags' },
    ...rights.map((right) => h('li', { title: rightLabel(right) }, h('code', {}, right))),
  );
}

interface RightsPicker {
  element: HTMLElement;
  value(): string[];
}

/**
 * The rights as grouped checkboxes, those given checked. Rights held outside the groups (such
 * as RIGHT_ALL) appear under "Other rights", so that saving keeps them unless unchecked.
 */
function rightsPicker(groups: readonly GroupName[], selected: readonly string[] = []): RightsPicker {
  const chosen = new Set(selected);
  const boxes: HTMLInputElement[] = [];
  const checkbox = (right: string) => {
    const input = h('input', { type: 'checkbox', name: 'rights', value: right });
    input.checked = chosen.has(right);
    boxes.push(input);
    return h('label', { class: 'check' }, input, h('span', {}, rightLabel(right), ' ', h('code', {}, right)));
  };
  const fieldset = (title: string, rights: readonly string[], hiddenLegend = false) =>
    h(
      'fieldset',
      { class: 'right-group' },
      h('legend', hiddenLegend ? { class: 'visually-hidden' } : null, title),
      h('div', { class: 'checks' }, ...rights.map(checkbox)),
    );
  const parts: Child[] = groups.map((group, index) => {
    if (groups.length === 1 || index === 0) return fieldset(GROUP_TITLES[group], RIGHTS[group]);
    // The entity groups of an organization's rights fold away until needed.
    const count = RIGHTS[group].filter((right) => chosen.has(right)).length;
    return h(
      'details',
      { class: 'right-details', open: count > 0 },
      h('summary', {}, GROUP_TITLES[group], count > 0 ? ` (${count} selected)` : ''),
      fieldset(GROUP_TITLES[group], RIGHTS[group], true),
    );
  });
  const known = new Set(groups.flatMap((group) => RIGHTS[group]));
  const others = selected.filter((right) => !known.has(right));
  if (others.length > 0) parts.push(fieldset('Other rights held', others));
  const element = h('div', { class: 'rights', role: 'group', 'aria-label': 'Rights' }, parts);
  return { element, value: () => boxes.filter((box) => box.checked).map((box) => box.value) };
}

// ---------------------------------------------------------------------------------------------
// The caller

interface Caller {
  user_id?: string;
  admin?: boolean;
  local_administrator?: boolean;
  api_key_id?: string;
  organization_id?: string;
}

let caller: Caller | undefined;

function describeCaller(who: Caller | undefined): string {
  if (!who) return 'unknown caller';
  if (who.local_administrator) return 'local administrator';
  if (who.user_id) return who.admin ? `${who.user_id} (administrator)` : who.user_id;
  if (who.api_key_id) return `API key ${who.api_key_id} of ${who.organization_id ?? '?'}`;
  return 'unknown caller';
}

// ---------------------------------------------------------------------------------------------
// The frame: header, menu, alert and status regions, the view; the router

const main = h('main', { id: 'main', tabindex: -1 });
const alertBox = h('div', { id: 'alert', class: 'alert', role: 'alert' });
const statusBox = h('div', { id: 'status', class: 'status', role: 'status' });
const view = h('div', { id: 'view' });
const whoBox = h('p', { class: 'who' });

const TOP_MENU: ReadonlyArray<readonly [string, string]> = [
  ['organizations', 'Organizations'],
  ['applications', 'Applications'],
  ['gateways', 'Gateways'],
  ['clients', 'OAuth clients'],
  ['activity', 'Activity'],
];
const topLinks = TOP_MENU.map(([path, label]) => h('a', { href: `#/${path}`, 'data-section': path }, label));

function frame(): void {
  const root = document.getElementById('app')!;
  const skip = h(
    'a',
    {
      class: 'skip',
      href: '#main',
      onclick: (event: Event) => {
        event.preventDefault();
        main.focus();
      },
    },
    'Skip to content',
  );
  const header = h(
    'header',
    { class: 'top' },
    h('a', { class: 'brand', href: '#/organizations' }, 'orgs ', h('span', {}, 'Console')),
    h('nav', { class: 'top-menu', 'aria-label': 'Main' }, h('ul', {}, ...topLinks.map((link) => h('li', {}, link)))),
    whoBox,
  );
  main.replaceChildren(alertBox, statusBox, view);
  root.replaceChildren(skip, header, main);
}

function showError(error: unknown): void {
  const message = error instanceof Error ? error.message : String(error);
  alertBox.replaceChildren(h('p', {}, message));
  alertBox.scrollIntoView({ block: 'nearest' });
}

function showStatus(message: string): void {
  statusBox.replaceChildren(h('p', {}, message));
}

interface Args {
  params: string[];
  query: URLSearchParams;
}

type Page = (args: Args) => Promise<Child[]>;

const routes: Array<[RegExp, Page]> = [];
const route = (pattern: RegExp, page: Page) => routes.push([pattern, page]);

/** A message for the next page shown (after a change that navigates). */
let flash: string | undefined;
let generation = 0;
let firstRender = true;

/** Goes to `hash`, showing `message` there; renders again when already there. */
function go(hash: string, message?: string): void {
  flash = message;
  if (location.hash === hash) void render();
  else location.hash = hash;
}

/** The current hash as a path and its query: `#/organizations?query=x`. */
function current(): { path: string; query: URLSearchParams } {
  const raw = location.hash.replace(/^#/, '');
  const at = raw.indexOf('?');
  return {
    path: at < 0 ? raw : raw.slice(0, at),
    query: new URLSearchParams(at < 0 ? '' : raw.slice(at + 1)),
  };
}

async function render(): Promise<void> {
  const mine = ++generation;
  let { path, query } = current();
  if (path === '' || path === '/') {
    history.replaceState(null, '', '#/organizations');
    path = '/organizations';
  }
  alertBox.replaceChildren();
  statusBox.replaceChildren();
  const message = flash;
  flash = undefined;
  const section = path.split('/')[1] ?? '';
  for (const link of topLinks) {
    if (link.dataset.section === section) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  view.setAttribute('aria-busy', 'true');
  let nodes: Child[];
  try {
    const found = routes.find(([pattern]) => pattern.test(path));
    if (found) {
      const params = found[0]
        .exec(path)!
        .slice(1)
        .map((p) => decodeURIComponent(p ?? ''));
      nodes = await found[1]({ params, query });
    } else {
      nodes = [
        heading('Page not found'),
        h(
          'p',
          {},
          'There is no page at this address. ',
          h('a', { href: '#/organizations' }, 'Go to the organizations'),
        ),
      ];
    }
  } catch (error) {
    if (mine !== generation) return;
    showError(error);
    nodes = [
      heading('This page could not be shown'),
      h('p', {}, 'The Console answered with the error above. ', h('a', { href: '#/organizations' }, 'Organizations')),
    ];
  }
  if (mine !== generation) return;
  view.replaceChildren();
  append(view, nodes);
  view.removeAttribute('aria-busy');
  if (message) showStatus(message);
  const title = view.querySelector('h1')?.textContent;
  document.title = `${title ? `${title} · ` : ''}orgs Console`;
  if (!firstRender) view.querySelector<HTMLElement>('h1')?.focus();
  firstRender = false;
}

/** A page's heading, focused when the page is shown (for keyboards and screen readers). */
const heading = (text: string, ...more: Child[]) => h('h1', { tabindex: -1 }, text, ...more);

/** A link that looks like a button. */
const linkButton = (href: string, text: string, kind = 'primary') => h('a', { class: `button ${kind}`, href }, text);

function button(text: string, onclick: () => Promise<void> | void, kind = 'secondary'): HTMLButtonElement {
  return h('button', { type: 'button', class: `button ${kind}`, onclick: () => void guarded(onclick) }, text);
}

/** Runs an action, showing its error in the alert region (the messages of the one before go). */
async function guarded(action: () => Promise<void> | void): Promise<void> {
  alertBox.replaceChildren();
  statusBox.replaceChildren();
  try {
    await action();
  } catch (error) {
    showError(error);
  }
}

/** A form whose submission runs `submit` once at a time, its errors in the alert region. */
function form(attrs: Attrs, children: Child[], submit: () => Promise<void>): HTMLFormElement {
  let busy = false;
  return h(
    'form',
    {
      ...attrs,
      onsubmit: async (event: Event) => {
        event.preventDefault();
        if (busy) return;
        busy = true;
        const node = event.currentTarget as HTMLFormElement;
        node.setAttribute('aria-busy', 'true');
        try {
          await guarded(submit);
        } finally {
          busy = false;
          node.removeAttribute('aria-busy');
        }
      },
    },
    children,
  );
}

const actions = (...children: Child[]) => h('div', { class: 'actions' }, children);
const submitButton = (text: string, kind = 'primary') => h('button', { type: 'submit', class: `button ${kind}` }, text);

/** A button that asks once more before it acts ("Remove" → "Remove user2?" Yes / Cancel). */
function confirmButton(text: string, question: string, act: () => Promise<void>): HTMLElement {
  const holder = h('span', { class: 'confirm' });
  const ask = () => {
    const no = button('Cancel', () => {
      holder.replaceChildren(first);
      first.focus();
    });
    holder.replaceChildren(
      h('span', { class: 'question' }, question),
      ' ',
      button(`Yes, ${text.toLowerCase()}`, act, 'danger'),
      ' ',
      no,
    );
    no.focus();
  };
  const first = button(text, ask, 'danger-outline');
  holder.append(first);
  return holder;
}

function breadcrumbs(...items: Array<readonly [string, string?]>): HTMLElement {
  return h(
    'nav',
    { class: 'breadcrumbs', 'aria-label': 'Breadcrumbs' },
    h(
      'ol',
      {},
      ...items.map(([text, href], i) =>
        h(
          'li',
          {},
          href && i < items.length - 1 ? h('a', { href }, text) : h('span', { 'aria-current': 'page' }, text),
        ),
      ),
    ),
  );
}

/** A table that stacks its cells on a narrow screen (each cell then shows its column's name). */
function table(columns: readonly string[], rows: ReadonlyArray<readonly Child[]>, caption: string): HTMLElement {
  return h(
    'table',
    { class: 'list' },
    h('caption', { class: 'visually-hidden' }, caption),
    h('thead', {}, h('tr', {}, ...columns.map((column) => h('th', { scope: 'col' }, column)))),
    h(
      'tbody',
      {},
      ...rows.map((cells) => h('tr', {}, ...cells.map((cell, i) => h('td', { 'data-label': columns[i] ?? '' }, cell)))),
    ),
  );
}

const LIMITS = [10, 20, 50, 100];
const DEFAULT_PAGE_SIZE = 20;

function pageSize(query: URLSearchParams): number {
  const limit = Number(query.get('limit'));
  return LIMITS.includes(limit) ? limit : DEFAULT_PAGE_SIZE;
}

const pageNumber = (query: URLSearchParams) => Math.max(1, Math.floor(Number(query.get('page'))) || 1);

/** Previous / page N / next, as links to the same page with another `page`. */
function pager(base: string, query: URLSearchParams, page: number, nextPage: number | undefined): HTMLElement {
  const href = (p: number) => {
    const next = new URLSearchParams(query);
    if (p === 1) next.delete('page');
    else next.set('page', String(p));
    const text = next.toString();
    return `${base}${text ? `?${text}` : ''}`;
  };
  return h(
    'nav',
    { class: 'pager', 'aria-label': 'Pages' },
    page > 1
      ? h('a', { href: href(page - 1), rel: 'prev' }, '← Previous')
      : h('span', { class: 'disabled', 'aria-hidden': 'true' }, '← Previous'),
    h('span', { class: 'page-number' }, `Page ${page}`),
    nextPage
      ? h('a', { href: href(nextPage), rel: 'next' }, 'Next →')
      : h('span', { class: 'disabled', 'aria-hidden': 'true' }, 'Next →'),
  );
}

/** Key/value rows for attributes; what to send once edited. */
function attributesEditor(initial: Record<string, string> = {}) {
  const rows = h('div', { class: 'attribute-rows' });
  const pairs: Array<{ key: HTMLInputElement; value: HTMLInputElement; row: HTMLElement }> = [];
  const add = (key = '', value = '', focus = false) => {
    const keyInput = textInput('attribute-key', key);
    const valueInput = textInput('attribute-value', value);
    const n = ++lastId;
    keyInput.id = `attr-key-${n}`;
    valueInput.id = `attr-value-${n}`;
    const pair = { key: keyInput, value: valueInput, row: h('div') };
    pair.row = h(
      'div',
      { class: 'attribute-row' },
      h('div', { class: 'field' }, h('label', { for: keyInput.id }, 'Key'), keyInput),
      h('div', { class: 'field' }, h('label', { for: valueInput.id }, 'Value'), valueInput),
      button('Remove', () => {
        pairs.splice(pairs.indexOf(pair), 1);
        pair.row.remove();
        addButton.focus();
      }),
    );
    pairs.push(pair);
    rows.append(pair.row);
    if (focus) keyInput.focus();
  };
  for (const [key, value] of Object.entries(initial)) add(key, value);
  const addButton = button('Add attribute', () => add('', '', true));
  const element = h(
    'fieldset',
    { class: 'attributes' },
    h('legend', {}, 'Attributes'),
    h('p', { class: 'hint' }, 'Key/value pairs. A key with an empty value is removed.'),
    rows,
    addButton,
  );
  /** The attributes as they are now (empty values left out). */
  const current = (): Record<string, string> => {
    const result: Record<string, string> = {};
    for (const pair of pairs) {
      const key = pair.key.value.trim();
      if (key && pair.value.value !== '') result[key] = pair.value.value;
    }
    return result;
  };
  return {
    element,
    /**
     * What an update sends: undefined when unchanged; `{}` to remove them all; else the new and
     * changed pairs and each removed key with an empty value (attributes merge, as `orgs set`'s).
     */
    changes(): Record<string, string> | undefined | null {
      const now = current();
      const same =
        Object.keys(now).length === Object.keys(initial).length &&
        Object.entries(now).every(([key, value]) => initial[key] === value);
      if (same) return undefined;
      if (Object.keys(now).length === 0) return null;
      const sent: Record<string, string> = { ...now };
      for (const key of Object.keys(initial)) if (!(key in now)) sent[key] = '';
      return sent;
    },
  };
}

/**
 * The body of an update (organization or entity): the fields that changed, in The Things Stack's
 * form `{<record>: {…}, field_mask: {paths}}`; a path without a value clears its field.
 */
function updateBody(
  member: string,
  before: Record<string, any>,
  fields: { name: string; description: string; attributes: Record<string, string> | undefined | null },
  extra: Record<string, unknown> = {},
): { body: Record<string, unknown>; paths: string[] } {
  const record: Record<string, unknown> = {};
  const paths: string[] = [];
  for (const key of ['name', 'description'] as const) {
    const value = fields[key].trim();
    if (value === (before[key] ?? '')) continue;
    paths.push(key);
    if (value) record[key] = value;
  }
  if (fields.attributes !== undefined) {
    paths.push('attributes');
    if (fields.attributes !== null) record.attributes = fields.attributes;
  }
  for (const [key, value] of Object.entries(extra)) {
    paths.push(key);
    record[key] = value;
  }
  return { body: { [member]: record, field_mask: { paths } }, paths };
}

// ---------------------------------------------------------------------------------------------
// Kinds of records: organizations, applications, gateways, clients

interface Kind {
  /** `organization`: the body's member and the events' identifier. */
  name: string;
  plural: string;
  title: string;
  /** In a sentence: "organization", "OAuth client". */
  noun: string;
  idKey: string;
  idLabel: string;
}

const ORGANIZATIONS: Kind = {
  name: 'organization',
  plural: 'organizations',
  title: 'Organizations',
  noun: 'organization',
  idKey: 'organization_id',
  idLabel: 'Organization ID',
};

interface EntityKind extends Kind {
  group: GroupName;
}

const ENTITY_KINDS: readonly EntityKind[] = [
  {
    name: 'application',
    plural: 'applications',
    title: 'Applications',
    noun: 'application',
    idKey: 'application_id',
    idLabel: 'Application ID',
    group: 'application',
  },
  {
    name: 'gateway',
    plural: 'gateways',
    title: 'Gateways',
    noun: 'gateway',
    idKey: 'gateway_id',
    idLabel: 'Gateway ID',
    group: 'gateway',
  },
  {
    name: 'client',
    plural: 'clients',
    title: 'OAuth clients',
    noun: 'OAuth client',
    idKey: 'client_id',
    idLabel: 'Client ID',
    group: 'client',
  },
];

const kindOf = (plural: string): EntityKind => ENTITY_KINDS.find((kind) => kind.plural === plural)!;

const capital = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

/** `#/organizations/org1` (`…/overview` for an ID that is also a page's name). */
function recordHref(kind: Kind, id: string, sub?: string): string {
  const base = `#/${kind.plural}/${seg(id)}`;
  if (sub) return `${base}/${sub}`;
  return id === 'add' ? `${base}/overview` : base;
}

// ---------------------------------------------------------------------------------------------
// Lists: organizations, applications, gateways, clients (search, paging, deleted, restore)

async function listPage(kind: Kind, query: URLSearchParams): Promise<Child[]> {
  const deleted = query.get('deleted') === 'true';
  const text = query.get('query') ?? '';
  const limit = pageSize(query);
  const page = pageNumber(query);
  const path = text ? `/search/${kind.plural}` : `/${kind.plural}`;
  const { body: items, nextPage } = await call<any[]>(
    'GET',
    path +
      qs({
        query: text || undefined,
        deleted: deleted ? 'true' : undefined,
        field_mask: deleted ? 'name,deleted_at' : 'name',
        limit,
        page,
      }),
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
      [kind.idLabel, 'Name', 'Deleted', 'Actions'],
      items.map((item) => {
        const id: string = item.ids[kind.idKey];
        return [
          h('code', {}, id),
          item.name ?? '',
          when(item.deleted_at),
          button(
            'Restore',
            async () => {
              await call('POST', `/${kind.plural}/${seg(id)}/restore`);
              go(recordHref(kind, id), `${capital(noun)} ${id} restored.`);
            },
            'secondary small',
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
      linkButton(`${base}/add`, `Create ${noun}`),
    ),
    tabs,
    searchForm,
    body,
    items.length > 0 || page > 1 ? pager(base, query, page, nextPage) : null,
  ];
}

// ---------------------------------------------------------------------------------------------
// Organizations

route(/^\/organizations$/, ({ query }) => listPage(ORGANIZATIONS, query));

route(/^\/organizations\/add$/, async () => {
  const id = textInput('organization-id', '', { required: true, autocapitalize: 'off' });
  const name = textInput('name');
  const description = textArea('description');
  const owner = textInput('owner-user-id', '', { required: true, autocapitalize: 'off' });
  const askOwner = !caller?.user_id;
  return [
    breadcrumbs(['Organizations', '#/organizations'], ['Create organization']),
    heading('Create organization'),
    form(
      { class: 'card narrow' },
      [
        field('Organization ID', id, 'Lowercase letters, digits and dashes; it stays reserved even after deletion.'),
        field('Name', name),
        field('Description', description),
        askOwner
          ? field('Owner user ID', owner, 'The user who becomes its collaborator with all rights.')
          : h('p', { class: 'hint' }, `You (${caller?.user_id}) become its collaborator with all rights.`),
        actions(submitButton('Create organization'), h('a', { href: '#/organizations' }, 'Cancel')),
      ],
      async () => {
        const user = askOwner ? owner.value.trim() : caller!.user_id!;
        const organization: Record<string, unknown> = { ids: { organization_id: id.value.trim() } };
        if (name.value.trim()) organization.name = name.value.trim();
        if (description.value.trim()) organization.description = description.value.trim();
        const created = await call<any>('POST', `/users/${seg(user)}/organizations`, { organization });
        const newId: string = created.body.ids.organization_id;
        go(recordHref(ORGANIZATIONS, newId), `Organization ${newId} created.`);
      },
    ),
  ];
});

type OrganizationPage = 'overview' | 'collaborators' | 'api-keys' | 'delete';

/** An organization's page: its breadcrumbs, the left-hand menu and the page's content. */
function organizationShell(id: string, active: OrganizationPage, crumbs: string[], content: Child[]): Child[] {
  const items: Array<[OrganizationPage, string]> = [
    ['overview', 'Overview'],
    ['collaborators', 'Collaborators'],
    ['api-keys', 'API keys'],
    ['delete', 'Delete'],
  ];
  return shell(ORGANIZATIONS, id, active, items, crumbs, content);
}

function shell(
  kind: Kind,
  id: string,
  active: string,
  items: ReadonlyArray<readonly [string, string]>,
  crumbs: string[],
  content: Child[],
): Child[] {
  const trail: Array<readonly [string, string?]> = [
    [kind.title, `#/${kind.plural}`],
    [id, recordHref(kind, id)],
  ];
  items.forEach(([page, label]) => {
    if (page === active && page !== 'overview') trail.push([label, recordHref(kind, id, page)]);
  });
  for (const crumb of crumbs) trail.push([crumb]);
  return [
    breadcrumbs(...trail),
    h(
      'div',
      { class: 'record' },
      h(
        'nav',
        { class: 'side-menu', 'aria-label': `${capital(kind.noun)} ${id}` },
        h('p', { class: 'side-title' }, h('span', { class: 'kind' }, capital(kind.noun)), h('code', {}, id)),
        h(
          'ul',
          {},
          ...items.map(([page, label]) =>
            h(
              'li',
              {},
              h(
                'a',
                {
                  href: page === 'overview' ? recordHref(kind, id) : recordHref(kind, id, page),
                  'aria-current': page === active ? 'page' : undefined,
                  class: page === 'delete' ? 'danger-link' : undefined,
                },
                label,
              ),
            ),
          ),
        ),
      ),
      h('div', { class: 'record-content' }, content),
    ),
  ];
}

/** The overview of an organization or entity: its facts and the form that edits them. */
async function overview(kind: Kind, id: string, extra: Child[], fanout: boolean): Promise<Child[]> {
  const path = `/${kind.plural}/${seg(id)}`;
  const record = await get<any>(`${path}?field_mask=all`);
  const name = textInput('name', record.name ?? '');
  const description = textArea('description', record.description ?? '');
  const attributes = attributesEditor(record.attributes ?? {});
  const fanoutBox = h('input', { type: 'checkbox', name: 'fanout-notifications', id: uid() });
  fanoutBox.checked = record.fanout_notifications === true;
  return [
    heading(record.name ? record.name : id),
    record.name ? h('p', { class: 'subtitle' }, h('code', {}, id)) : null,
    h(
      'dl',
      { class: 'facts' },
      h('dt', {}, kind.idLabel),
      h('dd', {}, h('code', {}, id)),
      h('dt', {}, 'Created'),
      h('dd', {}, when(record.created_at)),
      h('dt', {}, 'Updated'),
      h('dd', {}, when(record.updated_at)),
    ),
    form(
      { class: 'card' },
      [
        h('h2', {}, 'General settings'),
        field('Name', name),
        field('Description', description),
        attributes.element,
        fanout
          ? h(
              'div',
              { class: 'field' },
              h(
                'label',
                { class: 'check', for: fanoutBox.id },
                fanoutBox,
                h('span', {}, 'Fan out notifications to the members'),
              ),
            )
          : null,
        actions(submitButton('Save changes')),
      ],
      async () => {
        const wasFanout = record.fanout_notifications === true;
        const { body, paths } = updateBody(
          kind.name,
          record,
          { name: name.value, description: description.value, attributes: attributes.changes() },
          fanout && fanoutBox.checked !== wasFanout ? { fanout_notifications: fanoutBox.checked } : {},
        );
        if (paths.length === 0) {
          showStatus('Nothing changed.');
          return;
        }
        await call('PUT', path, body);
        go(location.hash, `${capital(kind.noun)} ${id} updated (${paths.join(', ')}).`);
      },
    ),
    extra,
  ];
}

route(/^\/organizations\/([^/]+)(?:\/overview)?$/, async ({ params: [id] }) => {
  const rights = await get<string[]>(`/organizations/${seg(id!)}/rights`).catch(() => undefined);
  const extra: Child[] = [
    h(
      'section',
      { class: 'card' },
      h('h2', {}, 'Your rights here'),
      rights === undefined
        ? h('p', { class: 'muted' }, 'Not available.')
        : h(
            'details',
            {},
            h('summary', {}, `${rights.length} right${rights.length === 1 ? '' : 's'} (expanded)`),
            rightTags(rights),
          ),
      h('p', {}, h('a', { href: `#/activity?organization_id=${seg(id!)}` }, `Activity of ${id}`)),
    ),
  ];
  return organizationShell(id!, 'overview', [], await overview(ORGANIZATIONS, id!, extra, true));
});

// Collaborators of an organization

route(/^\/organizations\/([^/]+)\/collaborators$/, async ({ params: [id], query }) => {
  const page = pageNumber(query);
  const { body: items, nextPage } = await call<any[]>(
    'GET',
    `/organizations/${seg(id!)}/collaborators${qs({ limit: pageSize(query), page })}`,
  );
  const base = recordHref(ORGANIZATIONS, id!, 'collaborators');
  const rows = items.map((item) => {
    const user: string = item.ids.user_ids.user_id;
    return [
      h('code', {}, user),
      rightTags(item.rights),
      h(
        'div',
        { class: 'row-actions' },
        h('a', { href: `${base}/user/${seg(user)}`, 'aria-label': `Edit ${user}` }, 'Edit'),
        confirmButton('Remove', `Remove ${user}?`, async () => {
          await call('DELETE', `/organizations/${seg(id!)}/collaborators/user/${seg(user)}`);
          go(base, `Collaborator ${user} removed.`);
        }),
      ),
    ];
  });
  return organizationShell(
    id!,
    'collaborators',
    [],
    [
      h('div', { class: 'page-head' }, heading('Collaborators'), linkButton(`${base}/add`, 'Add collaborator')),
      items.length === 0
        ? h('p', { class: 'empty' }, 'No collaborators.')
        : table(['User ID', 'Rights', 'Actions'], rows, `Collaborators of ${id}`),
      items.length > 0 || page > 1 ? pager(base, query, page, nextPage) : null,
    ],
  );
});

/** The form that adds a collaborator or changes one's rights (organization or entity). */
function collaboratorForm(options: {
  groups: readonly GroupName[];
  types: ReadonlyArray<'user' | 'organization'>;
  existing?: { type: 'user' | 'organization'; id: string; rights: string[] };
  save: (type: 'user' | 'organization', account: string, rights: string[]) => Promise<void>;
  remove?: () => Promise<void>;
  cancel: string;
}): HTMLElement {
  const { existing } = options;
  const type = select(
    'collaborator-type',
    options.types.map((t) => [t, t === 'user' ? 'User' : 'Organization'] as const),
    existing?.type,
  );
  const account = textInput('collaborator-id', existing?.id ?? '', {
    required: true,
    readonly: existing !== undefined,
    autocapitalize: 'off',
  });
  const picker = rightsPicker(options.groups, existing?.rights ?? []);
  const typeField = options.types.length > 1 && !existing ? field('Collaborator type', type) : null;
  const accountLabel =
    options.types.length > 1 ? 'User or organization ID' : options.types[0] === 'user' ? 'User ID' : 'Organization ID';
  return form(
    { class: 'card' },
    [
      typeField,
      field(
        existing ? (existing.type === 'user' ? 'User ID' : 'Organization ID') : accountLabel,
        account,
        existing ? undefined : 'A user that does not exist yet is registered.',
      ),
      h('h2', {}, 'Rights'),
      picker.element,
      actions(
        submitButton(existing ? 'Save rights' : 'Add collaborator'),
        h('a', { href: options.cancel }, 'Cancel'),
        options.remove ? confirmButton('Remove collaborator', `Remove ${existing?.id}?`, options.remove) : null,
      ),
    ],
    async () => {
      const chosen =
        existing?.type ?? (options.types.length > 1 ? (type.value as 'user' | 'organization') : options.types[0]!);
      await options.save(chosen, account.value.trim(), picker.value());
    },
  );
}

route(/^\/organizations\/([^/]+)\/collaborators\/add$/, async ({ params: [id] }) => {
  const base = recordHref(ORGANIZATIONS, id!, 'collaborators');
  return organizationShell(
    id!,
    'collaborators',
    ['Add'],
    [
      heading('Add collaborator'),
      collaboratorForm({
        groups: ORGANIZATION_GROUPS,
        types: ['user'],
        cancel: base,
        save: async (_type, user, rights) => {
          await call('PUT', `/organizations/${seg(id!)}/collaborators`, {
            collaborator: { ids: { user_ids: { user_id: user } }, rights },
          });
          go(base, `Collaborator ${user} added.`);
        },
      }),
    ],
  );
});

route(/^\/organizations\/([^/]+)\/collaborators\/user\/([^/]+)$/, async ({ params: [id, user] }) => {
  const base = recordHref(ORGANIZATIONS, id!, 'collaborators');
  const collaborator = await get<any>(`/organizations/${seg(id!)}/collaborator/user/${seg(user!)}`);
  return organizationShell(
    id!,
    'collaborators',
    [user!],
    [
      heading(`Edit ${user}`),
      collaboratorForm({
        groups: ORGANIZATION_GROUPS,
        types: ['user'],
        existing: { type: 'user', id: user!, rights: collaborator.rights ?? [] },
        cancel: base,
        save: async (_type, account, rights) => {
          await call('PUT', `/organizations/${seg(id!)}/collaborators`, {
            collaborator: { ids: { user_ids: { user_id: account } }, rights },
          });
          go(base, `Rights of ${account} saved.`);
        },
        remove: async () => {
          await call('DELETE', `/organizations/${seg(id!)}/collaborators/user/${seg(user!)}`);
          go(base, `Collaborator ${user} removed.`);
        },
      }),
    ],
  );
});

// API keys of an organization

route(/^\/organizations\/([^/]+)\/api-keys$/, async ({ params: [id], query }) => {
  const page = pageNumber(query);
  const { body: keys, nextPage } = await call<any[]>(
    'GET',
    `/organizations/${seg(id!)}/api-keys${qs({ limit: pageSize(query), page })}`,
  );
  const base = recordHref(ORGANIZATIONS, id!, 'api-keys');
  return organizationShell(
    id!,
    'api-keys',
    [],
    [
      h('div', { class: 'page-head' }, heading('API keys'), linkButton(`${base}/add`, 'Add API key')),
      keys.length === 0
        ? h('p', { class: 'empty' }, 'No API keys.')
        : table(
            ['ID', 'Name', 'Rights', 'Expires', 'Actions'],
            keys.map((key) => [
              h('code', {}, key.id),
              key.name ?? '',
              rightTags(key.rights),
              key.expires_at ? when(key.expires_at, true) : 'never',
              h(
                'div',
                { class: 'row-actions' },
                h('a', { href: `${base}/${seg(key.id)}`, 'aria-label': `Edit API key ${key.id}` }, 'Edit'),
                confirmButton('Delete', `Delete key ${key.id}?`, async () => {
                  await call('DELETE', `/organizations/${seg(id!)}/api-keys/${seg(key.id)}`);
                  go(base, `API key ${key.id} deleted.`);
                }),
              ),
            ]),
            `API keys of ${id}`,
          ),
      keys.length > 0 || page > 1 ? pager(base, query, page, nextPage) : null,
    ],
  );
});

/** `2030-01-31` (a date input's value) → the expiry The Things Stack takes: that day, 00:00 UTC. */
const expiryOf = (date: string) => `${date}T00:00:00Z`;

route(/^\/organizations\/([^/]+)\/api-keys\/add$/, async ({ params: [id] }) => {
  const base = recordHref(ORGANIZATIONS, id!, 'api-keys');
  const name = textInput('name');
  const expiry = h('input', { type: 'date', name: 'expiry' });
  const picker = rightsPicker(ORGANIZATION_GROUPS);
  const holder = h('div', { class: 'key-flow' });
  holder.append(
    heading('Add API key'),
    form(
      { class: 'card' },
      [
        field('Name', name),
        field('Expiry date', expiry, 'Optional: the key stops working on this day (00:00 UTC).'),
        h('h2', {}, 'Rights'),
        picker.element,
        actions(submitButton('Create API key'), h('a', { href: base }, 'Cancel')),
      ],
      async () => {
        const created = (
          await call<any>('POST', `/organizations/${seg(id!)}/api-keys`, {
            name: name.value.trim() || undefined,
            rights: picker.value(),
            expires_at: expiry.value ? expiryOf(expiry.value) : undefined,
          })
        ).body;
        holder.replaceChildren(...keyShownOnce(base, created));
        holder.querySelector('h1')?.focus();
        document.title = 'Copy your new API key · orgs Console';
      },
    ),
  );
  return organizationShell(id!, 'api-keys', ['Add'], [holder]);
});

/** The one screen that shows a new key's secret, with Copy and "I have copied the key". */
function keyShownOnce(base: string, key: any): Node[] {
  const value = h('textarea', { readonly: true, id: uid('api-key'), class: 'secret', spellcheck: 'false', rows: 2 });
  value.value = key.key;
  const feedback = h('p', { class: 'copy-feedback', role: 'status' });
  const copy = button(
    'Copy',
    async () => {
      try {
        if (!navigator.clipboard) throw new Error('no clipboard');
        await navigator.clipboard.writeText(key.key);
        feedback.textContent = 'Copied to the clipboard.';
      } catch {
        value.focus();
        value.select();
        feedback.textContent = 'The browser did not allow copying: the key is selected, press Ctrl+C (⌘C) to copy it.';
      }
    },
    'secondary',
  );
  return [
    heading('Copy your new API key'),
    h(
      'div',
      { class: 'card warning' },
      h(
        'p',
        {},
        h('strong', {}, 'This is the only time the key is shown. '),
        'Copy it and keep it somewhere safe: it cannot be shown again. If you lose it, create a new one.',
      ),
      h(
        'div',
        { class: 'field' },
        h('label', { for: value.id }, 'API key'),
        h('div', { class: 'secret-row' }, value, copy),
      ),
      feedback,
      h(
        'dl',
        { class: 'facts' },
        h('dt', {}, 'ID'),
        h('dd', {}, h('code', {}, key.id)),
        key.name ? [h('dt', {}, 'Name'), h('dd', {}, key.name)] : null,
        h('dt', {}, 'Expires'),
        h('dd', {}, key.expires_at ? when(key.expires_at, true) : 'never'),
        h('dt', {}, 'Rights'),
        h('dd', {}, rightTags(key.rights)),
      ),
      actions(button('I have copied the key', () => go(base, `API key ${key.id} created.`), 'primary')),
    ),
  ];
}

route(/^\/organizations\/([^/]+)\/api-keys\/([^/]+)$/, async ({ params: [id, keyId] }) => {
  const base = recordHref(ORGANIZATIONS, id!, 'api-keys');
  const path = `/organizations/${seg(id!)}/api-keys/${seg(keyId!)}`;
  const key = await get<any>(path);
  const name = textInput('name', key.name ?? '');
  const before = key.expires_at ? String(key.expires_at).slice(0, 10) : '';
  const expiry = h('input', { type: 'date', name: 'expiry' });
  expiry.value = before;
  const picker = rightsPicker(ORGANIZATION_GROUPS, key.rights ?? []);
  return organizationShell(
    id!,
    'api-keys',
    [keyId!],
    [
      heading(key.name ? `API key ${key.name}` : `API key ${keyId}`),
      h(
        'dl',
        { class: 'facts' },
        h('dt', {}, 'ID'),
        h('dd', {}, h('code', {}, key.id)),
        h('dt', {}, 'Created'),
        h('dd', {}, when(key.created_at)),
        h('dt', {}, 'Updated'),
        h('dd', {}, when(key.updated_at)),
      ),
      form(
        { class: 'card' },
        [
          field('Name', name),
          field(
            'Expiry date',
            expiry,
            'The key stops working on this day (00:00 UTC). An expiry can be moved, not removed.',
          ),
          h('h2', {}, 'Rights'),
          picker.element,
          actions(
            submitButton('Save changes'),
            h('a', { href: base }, 'Cancel'),
            confirmButton('Delete API key', `Delete key ${key.id}?`, async () => {
              await call('DELETE', path);
              go(base, `API key ${key.id} deleted.`);
            }),
          ),
        ],
        async () => {
          const change: Record<string, unknown> = { name: name.value.trim(), rights: picker.value() };
          if (expiry.value && expiry.value !== before) change.expires_at = expiryOf(expiry.value);
          await call('PUT', path, { api_key: change });
          go(base, `API key ${key.id} saved.`);
        },
      ),
    ],
  );
});

/** Deletion, confirmed by typing the ID (organization or entity). */
function deletePage(kind: Kind, id: string, consequences: string): Child[] {
  const confirmInput = textInput('confirm-id', '', { autocapitalize: 'off' });
  return [
    heading(`Delete ${kind.noun}`),
    form(
      { class: 'card danger-zone' },
      [
        h('p', {}, `Deleting ${kind.noun} `, h('code', {}, id), `: ${consequences}`),
        field(`Type the ${kind.noun} ID (${id}) to confirm`, confirmInput),
        actions(submitButton(`Delete ${kind.noun}`, 'danger'), h('a', { href: recordHref(kind, id) }, 'Cancel')),
      ],
      async () => {
        if (confirmInput.value.trim() !== id) {
          confirmInput.focus();
          throw new Error(`Type ${id} to confirm the deletion.`);
        }
        await call('DELETE', `/${kind.plural}/${seg(id)}`);
        go(
          `#/${kind.plural}?deleted=true`,
          `${capital(kind.noun)} ${id} deleted. It can be restored from this list for a while.`,
        );
      },
    ),
  ];
}

route(/^\/organizations\/([^/]+)\/delete$/, async ({ params: [id] }) =>
  organizationShell(
    id!,
    'delete',
    [],
    [
      ...deletePage(
        ORGANIZATIONS,
        id!,
        'its collaborators and API keys stop working with it. Its ID stays reserved: no new organization can take it. It can be restored within the restore window.',
      ),
    ],
  ),
);

// ---------------------------------------------------------------------------------------------
// Applications, gateways and OAuth clients

const ENTITY = '(applications|gateways|clients)';

function entityShell(kind: EntityKind, id: string, active: string, crumbs: string[], content: Child[]): Child[] {
  return shell(
    kind,
    id,
    active,
    [
      ['overview', 'Overview'],
      ['collaborators', 'Collaborators'],
      ['rights', 'Effective rights'],
      ['delete', 'Delete'],
    ],
    crumbs,
    content,
  );
}

route(new RegExp(`^/${ENTITY}$`), ({ params: [plural], query }) => listPage(kindOf(plural!), query));

route(new RegExp(`^/${ENTITY}/add$`), async ({ params: [plural] }) => {
  const kind = kindOf(plural!);
  const id = textInput('id', '', { required: true, autocapitalize: 'off' });
  const name = textInput('name');
  const description = textArea('description');
  const ownerType = select('owner-type', [
    ['user', 'User'],
    ['organization', 'Organization'],
  ]);
  const owner = textInput('owner-id', caller?.user_id ?? '', { required: true, autocapitalize: 'off' });
  ownerType.addEventListener('change', () => {
    owner.value = ownerType.value === 'user' ? (caller?.user_id ?? '') : '';
  });
  return [
    breadcrumbs([kind.title, `#/${kind.plural}`], [`Create ${kind.noun}`]),
    heading(`Create ${kind.noun}`),
    form(
      { class: 'card narrow' },
      [
        field(kind.idLabel, id, 'Lowercase letters, digits and dashes; it stays reserved even after deletion.'),
        field('Name', name),
        field('Description', description),
        field('Owner type', ownerType),
        field('Owner ID', owner, 'The user or organization that becomes its collaborator with all rights.'),
        actions(submitButton(`Create ${kind.noun}`), h('a', { href: `#/${kind.plural}` }, 'Cancel')),
      ],
      async () => {
        const record: Record<string, unknown> = { ids: { [kind.idKey]: id.value.trim() } };
        if (name.value.trim()) record.name = name.value.trim();
        if (description.value.trim()) record.description = description.value.trim();
        const ownerPath = ownerType.value === 'user' ? 'users' : 'organizations';
        const created = await call<any>('POST', `/${ownerPath}/${seg(owner.value.trim())}/${kind.plural}`, {
          [kind.name]: record,
        });
        const newId: string = created.body.ids[kind.idKey];
        go(recordHref(kind, newId), `${capital(kind.noun)} ${newId} created.`);
      },
    ),
  ];
});

route(new RegExp(`^/${ENTITY}/([^/]+)(?:/overview)?$`), async ({ params: [plural, id] }) => {
  const kind = kindOf(plural!);
  const extra = [h('p', {}, h('a', { href: `#/activity?${kind.name}_id=${seg(id!)}` }, `Activity of ${id}`))];
  return entityShell(kind, id!, 'overview', [], await overview(kind, id!, extra, false));
});

/** `{ids: {user_ids: {user_id}}}` → ['user', 'user1']. */
function collaboratorOf(item: any): ['user' | 'organization', string] {
  if (item.ids?.organization_ids) return ['organization', item.ids.organization_ids.organization_id];
  return ['user', item.ids?.user_ids?.user_id];
}

const collaboratorIds = (type: 'user' | 'organization', account: string) =>
  type === 'user' ? { user_ids: { user_id: account } } : { organization_ids: { organization_id: account } };

route(new RegExp(`^/${ENTITY}/([^/]+)/collaborators$`), async ({ params: [plural, id], query }) => {
  const kind = kindOf(plural!);
  const page = pageNumber(query);
  const path = `/${kind.plural}/${seg(id!)}`;
  const { body: items, nextPage } = await call<any[]>(
    'GET',
    `${path}/collaborators${qs({ limit: pageSize(query), page })}`,
  );
  const base = recordHref(kind, id!, 'collaborators');
  const rows = items.map((item) => {
    const [type, account] = collaboratorOf(item);
    return [
      type === 'user' ? 'User' : 'Organization',
      h('code', {}, account),
      rightTags(item.rights),
      h(
        'div',
        { class: 'row-actions' },
        h('a', { href: `${base}/${type}/${seg(account)}`, 'aria-label': `Edit ${account}` }, 'Edit'),
        confirmButton('Remove', `Remove ${account}?`, async () => {
          await call('DELETE', `${path}/collaborators/${type}/${seg(account)}`);
          go(base, `Collaborator ${account} removed.`);
        }),
      ),
    ];
  });
  return entityShell(
    kind,
    id!,
    'collaborators',
    [],
    [
      h('div', { class: 'page-head' }, heading('Collaborators'), linkButton(`${base}/add`, 'Add collaborator')),
      items.length === 0
        ? h('p', { class: 'empty' }, 'No collaborators.')
        : table(['Type', 'ID', 'Rights', 'Actions'], rows, `Collaborators of ${id}`),
      items.length > 0 || page > 1 ? pager(base, query, page, nextPage) : null,
    ],
  );
});

route(new RegExp(`^/${ENTITY}/([^/]+)/collaborators/add$`), async ({ params: [plural, id] }) => {
  const kind = kindOf(plural!);
  const base = recordHref(kind, id!, 'collaborators');
  return entityShell(
    kind,
    id!,
    'collaborators',
    ['Add'],
    [
      heading('Add collaborator'),
      collaboratorForm({
        groups: [kind.group],
        types: ['user', 'organization'],
        cancel: base,
        save: async (type, account, rights) => {
          await call('PUT', `/${kind.plural}/${seg(id!)}/collaborators`, {
            collaborator: { ids: collaboratorIds(type, account), rights },
          });
          go(base, `Collaborator ${account} added.`);
        },
      }),
    ],
  );
});

route(new RegExp(`^/${ENTITY}/([^/]+)/collaborators/(user|organization)/([^/]+)$`), async ({ params }) => {
  const [plural, id, type, account] = params as [string, string, 'user' | 'organization', string];
  const kind = kindOf(plural);
  const base = recordHref(kind, id, 'collaborators');
  const path = `/${kind.plural}/${seg(id)}`;
  const collaborator = await get<any>(`${path}/collaborator/${type}/${seg(account)}`);
  return entityShell(
    kind,
    id,
    'collaborators',
    [account],
    [
      heading(`Edit ${account}`),
      collaboratorForm({
        groups: [kind.group],
        types: ['user', 'organization'],
        existing: { type, id: account, rights: collaborator.rights ?? [] },
        cancel: base,
        save: async (chosen, name, rights) => {
          await call('PUT', `${path}/collaborators`, { collaborator: { ids: collaboratorIds(chosen, name), rights } });
          go(base, `Rights of ${name} saved.`);
        },
        remove: async () => {
          await call('DELETE', `${path}/collaborators/${type}/${seg(account)}`);
          go(base, `Collaborator ${account} removed.`);
        },
      }),
    ],
  );
});

/** One path of `rights?explain=true`: how rights reach the subject. */
function rightsPath(path: any): HTMLElement {
  let title: Child;
  const parts: Child[] = [];
  if (path.via === 'administrator') title = 'As an administrator';
  else if (path.via === 'direct') title = 'Directly, as a collaborator';
  else if (path.via?.organization_ids) {
    const org: string = path.via.organization_ids.organization_id;
    title = ['Through organization ', h('a', { href: recordHref(ORGANIZATIONS, org) }, h('code', {}, org))];
    parts.push(
      h('dt', {}, 'Member rights in the organization'),
      h('dd', {}, rightTags(path.member_rights)),
      h('dt', {}, "The organization's rights here"),
      h('dd', {}, rightTags(path.organization_rights)),
    );
  } else if (path.via?.api_key_id) {
    title = ['Through API key ', h('code', {}, path.via.api_key_id)];
    parts.push(
      h('dt', {}, "The key's rights"),
      h('dd', {}, rightTags(path.key_rights)),
      h('dt', {}, "Its organization's rights here"),
      h('dd', {}, rightTags(path.organization_rights)),
    );
  } else title = JSON.stringify(path.via);
  parts.push(h('dt', {}, 'Rights this path gives'), h('dd', {}, rightTags(path.rights)));
  return h('li', { class: 'card path' }, h('h3', {}, title), h('dl', { class: 'facts' }, parts));
}

route(new RegExp(`^/${ENTITY}/([^/]+)/rights$`), async ({ params: [plural, id], query }) => {
  const kind = kindOf(plural!);
  const base = recordHref(kind, id!, 'rights');
  const userId = query.get('user_id') ?? '';
  const organizationId = query.get('organization_id') ?? '';
  const subject = userId ? 'user' : organizationId ? 'organization' : 'caller';
  const answer = await get<any>(
    `/${kind.plural}/${seg(id!)}/rights${qs({ explain: 'true', user_id: userId || undefined, organization_id: organizationId || undefined })}`,
  );
  const whose = select(
    'subject',
    [
      ['caller', `Mine (${describeCaller(caller)})`],
      ['user', 'A user'],
      ['organization', 'An organization'],
    ],
    subject,
  );
  const account = textInput('subject-id', userId || organizationId, { autocapitalize: 'off' });
  const accountField = field('User or organization ID', account);
  accountField.hidden = subject === 'caller';
  whose.addEventListener('change', () => {
    accountField.hidden = whose.value === 'caller';
  });
  const who = subject === 'caller' ? 'you have' : `${subject} ${userId || organizationId} has`;
  const paths: any[] = answer.paths ?? [];
  return entityShell(
    kind,
    id!,
    'rights',
    [],
    [
      heading('Effective rights'),
      form(
        { class: 'card inline-form' },
        [field('Whose rights', whose), accountField, actions(submitButton('Show rights', 'secondary'))],
        async () => {
          const target = account.value.trim();
          go(
            whose.value === 'caller' || !target
              ? base
              : `${base}?${whose.value === 'user' ? 'user_id' : 'organization_id'}=${seg(target)}`,
          );
        },
      ),
      h('h2', {}, `The rights ${who} on ${id}`),
      rightTags(answer.rights ?? []),
      h('h2', {}, 'Why: the paths they take'),
      paths.length === 0
        ? h('p', { class: 'empty' }, 'No path reaches it: no rights.')
        : h('ol', { class: 'paths' }, ...paths.map(rightsPath)),
    ],
  );
});

route(new RegExp(`^/${ENTITY}/([^/]+)/delete$`), async ({ params: [plural, id] }) => {
  const kind = kindOf(plural!);
  return entityShell(
    kind,
    id!,
    'delete',
    [],
    [
      ...deletePage(
        kind,
        id!,
        'its collaborators lose it. Its ID stays reserved: nothing new can take it. It can be restored within the restore window.',
      ),
    ],
  );
});

// ---------------------------------------------------------------------------------------------
// Activity: the last events, newest last

const EVENT_FILTERS: ReadonlyArray<readonly [string, string]> = [
  ['organization_id', 'Organization ID'],
  ['user_id', 'User ID'],
  ['application_id', 'Application ID'],
  ['gateway_id', 'Gateway ID'],
  ['client_id', 'Client ID'],
];

/** `{organization_ids: {organization_id: 'org1'}}` → a link or code for it. */
function identifierOf(identifier: any): Child {
  const [key, ids] = Object.entries(identifier ?? {})[0] ?? [];
  if (!key || typeof ids !== 'object' || ids === null) return JSON.stringify(identifier);
  const kind = key.replace(/_ids$/, '');
  const id = String(Object.values(ids as Record<string, unknown>)[0] ?? '');
  const label = [`${kind === 'client' ? 'OAuth client' : kind} `, h('code', {}, id)];
  if (kind === 'organization') return h('a', { href: recordHref(ORGANIZATIONS, id) }, label);
  const entity = ENTITY_KINDS.find((k) => k.name === kind);
  if (entity) return h('a', { href: recordHref(entity, id) }, label);
  return h('span', {}, label);
}

route(/^\/activity$/, async ({ query }) => {
  const filters: Record<string, string | undefined> = {};
  for (const [name] of EVENT_FILTERS) filters[name] = query.get(name) ?? undefined;
  const names = query.get('names') ?? '';
  const events = await get<any[]>(`/events${qs({ tail: 100, ...filters, names: names || undefined })}`);
  const inputs = EVENT_FILTERS.map(([name, label]) => [name, textInput(name, filters[name] ?? ''), label] as const);
  const namesInput = textInput('names', names);
  const filterForm = form(
    { class: 'card filters' },
    [
      h('h2', {}, 'Filter'),
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
  );
  const list =
    events.length === 0
      ? h('p', { class: 'empty' }, 'No events.')
      : h(
          'ol',
          { class: 'events' },
          ...events.map((event) =>
            h(
              'li',
              { class: 'event' },
              h(
                'div',
                { class: 'event-head' },
                when(event.time),
                ' ',
                h('strong', {}, event.name),
                ' by ',
                describeCaller(event.caller),
              ),
              h(
                'ul',
                { class: 'identifiers' },
                ...(event.identifiers ?? []).map((identifier: any) => h('li', {}, identifierOf(identifier))),
              ),
              event.data !== undefined
                ? h('details', {}, h('summary', {}, 'Data'), h('pre', {}, JSON.stringify(event.data, null, 2)))
                : null,
            ),
          ),
        );
  return [
    h(
      'div',
      { class: 'page-head' },
      heading('Activity'),
      button('Refresh', () => go(location.hash), 'secondary'),
    ),
    h('p', { class: 'hint' }, `The last ${events.length === 100 ? '100' : events.length} events, newest last.`),
    filterForm,
    list,
  ];
});

// ---------------------------------------------------------------------------------------------
// Start

async function start(): Promise<void> {
  frame();
  try {
    caller = await get<Caller>('/auth_info');
  } catch (error) {
    showError(error);
  }
  whoBox.textContent = `Signed in as ${describeCaller(caller)}`;
  window.addEventListener('hashchange', () => void render());
  await render();
}

void start();
