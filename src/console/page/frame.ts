/** The frame: header, menu, alert and status regions, the view; the router. */

import { append, type Child, h } from './dom.js';

const main = h('main', { id: 'main', tabindex: -1 });
export const alertBox = h('div', { id: 'alert', class: 'alert', role: 'alert' });
export const statusBox = h('div', { id: 'status', class: 'status', role: 'status' });
const view = h('div', { id: 'view' });
export const whoBox = h('p', { class: 'who' });

const TOP_MENU: ReadonlyArray<readonly [string, string]> = [
  ['organizations', 'Organizations'],
  ['applications', 'Applications'],
  ['gateways', 'Gateways'],
  ['clients', 'OAuth clients'],
  ['activity', 'Activity'],
];
const topLinks = TOP_MENU.map(([path, label]) => h('a', { href: `#/${path}`, 'data-section': path }, label));

export function frame(): void {
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

export function showError(error: unknown): void {
  const message = error instanceof Error ? error.message : String(error);
  alertBox.replaceChildren(h('p', {}, message));
  alertBox.scrollIntoView({ block: 'nearest' });
}

export function showStatus(message: string): void {
  statusBox.replaceChildren(h('p', {}, message));
}

interface Args {
  params: string[];
  query: URLSearchParams;
}

type Page = (args: Args) => Promise<Child[]>;

const routes: Array<[RegExp, Page]> = [];
export const route = (pattern: RegExp, page: Page) => routes.push([pattern, page]);

/** A message for the next page shown (after a change that navigates). */
let flash: string | undefined;
/** Asked before the page is left, while it shows what cannot be shown again (a new key). */
let leaveQuestion: string | undefined;
/** The hash of the page shown, to come back to when leaving it is called off. */
let shownHash = '';
/** Counts the pages shown: work of a page still under way stops once another is shown. */
export let generation = 0;
let firstRender = true;

/** Asks `question` before the page shown is left (undefined: leaves without asking). */
export function askBeforeLeaving(question: string | undefined): void {
  leaveQuestion = question;
}

/** Goes to `hash`, showing `message` there; renders again when already there. */
export function go(hash: string, message?: string): void {
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

/** Shows the page of the address, and then the page of each address gone to. */
export async function startRouting(): Promise<void> {
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

/** A page's heading, focused when the page is shown (for keyboards and screen readers). */
export const heading = (text: string, ...more: Child[]) => h('h1', { tabindex: -1 }, text, ...more);
