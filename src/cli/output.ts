/** stdout carries results only; everything meant for a person goes to stderr. */
import type { Listing } from '../core/paging.js';
import { stderr, stdout } from './streams.js';
import type { TableWriter } from './table.js';

export const OUTPUT_FORMATS = ['json', 'table'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

export class Output {
  /** The table that bulk output continues batch after batch, under one header. */
  private documentTable?: TableWriter;

  constructor(
    private readonly format: OutputFormat,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {}

  async print(value: unknown): Promise<void> {
    await stdout.write(this.format === 'json' ? json(value) : (await this.table()).render(value));
  }

  /** JSON, or for a person the given rendering instead of the generic table. */
  async printAs(value: unknown, forPerson: () => string): Promise<void> {
    await stdout.write(this.format === 'json' ? json(value) : forPerson());
  }

  async printListing(listing: Listing<unknown>): Promise<void> {
    await this.print(listing.items);
    // Hints about results that nobody reads (`orgs list | head -1`) would only be noise.
    if (stdout.gone) return;
    if (listing.items.length === 0 && this.format === 'table') note('no results');
    if (listing.next) note(`more results: --limit=${listing.next.limit} --page=${listing.next.page}`);
  }

  /** Many documents in one write: bulk output costs one system call per batch, not per item. */
  async printDocuments<T>(values: T[], asRow: (value: T) => unknown = (value) => value): Promise<void> {
    if (this.format === 'json') return stdout.write(values.map(json).join(''));
    this.documentTable ??= await this.table();
    await stdout.write(this.documentTable.render(values.map(asRow)));
  }

  private async table(): Promise<TableWriter> {
    // Tables (and chalk) load only when asked for: JSON output pays nothing for them.
    const { TableWriter } = await import('./table.js');
    return new TableWriter({ color: stdout.isTTY && !this.env.NO_COLOR });
  }
}

export function note(line: string): void {
  void stderr.write(`${line}\n`);
}
