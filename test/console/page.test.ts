/**
 * The Console page's script, read as text (it runs in a browser only): the rights it offers are
 * the core's catalogue, and it never turns data into markup.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, test } from 'vitest';

const source = readFileSync(resolve(import.meta.dirname, '../../src/console/page/app.ts'), 'utf8');

describe('the Console page script', () => {
  test('takes the rights catalogue and the kinds from the core, never a copy of them', () => {
    expect(source).toMatch(/^import \{ CATALOGUE, compactRights \} from '\.\.\/\.\.\/core\/rights\.js';$/m);
    expect(source).toMatch(/^import \{ type EntityKindName, KINDS \} from '\.\.\/\.\.\/core\/kinds\.js';$/m);
    // No right's name spelled out as a list: the groups are the catalogue's.
    expect(source.match(/'RIGHT_[A-Z_]+'/g) ?? []).toEqual([]);
  });

  test('builds the DOM without markup from strings and without inline handlers', () => {
    expect(source).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write|\beval\(|new Function/);
    expect(source).not.toMatch(/setAttribute\(\s*['"]on/);
  });
});
