/** Pages and orders of every listing, checked the same way everywhere. */
import { invalidArgument } from './errors.js';
import type { Page, SortDirection } from './store.js';
import * as validate from './validate.js';

export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 1000;

export interface PageRequest {
  limit?: number;
  page?: number;
  /** Count every result too (The Things Stack's X-Total-Count): a read of the whole listing. */
  count?: boolean;
}

export interface Listing<T> {
  items: T[];
  /** Present when the page is full and more results exist. */
  next?: { limit: number; page: number };
  /** The number of results on every page, when the request asked for it. */
  total?: number;
}

export function pageOf(request: PageRequest): Page & { page: number } {
  const limit = validate.positiveInteger('limit', request.limit ?? DEFAULT_LIMIT, MAX_LIMIT);
  const page = validate.positiveInteger('page', request.page ?? 1);
  const offset = (page - 1) * limit;
  if (!Number.isSafeInteger(offset)) throw invalidArgument('validate', 'invalid_page', 'page is too large');
  return { limit, page, offset };
}

/**
 * Runs `fetch` for one more item than the page holds, which tells whether another page exists
 * without counting the whole result. Asked to count, a page short of full gives the total; else it
 * asks `count` (the store's count) or, for a listing without one, reads the rest.
 */
export async function paginate<T>(
  request: PageRequest,
  fetch: (page: Page) => Promise<T[]>,
  count?: () => Promise<number>,
): Promise<Listing<T>> {
  const { limit, page, offset } = pageOf(request);
  const items = await fetch({ limit: limit + 1, offset });
  const listing: Listing<T> =
    items.length <= limit ? { items } : { items: items.slice(0, limit), next: { limit, page: page + 1 } };
  if (request.count) {
    if (items.length <= limit && (items.length > 0 || offset === 0)) {
      // A page short of full ends the results: the total is known without counting.
      listing.total = offset + items.length;
    } else if (count) {
      listing.total = await count();
    } else {
      // Past the end, the results before the page are counted; on a full page, those after it.
      listing.total =
        items.length === 0 ? await countFrom(0, fetch) : offset + limit + (await countFrom(offset + limit, fetch));
    }
  }
  return listing;
}

async function countFrom<T>(start: number, fetch: (page: Page) => Promise<T[]>): Promise<number> {
  let count = 0;
  for (let offset = start; ; offset += MAX_LIMIT) {
    const found = (await fetch({ limit: MAX_LIMIT, offset })).length;
    count += found;
    if (found < MAX_LIMIT) return count;
  }
}

/** Everything a listing of the store holds, read MAX_LIMIT at a time (a whole registry's worth, for the access questions). */
export async function everyPage<T>(fetch: (page: Page) => Promise<T[]>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of pages(fetch)) all.push(item);
  return all;
}

/** Every item `fetch` gives, read `size` at a time, as they come: a walk of the whole store holds one page. */
export async function* pages<T>(fetch: (page: Page) => Promise<T[]>, size = MAX_LIMIT): AsyncGenerator<T> {
  for (let offset = 0; ; offset += size) {
    const page = await fetch({ limit: size, offset });
    yield* page;
    if (page.length < size) return;
  }
}

/**
 * Like paginate, for listings the store can only narrow down: `keep` drops what does not belong,
 * so the store is read in chunks from the start until the page, and one item more, are filled.
 */
export async function paginateFiltered<T>(
  request: PageRequest,
  fetch: (page: Page) => Promise<T[]>,
  keep: (items: T[]) => Promise<T[]>,
): Promise<Listing<T>> {
  const { limit, page, offset } = pageOf(request);
  const chunk = Math.min(Math.max(offset + limit + 1, 100), MAX_LIMIT + 1);
  const items: T[] = [];
  let seen = 0;
  let more = false;
  for (let at = 0; ; at += chunk) {
    const fetched = await fetch({ limit: chunk, offset: at });
    for (const item of await keep(fetched)) {
      if (seen++ < offset) continue;
      if (items.length < limit) items.push(item);
      else more = true;
      // Without a count, one result past the page is enough to know there is a next one.
      if (more && !request.count) return { items, next: { limit, page: page + 1 } };
    }
    if (fetched.length < chunk) {
      return { items, ...(more ? { next: { limit, page: page + 1 } } : {}), ...(request.count ? { total: seen } : {}) };
    }
  }
}

/** `name` or `-name`, where `name` is one of `fields`. */
export function orderOf<F extends string>(
  value: string | undefined,
  fields: readonly F[],
  fallback: F,
): { field: F; direction: SortDirection } {
  if (value === undefined) return { field: fallback, direction: 'asc' };
  const descending = value.startsWith('-');
  const field = (descending ? value.slice(1) : value) as F;
  if (!fields.includes(field)) {
    throw invalidArgument(
      'validate',
      'invalid_order',
      `cannot order by ${validate.quote(value)}; use one of ${fields.flatMap((f) => [f, `-${f}`]).join(', ')}`,
    );
  }
  return { field, direction: descending ? 'desc' : 'asc' };
}
