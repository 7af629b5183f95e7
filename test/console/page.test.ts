/**
 * The Console page's script, read as text (it runs in a browser only), every module of it: the
 * rights it offers are the core's catalogue, and it never turns data into markup.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, test } from 'vitest';

const folder = resolve(import.meta.dirname, '../../src/console/page');
const modules = readdirSync(folder, { recursive: true, encoding: 'utf8' }).filter((file) => file.endsWith('.ts'));
const source = modules.map((file) => readFileSync(join(folder, file), 'utf8')).join('\n');

describe('the Console page script', () => {
  test('is read whole: the entry and the views beside the shared modules', () => {
    expect(modules).toEqual(expect.arrayContaining(['app.ts', 'rights.ts', 'kinds.ts', join('views', 'activity.ts')]));
  });

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
