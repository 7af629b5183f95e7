/**
 * The Console page's script, read as text (it runs in a browser only): the rights it offers are
 * the catalogue's, and it never turns data into markup.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, test } from 'vitest';
import { CATALOGUE } from '../../src/core/rights.js';

const source = readFileSync(resolve(import.meta.dirname, '../../src/console/page/app.ts'), 'utf8');

describe('the Console page script', () => {
  test('offers every right of the organization and entity groups, and no other', () => {
    const block = /const RIGHTS: Record<GroupName, readonly string\[\]> = \{([\s\S]*?)\n\};/.exec(source)?.[1];
    expect(block).toBeDefined();
    const groups = Object.fromEntries(
      [...block!.matchAll(/(\w+): \[([^\]]*)\]/g)].map(([, group, names]) => [
        group,
        names!.match(/RIGHT_\w+/g)!.sort(),
      ]),
    );
    const expected = Object.fromEntries(
      ['organization', 'application', 'gateway', 'client'].map((group) => [
        group,
        CATALOGUE.filter((right) => right.group === group)
          .map((right) => right.name)
          .sort(),
      ]),
    );
    expect(groups).toEqual(expected);
  });

  test('builds the DOM without markup from strings and without inline handlers', () => {
    expect(source).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write|\beval\(|new Function/);
    expect(source).not.toMatch(/setAttribute\(\s*['"]on/);
  });
});
