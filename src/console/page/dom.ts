/** Building the DOM: elements, form fields, moments and dates, without markup from strings. */

export type Child = Node | string | number | null | undefined | false | readonly Child[];
type AttrValue = string | number | boolean | null | undefined | ((event: any) => void);
export type Attrs = Record<string, AttrValue>;

/** `h('a', {href: '#/x', onclick: f}, 'text')`: an element; `on…` attributes become listeners. */
export function h<K extends keyof HTMLElementTagNameMap>(
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

export function append(parent: Node, children: readonly Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(parent, child);
    else parent.appendChild(typeof child === 'object' ? (child as Node) : document.createTextNode(String(child)));
  }
}

let lastId = 0;
/** A number no element of the page has had in its id yet. */
export const nextId = () => ++lastId;
export const uid = (prefix = 'field') => `${prefix}-${nextId()}`;

type Control = HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement;

/** A labelled form field, with an optional hint read out with it. */
export function field(label: string, control: Control, hint?: string): HTMLElement {
  if (!control.id) control.id = uid();
  const parts: Child[] = [h('label', { for: control.id }, label), control];
  if (hint) {
    const id = uid('hint');
    control.setAttribute('aria-describedby', id);
    parts.push(h('p', { class: 'hint', id }, hint));
  }
  return h('div', { class: 'field' }, parts);
}

export function textInput(name: string, value = '', attrs: Attrs = {}): HTMLInputElement {
  const input = h('input', { type: 'text', name, autocomplete: 'off', spellcheck: 'false', ...attrs });
  input.value = value;
  return input;
}

export function textArea(name: string, value = ''): HTMLTextAreaElement {
  const area = h('textarea', { name, rows: 3 });
  area.value = value;
  return area;
}

export function select(
  name: string,
  options: ReadonlyArray<readonly [string, string]>,
  value?: string,
): HTMLSelectElement {
  const node = h('select', { name }, ...options.map(([v, label]) => h('option', { value: v }, label)));
  if (value !== undefined) node.value = value;
  return node;
}

const pad2 = (n: number) => String(n).padStart(2, '0');

/** A moment near now as a person says it: `11:48`, `tomorrow 11:48`, `2026-12-09 11:48`. */
export function moment(ms: number): HTMLTimeElement {
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
export function when(iso: string | undefined, dateOnly = false): Child {
  if (!iso) return '—';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const pad = (n: number) => String(n).padStart(2, '0');
  const day = `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
  const text = dateOnly ? day : `${day} ${pad(date.getHours())}:${pad(date.getMinutes())}`;
  return h('time', { datetime: iso, title: iso }, text);
}

export const capital = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);
