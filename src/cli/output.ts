/** stdout carries results only; everything meant for a person goes to stderr. */
import type { OutputFormat } from '../app/settings.js';
import type { Streams } from '../app/streams.js';
import type { Listing } from '../core/paging.js';
import type { TableWriter } from './table.js';

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

export class Output {
  /** The table that bulk output continues batch after batch, under one header. */
  private documentTable?: TableWriter;

  constructor(
    private readonly format: OutputFormat,
    private readonly env: Readonly<Record<string, string | undefined>>,
    private readonly streams: Streams,
  ) {}

  /** --dry-run: what the command prints is held back here, for its report, instead. */
  private held?: { value: unknown };

  private get stdout() {
    return this.streams.stdout;
  }

  /** Runs `run` with what it prints held back instead of printed; returns the last value it printed. */
  async holding(run: () => Promise<void>): Promise<unknown> {
    const held = (this.held = { value: undefined as unknown });
    try {
      await run();
      return held.value;
    } finally {
      this.held = undefined;
    }
  }

  /** JSON of `value`, or for a person a table of the rows (made only then). */
  async printReport(value: unknown, rows: () => unknown[]): Promise<void> {
    await this.stdout.write(this.format === 'json' ? json(value) : (await this.table()).render(rows()));
  }

  /** A line for the person (a hint, a warning) on stderr. */
  note(line: string): void {
    void this.streams.stderr.write(`${line}\n`);
  }

  async print(value: unknown): Promise<void> {
    if (this.held) return void (this.held.value = value);
    await this.stdout.write(this.format === 'json' ? json(value) : (await this.table()).render(value));
  }

  /** JSON, or for a person the given rendering instead of the generic table. */
  async printAs(value: unknown, forPerson: () => string): Promise<void> {
    if (this.held) return void (this.held.value = value);
    await this.stdout.write(this.format === 'json' ? json(value) : forPerson());
  }

  async printListing(listing: Listing<unknown>): Promise<void> {
    await this.printListingOf(
      listing,
      (item) => item,
      (item) => item,
    );
  }

  /** A listing: each item as `asJson` makes it, or for a person one table row of `asRow` each. */
  async printListingOf<T>(
    listing: Listing<T>,
    asJson: (item: T) => unknown,
    asRow: (item: T) => unknown,
  ): Promise<void> {
    const { items } = listing;
    await this.printReport(items.map(asJson), () => items.map(asRow));
    // Hints about results that nobody reads (`orgs list | head -1`) would only be noise.
    if (this.stdout.gone) return;
    if (listing.items.length === 0 && this.format === 'table') this.note('no results');
    if (listing.next) this.note(`more results: --limit=${listing.next.limit} --page=${listing.next.page}`);
  }

  /** Many documents in one write: bulk output costs one system call per batch, not per item. */
  async printDocuments<T>(values: T[], asRow: (value: T) => unknown = (value) => value): Promise<void> {
    if (this.format === 'json') return this.stdout.write(values.map(json).join(''));
    this.documentTable ??= await this.table();
    await this.stdout.write(this.documentTable.render(values.map(asRow)));
  }

  private async table(): Promise<TableWriter> {
    // Tables (and chalk) load only when asked for: JSON output pays nothing for them.
    const { TableWriter } = await import('./table.js');
    return new TableWriter({ color: this.stdout.isTTY && !this.env.NO_COLOR });
  }
}
