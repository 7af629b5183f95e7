import { describe, expect, test } from 'vitest';
import { OrgsError } from '../../src/core/errors.js';
import { orderOf, pageOf, paginate, paginateFiltered } from '../../src/core/paging.js';

describe('pages', () => {
  test('default to 50 per page, page 1', () => {
    expect(pageOf({})).toEqual({ limit: 50, page: 1, offset: 0 });
    expect(pageOf({ limit: 10, page: 3 })).toEqual({ limit: 10, page: 3, offset: 20 });
  });

  test.each([[{ limit: 0 }], [{ limit: 1001 }], [{ page: 0 }], [{ limit: 1.5 }]])('%j is rejected', (request) => {
    expect(() => pageOf(request)).toThrow(OrgsError);
  });

  test('a full page with more behind it names the next page; the last page does not', async () => {
    const items = Array.from({ length: 5 }, (_, i) => i);
    const fetch = async ({ limit, offset }: { limit: number; offset: number }) => items.slice(offset, offset + limit);
    expect(await paginate({ limit: 2 }, fetch)).toEqual({ items: [0, 1], next: { limit: 2, page: 2 } });
    expect(await paginate({ limit: 2, page: 3 }, fetch)).toEqual({ items: [4] });
    expect(await paginate({ limit: 5 }, fetch)).toEqual({ items: [0, 1, 2, 3, 4] });
  });
});

describe('order', () => {
  const fields = ['organization_id', 'name', 'created_at'] as const;

  test('a field, or a field with a leading - for descending', () => {
    expect(orderOf(undefined, fields, 'organization_id')).toEqual({ field: 'organization_id', direction: 'asc' });
    expect(orderOf('name', fields, 'organization_id')).toEqual({ field: 'name', direction: 'asc' });
    expect(orderOf('-created_at', fields, 'organization_id')).toEqual({ field: 'created_at', direction: 'desc' });
  });

  test.each(['id', '--name', 'name;DROP TABLE organizations', ''])('%j is invalid_order', (value) => {
    try {
      orderOf(value, fields, 'organization_id');
      expect.unreachable();
    } catch (error) {
      expect((error as OrgsError).errorName).toBe('invalid_order');
    }
  });
});

describe('pages of a listing the store can only narrow down', () => {
  // 0..999 from the store, of which the core keeps the multiples of 3.
  const store = async ({ limit, offset }: { limit: number; offset: number }) =>
    Array.from({ length: Math.max(0, Math.min(limit, 1000 - offset)) }, (_, i) => offset + i);
  const keep = async (items: number[]) => items.filter((n) => n % 3 === 0);
  const kept = Array.from({ length: 334 }, (_, i) => i * 3);

  test('every page holds the kept items in order, reading past the store chunks', async () => {
    for (const [limit, page] of [
      [10, 1],
      [10, 7],
      [150, 2],
      [1000, 1],
    ] as const) {
      const listing = await paginateFiltered({ limit, page }, store, keep);
      expect(listing.items).toEqual(kept.slice((page - 1) * limit, page * limit));
      expect(listing.next).toEqual(page * limit < kept.length ? { limit, page: page + 1 } : undefined);
    }
  });

  test('a page past the end is empty, without a next page', async () => {
    expect(await paginateFiltered({ limit: 50, page: 8 }, store, keep)).toEqual({ items: [] });
  });
});
