/**
 * The kind table names only rights that exist, each of the group it is used for: every right of a
 * KINDS row is checked against the catalogue (test/fixtures/rights.tsv, a copy of reference/rights.tsv).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, test } from 'vitest';
import { KINDS } from '../../src/core/kinds.js';

const CATALOGUE = new Map(
  readFileSync(resolve(import.meta.dirname, '..', 'fixtures', 'rights.tsv'), 'utf8')
    .split('\n')
    .slice(1)
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const [name, , group] = line.split('\t');
      return [name!, group!] as const;
    }),
);

describe.each(KINDS)('kind $name', (kind) => {
  test.each(Object.entries(kind.rights))('its %s right %s is a right of its own group', (_, right) => {
    expect(CATALOGUE.get(right)).toBe(kind.group);
  });

  test.each(Object.entries(kind.organizationRights))(
    'its organization %s right %s is an organization right',
    (_, right) => {
      expect(CATALOGUE.get(right)).toBe('organization');
    },
  );

  test('its group is a group of the catalogue, and its _ALL right is the one of that group', () => {
    const group = [...CATALOGUE].filter(([, g]) => g === kind.group).map(([name]) => name);
    expect(group.length).toBeGreaterThan(1);
    expect(group.filter((name) => name.endsWith('_ALL'))).toEqual([kind.rights.all]);
  });

  test('names, flags and keys follow its name', () => {
    expect(kind.idFlag).toBe(`${kind.name}-id`);
    expect(kind.idKey).toBe(`${kind.name}_id`);
    expect(kind.command).toBe(`${kind.name}s`);
    expect(kind.aliases).toContain(kind.name);
  });
});

test('the three kinds of ENTITIES.md, each once', () => {
  expect(KINDS.map((k) => k.name)).toEqual(['application', 'gateway', 'client']);
  expect(new Set(KINDS.flatMap((k) => [k.command, ...k.aliases])).size).toBe(
    KINDS.reduce((n, k) => n + 1 + k.aliases.length, 0),
  );
});
