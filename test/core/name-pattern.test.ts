/**
 * The `--names /regular expression/` matcher (src/core/name-pattern.ts): JavaScript's answers on
 * every pattern it takes, in time linear in the name whatever the pattern, and a reason for
 * every pattern it refuses.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { namePattern, PatternError } from '../../src/core/name-pattern.js';
import { checkProperty } from '../helpers.js';

/** Every event name orgs records (EVENTS.md), the names the matcher is for. */
const NAMES = [
  'organization.create',
  'organization.update',
  'organization.delete',
  'organization.restore',
  'organization.purge',
  'organization.collaborator.update',
  'organization.collaborator.delete',
  'organization.api-key.create',
  'organization.api-key.update',
  'organization.api-key.delete',
  'user.create',
  'user.update',
  'user.delete',
  'application.create',
  'application.collaborator.update',
  'gateway.purge',
  'client.restore',
  'events.prune',
];

const matching = (source: string) => NAMES.filter((name) => namePattern(source).test(name));
const refusal = (source: string) => {
  try {
    namePattern(source);
  } catch (error) {
    expect(error).toBeInstanceOf(PatternError);
    return (error as Error).message;
  }
  throw new Error(`${source} was taken`);
};

describe('what ttn-lw-cli users write', () => {
  test.each([
    '^organization\\.',
    'collaborator',
    '^(application|gateway|client)\\.(create|purge)$',
    '\\.api-key\\.',
    'delete$',
    '^user\\.[a-z]+$',
    '^[^.]+\\.(?:create|update)$',
    '\\bcreate\\b',
    '^o.{4,}n\\.',
    '(?<kind>organization|user)\\.up',
    '',
  ])('/%s/ matches what JavaScript’s RegExp matches', (source) => {
    expect(matching(source)).toEqual(NAMES.filter((name) => new RegExp(source).test(name)));
  });
});

describe('patterns that make a backtracking engine explode, over every name', () => {
  // Each would take V8 from seconds to hours on a name of 30 characters; here, a few milliseconds.
  test.each(['^(([a-z.-]+)+)+X$', '^(a|a)*$', '^(\\w+\\.?)*!$', '(.*){1,32}(.*){1,32}Y', '^((o|.)+|r)+\\.$z'])(
    '/%s/ answers at once',
    (source) => {
      const pattern = namePattern(source);
      const long = `${'organization.collaborator.'.repeat(40)}update`;
      for (const name of [...NAMES, long]) expect(pattern.test(name)).toBe(false);
    },
  );

  test('and still matches where it should', () => {
    expect(namePattern('^(([a-z.-]+)+)+e$').test('organization.collaborator.update')).toBe(true);
    expect(namePattern('^(a|a)*$').test('aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa')).toBe(true);
  });
});

describe('what needs backtracking, or is not a pattern, is refused with the reason', () => {
  test.each([
    ['(a)\\1', /backreferences \(\\1\) are not supported/],
    ['(?<k>a)\\k<k>', /backreferences \(\\k<…>\) are not supported/],
    ['^(?=user)', /lookaround \(\(\?=…\) is not supported/],
    ['(?!user)', /lookaround \(\(\?!…\) is not supported/],
    ['(?<=\\.)create', /lookaround \(\(\?<=…\) is not supported/],
    ['(?<!\\.)create', /lookaround \(\(\?<!…\) is not supported/],
    ['\\p{L}', /unsupported escape \\p/],
    ['a{2000}', /repeats more than 1000 times/],
    ['a{3,2}', /numbers out of order/],
    ['(a', /unterminated group/],
    ['a)', /unmatched "\)"/],
    ['[a-', /missing \]/],
    ['[z-a]', /range out of order/],
    ['*a', /nothing to repeat/],
    ['a**', /nothing to repeat/],
    ['^*', /nothing to repeat/],
    ['((a{1000}){1000}){1000}', /pattern too large/],
  ])('/%s/', (source, reason) => {
    expect(refusal(source)).toMatch(reason);
  });
});

test('groups nested 20,000 deep are refused with the reason, not by a stack overflow', () => {
  expect(refusal(`${'('.repeat(20_000)}a${')'.repeat(20_000)}`)).toMatch(/groups nested more than 100 deep/);
});

/** Patterns from a grammar of what the matcher takes, over a small alphabet. */
const pattern = fc.letrec<{ alt: string; seq: string; atom: string }>((tie) => ({
  alt: fc.oneof(
    { weight: 3, arbitrary: tie('seq') },
    fc.tuple(tie('seq'), tie('seq')).map(([a, b]) => `${a}|${b}`),
  ),
  seq: fc
    .array(
      fc
        .tuple(tie('atom'), fc.constantFrom('', '*', '+', '?', '{2}', '{1,3}', '{0,}', '*?', '+?'))
        .map(([a, q]) => a + q),
      { minLength: 1, maxLength: 4 },
    )
    .map((parts) => parts.join('')),
  atom: fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom('a', 'b', '.', '\\.', '-', '[ab]', '[^a]', '[a-c.]', '\\w', '\\d', '\\W') },
    fc.constantFrom('^', '$', '\\b', '\\B').map((assertion) => `(?:${assertion})`),
    fc.tuple(fc.constantFrom('(', '(?:'), tie('alt')).map(([open, inner]) => `${open}${inner})`),
  ),
}));

test('200 random patterns on 20 random names each: the same answers as RegExp', async () => {
  await checkProperty(
    fc.property(
      pattern.alt,
      fc.array(fc.stringMatching(/^[abc.\-1]{0,8}$/), { minLength: 20, maxLength: 20 }),
      (source, names) => {
        const ours = namePattern(source);
        const theirs = new RegExp(source);
        for (const name of names)
          expect(ours.test(name), `/${source}/ on ${JSON.stringify(name)}`).toBe(theirs.test(name));
      },
    ),
    200,
  );
});
