/** stdout carries results only; everything meant for a person goes to stderr. */
import type { Listing } from '../core/paging.js';

export const OUTPUT_FORMATS = ['json', 'table'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

export class Output {
  constructor(
    private readonly format: OutputFormat,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {}

  async print(value: unknown): Promise<void> {
    process.stdout.write(await this.render(value));
  }

  /** JSON, or for a person the given rendering instead of the generic table. */
  async printAs(value: unknown, forPerson: () => string): Promise<void> {
    process.stdout.write(this.format === 'json' ? json(value) : forPerson());
  }

  async printListing(listing: Listing<unknown>): Promise<void> {
    await this.print(listing.items);
    if (listing.items.length === 0 && this.format === 'table') note('no results');
    if (listing.next) note(`more results: --limit=${listing.next.limit} --page=${listing.next.page}`);
  }

  /** Many documents in one write: bulk output costs one system call per batch, not per item. */
  async printDocuments(values: unknown[]): Promise<void> {
    process.stdout.write(this.format === 'json' ? values.map(json).join('') : await this.render(values));
  }

  private async render(value: unknown): Promise<string> {
    if (this.format === 'json') return json(value);
    // Tables (and chalk) load only when asked for: JSON output pays nothing for them.
    const { renderTable } = await import('./table.js');
    const color = process.stdout.isTTY === true && !this.env.NO_COLOR;
    return renderTable(value, { color });
  }
}

export function note(line: string): void {
  process.stderr.write(`${line}\n`);
}
