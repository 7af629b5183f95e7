/**
 * Reading a PostgreSQL URL (src/store/location.ts): a password is read as typed, whatever it
 * holds, and never printed (STORES.md).
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { OrgsError } from '../../src/core/errors.js';
import { readPostgresUrl, redactUrl } from '../../src/store/location.js';
import { checkProperty } from '../helpers.js';

const RUNS = 2000;

/** Passwords of URL syntax, escapes and beyond ASCII; a valid `%XX` reads as the byte it encodes, so none here. */
const password = fc
  .string({ unit: fc.constantFrom(...'aZ9/@#?%:&=+; .~!$\'"()[]\\^`{|}é€😀\t'), maxLength: 24 })
  .filter((typed) => !/%[0-9a-f]{2}/i.test(typed));
const user = fc.stringMatching(/^[a-z][a-z0-9_]{0,7}$/);
const tail = fc.constantFrom('db.example.com:5432/orgs?sslmode=disable', '127.0.0.1/orgs', 'db', '[::1]:6432/a%40b');

describe(`a PostgreSQL URL's password (${RUNS} cases each)`, () => {
  test('is read as typed, the rest of the URL as it is', async () => {
    await checkProperty(
      fc.property(user, password, tail, (name, typed, rest) => {
        const read = readPostgresUrl(`postgres://${name}:${typed}@${rest}`);
        const plain = new URL(`postgres://${name}:x@${rest}`);
        expect(decodeURIComponent(read.password)).toBe(typed);
        expect(read.username).toBe(name);
        expect([read.host, read.pathname, read.search]).toEqual([plain.host, plain.pathname, plain.search]);
      }),
      RUNS,
    );
  });

  test('is never printed, in the user part or a parameter', async () => {
    await checkProperty(
      fc.property(user, password, tail, (name, typed, rest) => {
        const shown = typed === '' ? '' : '***';
        expect(redactUrl(`postgres://${name}:${typed}@${rest}`)).toBe(`postgres://${name}:${shown}@${rest}`);
        // In a parameter, `&` starts the next one, and an `@` is written `%40` (as after any password).
        const value = typed.split('&')[0]!.replaceAll('@', '%40');
        const query = rest.includes('?') ? '&' : '?';
        expect(redactUrl(`postgresql://${rest}${query}password=${value}`)).toBe(
          `postgresql://${rest}${query}password=${value === '' ? '' : '***'}`,
        );
      }),
      RUNS,
    );
  });

  test('is never printed, even where the URL reads otherwise than meant', async () => {
    // Q is in no password, user or tail: any Q printed is a password's. In a parameter, `&` starts the next one.
    const marked = password.map((typed) => `Q${typed}Q`);
    const markedValue = marked.filter((value) => !value.includes('&'));
    await checkProperty(
      fc.property(user, marked, markedValue, tail, (name, first, second, rest) => {
        const url = `postgres://${name}:${first}@${rest}${rest.includes('?') ? '&' : '?'}password=${second}`;
        expect(redactUrl(url)).not.toContain('Q');
      }),
      RUNS,
    );
  });

  test('of a URL that cannot be read is not in the error', () => {
    for (const url of [
      'postgres://u:se/cr@et@db host/x',
      'postgres://u:se#cr?et@h:99999/x',
      'postgres://u:\ud800@h/x',
    ]) {
      let error: unknown;
      try {
        readPostgresUrl(url);
      } catch (thrown) {
        error = thrown;
      }
      expect(error).toBeInstanceOf(OrgsError);
      expect((error as OrgsError).exitCode).toBe(2);
      expect((error as OrgsError).message).toContain('u:***@');
      expect((error as OrgsError).message).not.toMatch(/se.?cr|\ud800/);
    }
  });
});
