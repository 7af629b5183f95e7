/**
 * `--output-format table`: what a person reads. Lists become aligned columns, single items
 * key/value blocks, lists of rights one line per group. Loaded only when asked for, with chalk.
 */
import { Chalk, type ChalkInstance } from 'chalk';
import stringWidth from 'string-width';
import { escapeControls } from '../core/errors.js';
import { compactRights } from '../core/rights.js';
import { accountOfView } from '../core/views.js';

type Cell = string;
type Row = Map<string, Cell>;

export interface TableOptions {
  /** Colour codes (only for a terminal, and never with NO_COLOR). */
  color: boolean;
}

const isRightList = (value: unknown): value is string[] =>
  Array.isArray(value) && value.every((v) => typeof v === 'string' && v.startsWith('RIGHT_'));

function cell(value: unknown, separator: string): Cell {
  if (isRightList(value)) return compactRights(value).join(separator);
  if (Array.isArray(value)) return value.map((v) => cell(v, separator)).join(', ');
  if (value !== null && typeof value === 'object') {
    // `{"user_ids": {"user_id": "u1"}}` (a contact) reads `user u1`.
    const account = accountOfView(value);
    if (account) return `${account.kind} ${escapeControls(account.id)}`;
    return Object.entries(value)
      .map(([k, v]) => `${escapeControls(k)}=${cell(v, separator)}`)
      .join(', ');
  }
  // Values are the user's: a control character would act on the terminal, a newline break the row.
  return escapeControls(String(value));
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
const pad = (text: string, to: number) => text + ' '.repeat(Math.max(0, to - stringWidth(text)));

/** A result rendered for a person; an empty list renders as nothing (the caller says so on stderr). */
export function renderTable(value: unknown, options: TableOptions): string {
  return new TableWriter(options).render(value);
}

/**
 * Renders results for a person. A list is a table whose header is printed once however many
 * parts it comes in (bulk create prints one per batch): later parts keep the columns (and the
 * widths, which only grow), and print a header again only if they bring a new column.
 */
export class TableWriter {
  private readonly chalk: ChalkInstance;
  private columns: string[] = [];
  private widths: number[] = [];

  constructor(options: TableOptions) {
    this.chalk = new Chalk({ level: options.color ? 1 : 0 });
  }

  render(value: unknown): string {
    if (isRightList(value)) return lines(compactRights(value));
    if (Array.isArray(value)) return this.rows(value);
    if (value !== null && typeof value === 'object') return this.block(value as Record<string, unknown>);
    return lines([escapeControls(String(value))]);
  }

  private rows(items: unknown[]): string {
    if (items.length === 0) return '';
    const rows = items.map((item) => flatten(item as Record<string, unknown>, '; '));
    const added = [...new Set(rows.flatMap((row) => [...row.keys()]))].filter((c) => !this.columns.includes(c));
    this.columns = [...this.columns, ...added];
    this.widths = this.columns.map((c, i) =>
      Math.max(this.widths[i] ?? 0, stringWidth(title(c)), ...rows.map((row) => stringWidth(row.get(c) ?? ''))),
    );
    const line = (cells: string[], style: (text: string, column: number) => string) =>
      cells
        .map((text, i) => style(i === cells.length - 1 ? text : pad(text, this.widths[i]!), i))
        .join('  ')
        .trimEnd();
    const header = added.length > 0 ? [line(this.columns.map(title), (text) => this.chalk.bold(text))] : [];
    return lines([
      ...header,
      ...rows.map((row) =>
        line(
          this.columns.map((c) => row.get(c) ?? ''),
          (text, i) => (i === 0 ? this.chalk.cyan(text) : text),
        ),
      ),
    ]);
  }

  /** A single item: one `KEY:  value` line per field, multi-line values indented under it. */
  private block(value: Record<string, unknown>): string {
    const row = flatten(value, '\n');
    const keyWidth = Math.max(...[...row.keys()].map((k) => stringWidth(title(k)) + 1));
    return lines(
      [...row].map(([key, text]) => {
        const [first = '', ...rest] = text.split('\n');
        const label = this.chalk.bold(pad(`${title(key)}:`, keyWidth));
        return [`${label}  ${first}`, ...rest.map((more) => `${' '.repeat(keyWidth)}  ${more}`)].join('\n');
      }),
    );
  }
}

const lines = (texts: string[]) => texts.map((text) => `${text}\n`).join('');
