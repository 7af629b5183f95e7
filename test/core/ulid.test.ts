/** ULIDs (src/core/ulid.ts): the format of the spec, and each one greater than the one before it. */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { nextUlid, ulid, ulidTime } from '../../src/core/ulid.js';
import { checkProperty } from '../helpers.js';

/** 26 characters of Crockford's base32 (no I, L, O, U), the first at most 7 (48 bits of time). */
const ULID = /^[0-7][0-9A-HJKMNP-TV-Z]{25}$/;
const MS = Date.UTC(2026, 11, 1, 19, 19, 13, 408);

describe('format', () => {
  test('26 characters of Crockford base32 whose first 10 encode the milliseconds, as the spec’s example', () => {
    // https://github.com/ulid/spec: ulid(1469918176385) starts with 01ARYZ6S41.
    expect(nextUlid(1469918176385).slice(0, 10)).toBe('01ARYZ6S41');
    expect(nextUlid(0).slice(0, 10)).toBe('0000000000');
    for (let i = 0; i < 200; i++) {
      const id = ulid();
      expect(id).toMatch(ULID);
    }
    expect(ulidTime(nextUlid(MS))).toBe(MS);
    expect(ulidTime(ulid())).toBeGreaterThanOrEqual(MS - 365 * 86_400_000);
  });

  test('the random part differs between calls', () => {
    const ids = new Set(Array.from({ length: 1000 }, () => nextUlid(MS)));
    expect(ids.size).toBe(1000);
  });

  test('a later millisecond sorts after an earlier one, as text (100 cases)', async () => {
    await checkProperty(
      fc.property(fc.integer({ min: 0, max: 2 ** 48 - 2 }), fc.integer({ min: 1, max: 2 ** 30 }), (ms, step) => {
        const later = Math.min(ms + step, 2 ** 48 - 1);
        expect(nextUlid(ms) < nextUlid(later)).toBe(true);
        expect(ulidTime(nextUlid(later))).toBe(later);
      }),
      100,
    );
  });
});

describe('each greater than the one before (after = the newest stored)', () => {
  test('many within one millisecond: strictly increasing, same time part', () => {
    let previous = nextUlid(MS);
    for (let i = 0; i < 10_000; i++) {
      const next = nextUlid(MS, previous);
      expect(next).toMatch(ULID);
      expect(next > previous, `${next} > ${previous}`).toBe(true);
      expect(next.slice(0, 10)).toBe(previous.slice(0, 10));
      previous = next;
    }
  });

  test('a later millisecond after an earlier one starts afresh with the new time', () => {
    const previous = nextUlid(MS);
    const next = nextUlid(MS + 1, previous);
    expect(ulidTime(next)).toBe(MS + 1);
    expect(next > previous).toBe(true);
  });

  test('the clock going back still gives a greater one, keeping the newer time', () => {
    const previous = nextUlid(MS + 60_000);
    const next = nextUlid(MS, previous);
    expect(next > previous).toBe(true);
    expect(ulidTime(next)).toBe(MS + 60_000);
  });

  test('the random part carries: …0Z becomes …10, all Z moves to the next millisecond', () => {
    const time = nextUlid(MS).slice(0, 10);
    expect(nextUlid(MS, `${time}000000000000000Z`)).toBe(`${time}0000000000000010`);
    expect(nextUlid(MS, `${time}0ZZZZZZZZZZZZZZZ`)).toBe(`${time}1000000000000000`);
    const allZ = `${time}${'Z'.repeat(16)}`;
    const next = nextUlid(MS, allZ);
    expect(next).toMatch(ULID);
    expect(next > allZ).toBe(true);
    expect(ulidTime(next)).toBe(MS + 1);
  });

  test('any sequence of clock readings, forwards, backwards or equal, gives strictly increasing IDs (100 cases)', async () => {
    await checkProperty(
      fc.property(fc.array(fc.integer({ min: MS - 5, max: MS + 5 }), { minLength: 1, maxLength: 200 }), (clock) => {
        let previous: string | undefined;
        for (const ms of clock) {
          const next = nextUlid(ms, previous);
          if (previous !== undefined) expect(next > previous).toBe(true);
          previous = next;
        }
      }),
      100,
    );
  });
});
