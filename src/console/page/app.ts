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

import { type EntityKindName, KINDS } from '../../core/kinds.js';
import { CATALOGUE, compactRights } from '../../core/rights.js';

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

const pad2 = (n: number) => String(n).padStart(2, '0');

/** A moment near now as a person says it: `11:48`, `tomorrow 11:48`, `2026-12-09 11:48`. */
function moment(ms: number): HTMLTimeElement {
  const date = new Date(ms);
  const dayOf = (d: Date) => new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime();
  const days = Math.round((dayOf(date) - dayOf(new Date())) / 86_400_000);
  const time = `${pad2(date.getHours())}:${pad2(date.getMinutes())}`;
  const day =
    days === 0
      ? ''
      : days === 1
        ? 'tomorrow '
        : days === -1
          ? 'yesterday '
          : `${date.getFullYear()}-${pad2(date.getMonth() + 1)}-${pad2(date.getDate())} `;
  const iso = date.toISOString();
  return h('time', { datetime: iso, title: iso }, `${day}${time}`);
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
    /** The error's name (`id_taken`): what a form looks at to show it under the right field. */
    readonly errorName = '',
  ) {
    super(message);
  }
}

/** What the person reads for the API's errors: plain sentences, not the CLI's codes and flags. */
const PLAIN_ERRORS: Record<string, string> = {
  no_collaborator_rights: 'Choose at least one right.',
  no_api_key_rights: 'Choose at least one right.',
  id_taken: 'This ID is already taken.',
  invalid_organization_id: 'Use 3 to 36 lowercase letters, digits and single dashes inside, such as radio-team.',
  invalid_application_id: 'Use 3 to 36 lowercase letters, digits and single dashes inside, such as soil-sensors.',
  invalid_gateway_id: 'Use 3 to 36 lowercase letters, digits and single dashes inside, such as roof-gateway.',
  invalid_client_id: 'Use 3 to 36 lowercase letters, digits and single dashes inside, such as my-client.',
  invalid_user_id: 'Use 2 to 36 lowercase letters, digits and single dashes inside, such as alice.',
  user_not_found: 'There is no user with this ID.',
  caller_is_organization: 'This ID is an organization, not a user.',
  nested_organizations: 'An organization cannot be a member of an organization: name a user.',
  invalid_names:
    'This is not a filter of event names: give exact names separated by commas, or one /regular expression/.',
  purge_needs_admin: 'Only an administrator can purge.',
  restore_window_expired: 'It was deleted too long ago to be restored; an administrator can purge it.',
  unauthenticated: 'The Console no longer knows this browser: run orgs console again and open the link it prints.',
};

/**
 * `error:auth:insufficient_rights (the caller lacks RIGHT_X on …)` → a sentence: the table's, or
 * the API's message without its code, rights named as the lists name them and no CLI flags.
 */
function plainMessage(name: string, message: string): string {
  if (PLAIN_ERRORS[name]) return PLAIN_ERRORS[name];
  const detail = (/^error:[^:\s]+:[^\s]+ \(([\s\S]*)\)$/.exec(message)?.[1] ?? message)
    .replace(/\bRIGHT_[A-Z_]+(?:, RIGHT_[A-Z_]+)*/g, (names) => rightsInWords(names.split(', ')))
    .replace(/(?:at least one )?--right-\* flags?/g, 'rights')
    .replace(/--([a-z]+(?:-[a-z]+)*)/g, (_, flag: string) => flag.replaceAll('-', ' '))
    .replace(/\bthe caller lacks\b/g, 'you lack')
    .replace(/\bthe caller has\b/g, 'you have')
    .replace(/\brights it does not hold\b/g, 'rights you do not hold')
    .replace(/\bthe caller\b/g, 'you');
  return capital(detail.endsWith('.') ? detail : `${detail}.`);
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
    const name = typeof value?.name === 'string' ? value.name : '';
    const message = typeof value?.message === 'string' ? value.message : `${response.status} ${response.statusText}`;
    throw new ApiError(plainMessage(name, message), response.status, name);
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
// The rights catalogue (src/core/rights.ts, bundled): the groups an organization and the entities use

type GroupName = 'organization' | 'application' | 'gateway' | 'client';

/** Each group's rights, in the catalogue's order (`…_ALL` last): the core's own catalogue. */
const groupRights = (group: GroupName) => CATALOGUE.filter((right) => right.group === group).map((right) => right.name);
const RIGHTS: Record<GroupName, readonly string[]> = {
  organization: groupRights('organization'),
  application: groupRights('application'),
  gateway: groupRights('gateway'),
  client: groupRights('client'),
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

/** Rights as the CLI's table prints them, one entry per group: `Organization: info, settings-members`. */
const groupedRights = (rights: readonly string[]) =>
  compactRights(rights).map((entry) =>
    entry === 'all' ? 'All rights' : capital(entry.replace(/^client:/, 'OAuth client:')),
  );

/** Rights in a sentence: `Organization: info; Gateway: all`. */
const rightsInWords = (rights: readonly string[]) => groupedRights(rights).join('; ');

/** Rights as small tags, one per group; the exact names in the tooltip. */
function rightTags(rights: readonly string[] | undefined): Child {
  if (rights === undefined) return h('span', { class: 'muted' }, 'not shown');
  if (rights.length === 0) return h('span', { class: 'muted' }, 'none');
  return h(
    'ul',
    { class: 'tags', title: rights.join(', ') },
    ...groupedRights(rights).map((entry) => h('li', {}, entry)),
  );
}

interface RightsPicker {
  element: HTMLElement;
  value(): string[];
}

/**
 * The rights as grouped checkboxes, those given checked. A group's `…_ALL` ("All organization
 * rights": every present and future right) is a choice of its own that disables the group's
 * single boxes, as in The Things Stack's Console. Rights held outside the groups (such as
 * RIGHT_ALL) appear under "Other rights", so that saving keeps them unless unchecked.
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
  const fieldset = (title: string, rights: readonly string[], hiddenLegend = false) => {
    const all = rights.find((right) => /^RIGHT_[A-Z]+_ALL$/.test(right));
    const singles = rights.filter((right) => right !== all);
    const checks = h('div', { class: 'checks' }, ...singles.map(checkbox));
    const allChoice = all ? checkbox(all) : null;
    if (allChoice) {
      const allBox = allChoice.querySelector('input')!;
      allChoice.classList.add('check-all');
      allChoice.append(h('span', { class: 'hint' }, 'Every present and future right of the group'));
      const follow = () => {
        for (const box of checks.querySelectorAll('input')) box.disabled = allBox.checked;
      };
      allBox.addEventListener('change', follow);
      follow();
    }
    return h(
      'fieldset',
      { class: 'right-group' },
      h('legend', hiddenLegend ? { class: 'visually-hidden' } : null, title),
      allChoice,
      checks,
    );
  };
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
  // A box disabled by its group's "All" is not sent: the "All" stands for it.
  return { element, value: () => boxes.filter((box) => box.checked && !box.disabled).map((box) => box.value) };
}

// ---------------------------------------------------------------------------------------------
// The caller

interface Caller {
  user_id?: string;
  admin?: boolean;
  local_administrator?: boolean;
  api_key_id?: string;
  organization_id?: string;
  /** How long a deleted record can be restored (`orgs config set restore-window`). */
  restore_window_ms?: number;
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
/** Asked before the page is left, while it shows what cannot be shown again (a new key). */
let leaveQuestion: string | undefined;
/** The hash of the page shown, to come back to when leaving it is called off. */
let shownHash = '';
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
  leaveQuestion = undefined;
  shownHash = location.hash;
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

function button(text: Child, onclick: () => Promise<void> | void, kind = 'secondary'): HTMLButtonElement {
  return h('button', { type: 'button', class: `button ${kind}`, onclick: () => void guarded(onclick) }, text);
}

/** An error that belongs under one field of a form (its control, or a group such as the rights). */
class FieldError extends Error {
  constructor(
    readonly control: HTMLElement,
    readonly content: Child,
  ) {
    super(typeof content === 'string' ? content : 'invalid');
  }
}

/** Shows `content` under the field of `control`, read out with it (undefined: removes it). */
function showFieldError(control: HTMLElement, content: Child | undefined): void {
  const holder = control.closest('.field') ?? control;
  let box = holder.querySelector<HTMLElement>(':scope > .field-error');
  if (content === undefined || content === '') {
    if (box) {
      const described = (control.getAttribute('aria-describedby') ?? '').split(' ').filter((id) => id !== box!.id);
      if (described.length > 0) control.setAttribute('aria-describedby', described.join(' '));
      else control.removeAttribute('aria-describedby');
      box.remove();
    }
    control.removeAttribute('aria-invalid');
    return;
  }
  if (!box) {
    box = h('p', { class: 'field-error', id: uid('error') });
    holder.append(box);
    const described = control.getAttribute('aria-describedby');
    control.setAttribute('aria-describedby', described ? `${described} ${box.id}` : box.id);
  }
  box.replaceChildren();
  append(box, [content]);
  control.setAttribute('aria-invalid', 'true');
}

/** Which field of a form an error of the API belongs under (by its name), if any. */
type PlaceOfError = (errorName: string) => HTMLElement | undefined;

/**
 * Runs an action; its error goes under its field when it has one, else to the alert region
 * (the messages of the one before go).
 */
async function guarded(action: () => Promise<void> | void, placeOf?: PlaceOfError): Promise<void> {
  alertBox.replaceChildren();
  statusBox.replaceChildren();
  try {
    await action();
  } catch (error) {
    const place =
      error instanceof FieldError ? error.control : error instanceof ApiError ? placeOf?.(error.errorName) : undefined;
    if (!place) return showError(error);
    showFieldError(place, error instanceof FieldError ? error.content : (error as Error).message);
    (place.matches('input, select, textarea')
      ? place
      : place.querySelector<HTMLElement>('input:not(:disabled)')
    )?.focus();
  }
}

/**
 * A form whose submission runs `submit` once at a time, its errors under their fields (`placeOf`)
 * or in the alert region. Enter on a checkbox does not submit it (half-ticked).
 */
function form(attrs: Attrs, children: Child[], submit: () => Promise<void>, placeOf?: PlaceOfError): HTMLFormElement {
  let busy = false;
  return h(
    'form',
    {
      ...attrs,
      novalidate: true,
      onkeydown: (event: KeyboardEvent) => {
        const target = event.target as HTMLInputElement;
        if (event.key === 'Enter' && target.type === 'checkbox') event.preventDefault();
      },
      onsubmit: async (event: Event) => {
        event.preventDefault();
        if (busy) return;
        busy = true;
        const node = event.currentTarget as HTMLFormElement;
        node.setAttribute('aria-busy', 'true');
        for (const control of node.querySelectorAll<HTMLElement>('[aria-invalid]')) showFieldError(control, undefined);
        try {
          await guarded(submit, placeOf);
        } finally {
          busy = false;
          node.removeAttribute('aria-busy');
        }
      },
    },
    children,
  );
}

type IdKind = 'user' | 'organization' | 'entity';

/**
 * What is wrong with an ID (RULES.md's pattern), or undefined. While one types (`complete`
 * false) only what typing more cannot fix is reported: a character or a length too many.
 */
function idProblem(id: string, kind: IdKind, complete: boolean): string | undefined {
  const min = kind === 'user' ? 2 : 3;
  const wrong = /[^a-z0-9-]/.exec(id)?.[0];
  if (wrong) {
    return /[A-Z]/.test(wrong)
      ? 'Use lowercase letters: IDs have no capitals.'
      : `“${wrong}” cannot be in an ID: use lowercase letters, digits and dashes.`;
  }
  if (id.length > 36) return 'At most 36 characters.';
  if (id.startsWith('-') || id.includes('--')) return 'A dash goes between letters or digits, one at a time.';
  if (!complete) return undefined;
  if (id === '') return 'Required.';
  if (id.endsWith('-')) return 'An ID cannot end with a dash.';
  if (id.length < min) return `At least ${min} characters.`;
  return undefined;
}

/**
 * An ID field's input, checked as one types (and completely when it loses the focus). Typing
 * replaces any error under it (the ID changed); leaving it keeps an error it did not cause.
 */
function idInput(name: string, kind: () => IdKind, value = '', attrs: Attrs = {}): HTMLInputElement {
  const input = textInput(name, value, { required: true, autocapitalize: 'off', ...attrs });
  let patternShown = false;
  const check = (complete: boolean, typed: boolean) => {
    const problem = idProblem(input.value.trim(), kind(), complete);
    if (problem === undefined && !typed && !patternShown) return;
    showFieldError(input, problem);
    patternShown = problem !== undefined;
  };
  input.addEventListener('input', () => check(false, true));
  input.addEventListener('blur', () => input.value.trim() !== '' && check(true, false));
  return input;
}

/** The ID of an ID field, or a FieldError saying what is wrong with it. */
function idOf(input: HTMLInputElement, kind: IdKind): string {
  const id = input.value.trim();
  const problem = idProblem(id, kind, true);
  if (problem) throw new FieldError(input, problem);
  return id;
}

const actions = (...children: Child[]) => h('div', { class: 'actions' }, children);
const submitButton = (text: string, kind = 'primary') => h('button', { type: 'submit', class: `button ${kind}` }, text);

/** A button that asks once more before it acts ("Remove" → "Remove user2?" Yes / Cancel). */
function confirmButton(text: string, question: string, act: () => Promise<void>): HTMLElement {
  const holder = h('span', { class: 'confirm' });
  const cancel = () => {
    holder.replaceChildren(first);
    first.focus();
  };
  const ask = () => {
    const no = button('Cancel', cancel);
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
  // Escape closes the question, the focus back on the button that asked it.
  holder.addEventListener('keydown', (event) => {
    if (event.key === 'Escape' && !holder.contains(first)) {
      event.preventDefault();
      cancel();
    }
  });
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

/** How the page names each kind of the core's table (src/core/kinds.ts). */
const KIND_WORDS: Record<EntityKindName, Pick<Kind, 'title' | 'noun' | 'idLabel'>> = {
  application: { title: 'Applications', noun: 'application', idLabel: 'Application ID' },
  gateway: { title: 'Gateways', noun: 'gateway', idLabel: 'Gateway ID' },
  client: { title: 'OAuth clients', noun: 'OAuth client', idLabel: 'Client ID' },
};

const ENTITY_KINDS: readonly EntityKind[] = KINDS.map((kind) => ({
  name: kind.name,
  plural: kind.command,
  idKey: kind.idKey,
  group: kind.group as GroupName,
  ...KIND_WORDS[kind.name],
}));

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
      linkButton(`${base}/add`, `Create ${noun}`),
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
    return (await get<any[]>(path).catch(() => [])).find((item) => item.ids[kind.idKey] === id);
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
async function createOrExplain(kind: Kind, id: string, input: HTMLInputElement, create: () => Promise<void>) {
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
function suggestions(
  input: HTMLInputElement,
  kind: () => 'user' | 'organization',
): HTMLDataListElement & { refill(): Promise<void> } {
  const list = h('datalist', { id: uid('known') });
  input.setAttribute('list', list.id);
  const fill = async () => {
    const wanted = kind();
    let ids: string[] = [];
    if (wanted === 'organization') {
      ids = (await get<any[]>('/organizations?limit=100').catch(() => [])).map((o) => o.ids.organization_id);
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

// ---------------------------------------------------------------------------------------------
// Organizations

route(/^\/organizations$/, ({ query }) => listPage(ORGANIZATIONS, query));

route(/^\/organizations\/add$/, async () => {
  const id = idInput('organization-id', () => 'organization');
  const name = textInput('name');
  const description = textArea('description');
  // The owner defaults to the signed-in user.
  const owner = idInput('owner-user-id', () => 'user', caller?.user_id ?? '');
  return [
    breadcrumbs(['Organizations', '#/organizations'], ['Create organization']),
    heading('Create organization'),
    form(
      { class: 'card narrow' },
      [
        field('Organization ID', id, 'Lowercase letters, digits and dashes; it stays reserved even after deletion.'),
        field('Name', name),
        field('Description', description),
        field('Owner user ID', owner, 'The user who becomes its collaborator with all rights.'),
        suggestions(owner, () => 'user'),
        actions(submitButton('Create organization'), h('a', { href: '#/organizations' }, 'Cancel')),
      ],
      async () => {
        const newId = idOf(id, 'organization');
        const user = idOf(owner, 'user');
        const organization: Record<string, unknown> = { ids: { organization_id: newId } };
        if (name.value.trim()) organization.name = name.value.trim();
        if (description.value.trim()) organization.description = description.value.trim();
        await createOrExplain(ORGANIZATIONS, newId, id, async () => {
          await call<any>('POST', `/users/${seg(user)}/organizations`, { organization });
          go(recordHref(ORGANIZATIONS, newId), `Organization ${newId} created.`);
        });
      },
      (name) =>
        name === 'invalid_organization_id'
          ? id
          : ['invalid_user_id', 'user_not_found', 'caller_is_organization'].includes(name)
            ? owner
            : undefined,
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

type AccountType = 'user' | 'organization';

/** The path of one collaborator: `/organizations/org1/collaborator/user/bob`. */
const collaboratorPath = (record: string, type: AccountType, account: string) =>
  `${record}/collaborator/${type}/${seg(account)}`;

/** A collaborator's rights, or undefined when the account is not a collaborator. */
async function rightsOfCollaborator(record: string, type: AccountType, account: string): Promise<string[] | undefined> {
  try {
    return (await get<any>(collaboratorPath(record, type, account))).rights ?? [];
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return undefined;
    throw error;
  }
}

/** What saving `after` in place of `before` gives and takes away, in words. */
function rightsChange(before: readonly string[], after: readonly string[]): HTMLElement {
  const gained = after.filter((right) => !before.includes(right));
  const lost = before.filter((right) => !after.includes(right));
  return h(
    'dl',
    { class: 'facts change' },
    h('dt', {}, 'Now'),
    h('dd', {}, rightTags(before)),
    h('dt', {}, 'Gained'),
    h('dd', { class: 'gained' }, rightTags(gained)),
    h('dt', {}, 'Lost'),
    h('dd', { class: 'lost' }, rightTags(lost)),
  );
}

/**
 * The form that adds a collaborator or changes one's rights (organization or entity). Adding
 * an account that already is a collaborator switches to editing it: what would be gained and
 * lost is shown, and saving asks to be clicked again (never a silent replacement).
 */
function collaboratorForm(options: {
  /** `/organizations/org1`: where its collaborators are. */
  record: string;
  groups: readonly GroupName[];
  types: readonly AccountType[];
  existing?: { type: AccountType; id: string; rights: string[] };
  save: (type: AccountType, account: string, rights: string[], added: boolean) => Promise<void>;
  remove?: () => Promise<void>;
  cancel: string;
}): HTMLElement {
  let existing = options.existing;
  const type = select(
    'collaborator-type',
    options.types.map((t) => [t, t === 'user' ? 'User' : 'Organization'] as const),
    existing?.type,
  );
  const typeOf = (): AccountType =>
    existing?.type ?? (options.types.length > 1 ? (type.value as AccountType) : options.types[0]!);
  const account = idInput('collaborator-id', typeOf, existing?.id ?? '', { readonly: existing !== undefined });
  const known = existing ? null : suggestions(account, typeOf);
  type.addEventListener('change', () => void known?.refill());
  const picker = rightsPicker(options.groups, existing?.rights ?? []);
  const typeField = options.types.length > 1 && !existing ? field('Collaborator type', type) : null;
  const accountLabel =
    options.types.length > 1 ? 'User or organization ID' : options.types[0] === 'user' ? 'User ID' : 'Organization ID';
  const change = h('section', { class: 'card warning change-panel', hidden: true, tabindex: -1 });
  const submit = submitButton(existing ? 'Save rights' : 'Add collaborator');
  const showChange = () => {
    if (!existing || change.hidden) return;
    change.replaceChildren(
      h('h2', {}, `${existing.id} is already a collaborator`),
      h('p', {}, `Saving replaces the rights ${existing.id} holds now:`),
      rightsChange(existing.rights, picker.value()),
    );
  };
  picker.element.addEventListener('change', showChange);
  return form(
    { class: 'card' },
    [
      typeField,
      field(
        existing ? (existing.type === 'user' ? 'User ID' : 'Organization ID') : accountLabel,
        account,
        existing ? undefined : 'A user that does not exist yet is registered.',
      ),
      known,
      h('h2', {}, 'Rights'),
      picker.element,
      change,
      actions(
        submit,
        h('a', { href: options.cancel }, 'Cancel'),
        options.remove ? confirmButton('Remove collaborator', `Remove ${existing?.id}?`, options.remove) : null,
      ),
    ],
    async () => {
      const chosen = typeOf();
      const id = idOf(account, chosen);
      const rights = picker.value();
      if (rights.length === 0) throw new FieldError(picker.element, 'Choose at least one right.');
      if (!existing) {
        const held = await rightsOfCollaborator(options.record, chosen, id);
        if (held !== undefined) {
          // Already a collaborator: edit it, after showing what would change.
          existing = { type: chosen, id, rights: held };
          account.readOnly = true;
          typeField?.remove();
          document.querySelector('h1')!.textContent = `Edit ${id}`;
          submit.textContent = `Save ${id}'s rights`;
          change.hidden = false;
          showChange();
          change.focus();
          return;
        }
        return options.save(chosen, id, rights, true);
      }
      await options.save(chosen, id, rights, false);
    },
    (name) =>
      name === 'no_collaborator_rights' ? picker.element : /_id$|not_found$|^nested/.test(name) ? account : undefined,
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
        record: `/organizations/${seg(id!)}`,
        groups: ORGANIZATION_GROUPS,
        types: ['user'],
        cancel: base,
        save: async (_type, user, rights, added) => {
          await call('PUT', `/organizations/${seg(id!)}/collaborators`, {
            collaborator: { ids: { user_ids: { user_id: user } }, rights },
          });
          go(base, added ? `Collaborator ${user} added.` : `Rights of ${user} saved.`);
        },
      }),
    ],
  );
});

route(/^\/organizations\/([^/]+)\/collaborators\/user\/([^/]+)$/, async ({ params: [id, user] }) => {
  const base = recordHref(ORGANIZATIONS, id!, 'collaborators');
  const collaborator = await get<any>(collaboratorPath(`/organizations/${seg(id!)}`, 'user', user!));
  return organizationShell(
    id!,
    'collaborators',
    [user!],
    [
      heading(`Edit ${user}`),
      collaboratorForm({
        record: `/organizations/${seg(id!)}`,
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
        leaveQuestion = 'Leave without copying the key? It is shown only once: it cannot be shown again.';
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
      actions(
        button(
          'I have copied the key',
          () => {
            leaveQuestion = undefined;
            go(base, `API key ${key.id} created.`);
          },
          'primary',
        ),
      ),
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
        if (confirmInput.value.trim() !== id) throw new FieldError(confirmInput, `Type ${id} to confirm the deletion.`);
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
  const id = idInput('id', () => 'entity');
  const name = textInput('name');
  const description = textArea('description');
  const ownerType = select('owner-type', [
    ['user', 'User'],
    ['organization', 'Organization'],
  ]);
  const ownerKind = () => ownerType.value as 'user' | 'organization';
  // The owner defaults to the signed-in user.
  const owner = idInput('owner-id', ownerKind, caller?.user_id ?? '');
  const known = suggestions(owner, ownerKind);
  ownerType.addEventListener('change', () => {
    owner.value = ownerKind() === 'user' ? (caller?.user_id ?? '') : '';
    showFieldError(owner, undefined);
    void known.refill();
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
        known,
        actions(submitButton(`Create ${kind.noun}`), h('a', { href: `#/${kind.plural}` }, 'Cancel')),
      ],
      async () => {
        const newId = idOf(id, 'entity');
        const ownerId = idOf(owner, ownerKind());
        const record: Record<string, unknown> = { ids: { [kind.idKey]: newId } };
        if (name.value.trim()) record.name = name.value.trim();
        if (description.value.trim()) record.description = description.value.trim();
        const ownerPath = ownerKind() === 'user' ? 'users' : 'organizations';
        await createOrExplain(kind, newId, id, async () => {
          await call<any>('POST', `/${ownerPath}/${seg(ownerId)}/${kind.plural}`, { [kind.name]: record });
          go(recordHref(kind, newId), `${capital(kind.noun)} ${newId} created.`);
        });
      },
      (name) =>
        name === `invalid_${kind.idKey}`
          ? id
          : ['invalid_user_id', 'invalid_organization_id', 'user_not_found', 'organization_not_found'].includes(name)
            ? owner
            : undefined,
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
        record: `/${kind.plural}/${seg(id!)}`,
        groups: [kind.group],
        types: ['user', 'organization'],
        cancel: base,
        save: async (type, account, rights, added) => {
          await call('PUT', `/${kind.plural}/${seg(id!)}/collaborators`, {
            collaborator: { ids: collaboratorIds(type, account), rights },
          });
          go(base, added ? `Collaborator ${account} added.` : `Rights of ${account} saved.`);
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
  const collaborator = await get<any>(collaboratorPath(path, type, account));
  return entityShell(
    kind,
    id,
    'collaborators',
    [account],
    [
      heading(`Edit ${account}`),
      collaboratorForm({
        record: path,
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
  // A failed lookup (an unknown or malformed ID) is said under the field; the form stays.
  let failure: string | undefined;
  const answer = await get<any>(
    `/${kind.plural}/${seg(id!)}/rights${qs({ explain: 'true', user_id: userId || undefined, organization_id: organizationId || undefined })}`,
  ).catch((error: unknown) => {
    // The record itself missing, or the Console not answering, is the page's failure, not the field's.
    const fieldsFault =
      error instanceof ApiError && [400, 404].includes(error.status) && error.errorName !== `${kind.name}_not_found`;
    if (!fieldsFault) throw error;
    failure = error.message;
    return undefined;
  });
  const whose = select(
    'subject',
    [
      ['caller', `Mine (${describeCaller(caller)})`],
      ['user', 'A user'],
      ['organization', 'An organization'],
    ],
    subject,
  );
  const subjectKind = () => (whose.value === 'organization' ? 'organization' : 'user');
  const account = idInput('subject-id', subjectKind, userId || organizationId);
  const known = suggestions(account, subjectKind);
  const accountField = field('User or organization ID', account);
  accountField.append(known);
  if (failure) showFieldError(subject === 'caller' ? whose : account, failure);
  accountField.hidden = subject === 'caller';
  whose.addEventListener('change', () => {
    accountField.hidden = whose.value === 'caller';
    void known.refill();
  });
  const who = subject === 'caller' ? 'you have' : `${subject} ${userId || organizationId} has`;
  const paths: any[] = answer?.paths ?? [];
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
          if (whose.value === 'caller') return go(base);
          const target = idOf(account, whose.value === 'user' ? 'user' : 'organization');
          go(`${base}?${whose.value === 'user' ? 'user_id' : 'organization_id'}=${seg(target)}`);
        },
      ),
      answer
        ? [
            h('h2', {}, `The rights ${who} on ${id}`),
            rightTags(answer.rights ?? []),
            h('h2', {}, 'Why: the paths they take'),
            paths.length === 0
              ? h('p', { class: 'empty' }, 'No path reaches it: no rights.')
              : h('ol', { class: 'paths' }, ...paths.map(rightsPath)),
          ]
        : null,
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
// Activity: the last events, newest first, new ones as they come

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
  window.addEventListener('hashchange', () => {
    if (leaveQuestion && location.hash !== shownHash && !window.confirm(leaveQuestion)) {
      history.replaceState(null, '', shownHash);
      return;
    }
    void render();
  });
  window.addEventListener('beforeunload', (event) => {
    if (leaveQuestion) event.preventDefault();
  });
  await render();
}

void start();
