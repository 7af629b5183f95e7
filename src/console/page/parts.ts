/** Pieces the pages share: buttons, forms and their errors, ID fields, tables, paging, attributes. */

import { ApiError } from './api.js';
import { append, type Attrs, type Child, h, nextId, textInput, uid } from './dom.js';
import { alertBox, showError, statusBox } from './frame.js';

/** A link that looks like a button. */
export const linkButton = (href: string, text: string, kind = 'primary') =>
  h('a', { class: `button ${kind}`, href }, text);

export function button(text: Child, onclick: () => Promise<void> | void, kind = 'secondary'): HTMLButtonElement {
  return h('button', { type: 'button', class: `button ${kind}`, onclick: () => void guarded(onclick) }, text);
}

/** An error that belongs under one field of a form (its control, or a group such as the rights). */
export class FieldError extends Error {
  constructor(
    readonly control: HTMLElement,
    readonly content: Child,
  ) {
    super(typeof content === 'string' ? content : 'invalid');
  }
}

/** Shows `content` under the field of `control`, read out with it (undefined: removes it). */
export function showFieldError(control: HTMLElement, content: Child | undefined): void {
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
export function form(
  attrs: Attrs,
  children: Child[],
  submit: () => Promise<void>,
  placeOf?: PlaceOfError,
): HTMLFormElement {
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
export function idInput(name: string, kind: () => IdKind, value = '', attrs: Attrs = {}): HTMLInputElement {
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
export function idOf(input: HTMLInputElement, kind: IdKind): string {
  const id = input.value.trim();
  const problem = idProblem(id, kind, true);
  if (problem) throw new FieldError(input, problem);
  return id;
}

export const actions = (...children: Child[]) => h('div', { class: 'actions' }, children);
export const submitButton = (text: string, kind = 'primary') =>
  h('button', { type: 'submit', class: `button ${kind}` }, text);

/** A button that asks once more before it acts ("Remove" → "Remove user2?" Yes / Cancel). */
export function confirmButton(text: string, question: string, act: () => Promise<void>): HTMLElement {
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

export function breadcrumbs(...items: Array<readonly [string, string?]>): HTMLElement {
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
export function table(columns: readonly string[], rows: ReadonlyArray<readonly Child[]>, caption: string): HTMLElement {
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

export const LIMITS = [10, 20, 50, 100];
export const DEFAULT_PAGE_SIZE = 20;

export function pageSize(query: URLSearchParams): number {
  const limit = Number(query.get('limit'));
  return LIMITS.includes(limit) ? limit : DEFAULT_PAGE_SIZE;
}

export const pageNumber = (query: URLSearchParams) => Math.max(1, Math.floor(Number(query.get('page'))) || 1);

/** Previous / page N / next, as links to the same page with another `page`. */
export function pager(base: string, query: URLSearchParams, page: number, nextPage: number | undefined): HTMLElement {
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
export function attributesEditor(initial: Record<string, string> = {}) {
  const rows = h('div', { class: 'attribute-rows' });
  const pairs: Array<{ key: HTMLInputElement; value: HTMLInputElement; row: HTMLElement }> = [];
  const add = (key = '', value = '', focus = false) => {
    const keyInput = textInput('attribute-key', key);
    const valueInput = textInput('attribute-value', value);
    const n = nextId();
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
export function updateBody(
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
