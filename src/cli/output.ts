/** stdout carries results only; everything meant for a person goes to stderr. */
import type { Listing } from '../core/paging.js';

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** Many documents in one write: bulk output costs one system call per batch, not per item. */
export function printJsonDocuments(values: unknown[]): void {
  process.stdout.write(values.map((value) => `${JSON.stringify(value, null, 2)}\n`).join(''));
}

export function printListing(listing: Listing<unknown>): void {
  printJson(listing.items);
  if (listing.next) note(`more results: --limit=${listing.next.limit} --page=${listing.next.page}`);
}

export function note(line: string): void {
  process.stderr.write(`${line}\n`);
}
