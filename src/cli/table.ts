/**
 * `--output-format table`: what a person reads. Lists become aligned columns, single items
 * key/value blocks, lists of rights one line per group. Loaded only when asked for, with chalk.
 */
import { Chalk } from 'chalk';
import { groupOf } from '../core/rights.js';

type Cell = string;
type Row = Map<string, Cell>;

export interface TableOptions {
  /** Colour codes (only for a terminal, and never with NO_COLOR). */
  color: boolean;
}

/** `RIGHT_ORGANIZATION_SETTINGS_BASIC` → `organization: settings-basic`, grouped: one entry per group. */
export function compactRights(rights: readonly string[]): string[] {
  const groups = new Map<string, string[]>();
  for (const right of rights) {
    const group = groupOf(right) ?? 'other';
    if (group === 'all') {
      groups.set('all', []);
      continue;
    }
    const prefix = `RIGHT_${group.toUpperCase()}_`;
    const short = right.startsWith(prefix) ? right.slice(prefix.length) : right.slice('RIGHT_'.length);
    groups.set(group, [...(groups.get(group) ?? []), short.toLowerCase().replaceAll('_', '-')]);
  }
  // A group's _ALL stands for the rest of it.
  return [...groups].map(([group, names]) =>
    group === 'all' ? 'all' : `${group}: ${names.includes('all') ? 'all' : names.join(', ')}`,
  );
}

const isRightList = (value: unknown): value is string[] =>
  Array.isArray(value) && value.every((v) => typeof v === 'string' && v.startsWith('RIGHT_'));

function cell(value: unknown, separator: string): Cell {
  if (isRightList(value)) return compactRights(value).join(separator);
  if (Array.isArray(value)) return value.map((v) => cell(v, separator)).join(', ');
  if (value !== null && typeof value === 'object') {
    return Object.entries(value)
      .map(([k, v]) => `${k}=${cell(v, separator)}`)
      .join(', ');
  }
  return String(value);
}

/** `{ ids: { organization_id } , name }` → organization_id, name: nested IDs become columns of their own. */
function flatten(value: Record<string, unknown>, separator: string, row: Row = new Map()): Row {
  for (const [key, field] of Object.entries(value)) {
    if (key === 'ids' || key === 'user_ids') flatten(field as Record<string, unknown>, separator, row);
    else row.set(key, cell(field, separator));
  }
  return row;
}

const title = (key: string) => key.replaceAll('_', ' ').toUpperCase();
const width = (text: string) => [...text].length;
const pad = (text: string, to: number) => text + ' '.repeat(Math.max(0, to - width(text)));

/** Renders a result for a person; an empty list renders as nothing (the caller says so on stderr). */
export function renderTable(value: unknown, options: TableOptions): string {
  const chalk = new Chalk({ level: options.color ? 1 : 0 });
  if (isRightList(value))
    return compactRights(value)
      .map((line) => `${line}\n`)
      .join('');
  if (Array.isArray(value)) {
    if (value.length === 0) return '';
    const rows = value.map((item) => flatten(item as Record<string, unknown>, '; '));
    const columns = [...new Set(rows.flatMap((row) => [...row.keys()]))];
    const widths = columns.map((c) => Math.max(width(title(c)), ...rows.map((row) => width(row.get(c) ?? ''))));
    const line = (cells: string[], style: (text: string, column: number) => string) =>
      cells
        .map((text, i) => style(i === cells.length - 1 ? text : pad(text, widths[i]!), i))
        .join('  ')
        .trimEnd();
    return [
      line(columns.map(title), (text) => chalk.bold(text)),
      ...rows.map((row) =>
        line(
          columns.map((c) => row.get(c) ?? ''),
          (text, i) => (i === 0 ? chalk.cyan(text) : text),
        ),
      ),
    ]
      .map((text) => `${text}\n`)
      .join('');
  }
  if (value !== null && typeof value === 'object') {
    const row = flatten(value as Record<string, unknown>, '\n');
    const keyWidth = Math.max(...[...row.keys()].map((k) => width(title(k)) + 1));
    return [...row]
      .map(([key, text]) => {
        const [first = '', ...rest] = text.split('\n');
        const label = chalk.bold(pad(`${title(key)}:`, keyWidth));
        return [`${label}  ${first}`, ...rest.map((more) => `${' '.repeat(keyWidth)}  ${more}`)].join('\n');
      })
      .map((text) => `${text}\n`)
      .join('');
  }
  return `${String(value)}\n`;
}
