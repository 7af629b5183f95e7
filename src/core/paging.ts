/** Pages and orders of every listing, checked the same way everywhere. */
import { invalidArgument } from './errors.js';
import type { Page, SortDirection } from './store.js';
import * as validate from './validate.js';

export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 1000;

export interface PageRequest {
  limit?: number;
  page?: number;
}

export interface Listing<T> {
  items: T[];
  /** Present when the page is full and more results exist. */
  next?: { limit: number; page: number };
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
 * without counting the whole result.
 */
export async function paginate<T>(request: PageRequest, fetch: (page: Page) => Promise<T[]>): Promise<Listing<T>> {
  const { limit, page, offset } = pageOf(request);
  const items = await fetch({ limit: limit + 1, offset });
  if (items.length <= limit) return { items };
  return { items: items.slice(0, limit), next: { limit, page: page + 1 } };
}

/** Everything a listing of the store holds, read MAX_LIMIT at a time (a whole registry's worth, for the access questions). */
export async function everyPage<T>(fetch: (page: Page) => Promise<T[]>): Promise<T[]> {
  const all: T[] = [];
  for (let offset = 0; ; offset += MAX_LIMIT) {
    const page = await fetch({ limit: MAX_LIMIT, offset });
    all.push(...page);
    if (page.length < MAX_LIMIT) return all;
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
  for (let at = 0; ; at += chunk) {
    const fetched = await fetch({ limit: chunk, offset: at });
    for (const item of await keep(fetched)) {
      if (seen++ < offset) continue;
      if (items.length === limit) return { items, next: { limit, page: page + 1 } };
      items.push(item);
    }
    if (fetched.length < chunk) return { items };
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
