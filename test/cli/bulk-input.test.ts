/**
 * Bulk create's input as users feed it: truncated and broken documents, pretty-printed ones,
 * `orgs list` output, a byte order mark, bytes that are not UTF-8, lone surrogates.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { BIN, storeRows, resultOf, sandbox, type Result, type Sandbox } from '../helpers.js';

let s: Sandbox;
beforeEach(() => {
  s = sandbox();
});
afterEach(() => s.cleanup());

const CREATE = ['create', '--user-id', 'user1'];

/** Runs bulk create with these bytes on stdin, through a shell redirect as a user would. */
async function createFromBytes(bytes: Buffer, args = CREATE): Promise<Result> {
  const file = join(s.dir, 'input');
  writeFileSync(file, bytes);
  const child = await execa('bash', ['-c', `node "${BIN}" ${args.join(' ')} < "${file}"`], {
    env: s.env,
    reject: false,
    stripFinalNewline: false,
  });
  return resultOf(child);
}

/** The organization IDs in the store, sorted. */
async function stored(): Promise<string[]> {
  return ((await storeRows(s.db))?.organizations ?? []).map((row: string) => JSON.parse(row).id).sort();
}

/** The organizations of a bulk stdout (pretty-printed documents one after another). */
function printed(stdout: string): Record<string, any>[] {
  return stdout === '' ? [] : stdout.split(/\n(?=\{)/).map((part) => JSON.parse(part));
}

const line = (id: string, extra = '') => `{"ids":{"organization_id":"${id}"}${extra}}`;
const ids = (n: number) => Array.from({ length: n }, (_, i) => `org-${String(i + 1).padStart(3, '0')}`);

/** The stderr of a bulk create with failures: one line per failed item, then the summary. */
function failures(result: Result): { items: string[]; summary: string } {
  const lines = result.stderr.trimEnd().split('\n');
  return { items: lines.slice(0, -1), summary: lines[lines.length - 1]! };
}

describe('a broken document costs only itself', () => {
  test('100 lines with line 2 cut short anywhere: 99 created, item 2 reported, every document counted', async () => {
    const all = ids(100);
    const lines = all.map((id, i) => line(id, `,"name":"Org ${i}","attributes":{"zone":"eu1"}`));
    // Cut in a string, after a key, after a colon, inside the nested objects: none eats line 3.
    for (const cut of [30, 40, 48, 60, 70]) {
      const input = lines.map((l, i) => (i === 1 ? l.slice(0, cut) : l)).join('\n') + '\n';
      const result = await s.run(CREATE, { input });
      expect(result.exitCode, input.slice(0, 200)).toBe(2);
      expect(printed(result.stdout).map((o) => o.ids.organization_id)).toEqual(all.filter((_, i) => i !== 1));
      const { items, summary } = failures(result);
      expect(items).toHaveLength(1);
      expect(items[0]).toMatch(
        /^error:bulk:invalid_json \(item 2 \(line 2\): not valid JSON: .* at line [23], column \d+\)$/,
      );
      expect(summary).toBe('error:bulk:items_failed (1 of 100 organizations failed, 99 created)');
      expect(await stored()).toEqual(all.filter((_, i) => i !== 1));
      await s.cleanup();
      s = sandbox();
    }
  });

  test('concatenated documents: the broken one is reported with the line and column where reading gave up', async () => {
    const input = `${line('good-1')}${line('good-2')}{"ids" {"organization_id":"bad"}}\n${line('good-3')}\n`;
    const result = await s.run(CREATE, { input });
    expect(result.exitCode).toBe(2);
    expect(printed(result.stdout).map((o) => o.ids.organization_id)).toEqual(['good-1', 'good-2', 'good-3']);
    expect(failures(result)).toEqual({
      items: ['error:bulk:invalid_json (item 3 (line 1): not valid JSON: expected ":", not "{" at line 1, column 80)'],
      summary: 'error:bulk:items_failed (1 of 4 organizations failed, 3 created)',
    });
  });

  test('pretty-printed documents, as bulk create prints them, are read back; a broken one is one failure', async () => {
    const docs = ['pretty-1', 'pretty-2', 'pretty-3'].map((id) => ({
      ids: { organization_id: id },
      name: `Name of ${id}`,
      attributes: { zone: 'eu1', tier: 'gold' },
    }));
    const pretty = docs.map((d) => `${JSON.stringify(d, null, 2)}\n`);
    const result = await s.run(CREATE, { input: pretty.join('') });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(printed(result.stdout)).toMatchObject(docs);
    const again = await s.run(['--db', join(s.dir, 'copy.db'), ...CREATE], { input: result.stdout });
    expect(again.exitCode, again.stderr).toBe(0);
    expect(printed(again.stdout)).toMatchObject(docs);

    const broken = [pretty[0], pretty[1]!.replace('"tier": "gold"', '"tier" "gold"'), pretty[2]].join('');
    const partly = await s.run(['--db', join(s.dir, 'partly.db'), ...CREATE], { input: broken });
    expect(printed(partly.stdout).map((o) => o.ids.organization_id)).toEqual(['pretty-1', 'pretty-3']);
    expect(failures(partly)).toEqual({
      items: [
        'error:bulk:invalid_json (item 2 (line 11): not valid JSON: expected ":", not "\\"" at line 18, column 12)',
      ],
      summary: 'error:bulk:items_failed (1 of 3 organizations failed, 2 created)',
    });
  });
});

describe('shaped like the output', () => {
  test('orgs list --all piped into create copies the organizations to another store', async () => {
    await s.ok(['create', 'org-a', ...CREATE.slice(1), '--name', 'A', '--description', 'first']);
    await s.ok(['create', 'org-b', ...CREATE.slice(1), '--attributes', 'zone=eu1', '--fanout-notifications']);
    await s.ok(['create', 'org-c', ...CREATE.slice(1), '--name', 'C']);
    const list = (await s.ok(['list', '--all'])).stdout;
    expect(list.startsWith('[\n')).toBe(true);
    const other = join(s.dir, 'other.db');
    const result = await s.run(['--db', other, ...CREATE], { input: list });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stderr).toBe('');
    const original = JSON.parse(list) as Record<string, any>[];
    const copied = JSON.parse((await s.ok(['--db', other, 'list', '--all'])).stdout) as Record<string, any>[];
    const withoutTimes = (orgs: Record<string, any>[]) =>
      orgs.map((org) => Object.fromEntries(Object.entries(org).filter(([key]) => !key.endsWith('_at'))));
    expect(withoutTimes(copied)).toEqual(withoutTimes(original));
    expect(copied.map((o) => o.name)).toEqual(['A', undefined, 'C']);
  });

  test('each element of an array is one document, counted and reported with its own position', async () => {
    const input = `[\n  ${line('arr-1')},\n  ${line('bad_id')},\n  ${line('arr-2')}\n]\n${line('after')}\n[]\n`;
    const result = await s.run(CREATE, { input });
    expect(result.exitCode).toBe(2);
    expect(printed(result.stdout).map((o) => o.ids.organization_id)).toEqual(['arr-1', 'arr-2', 'after']);
    const { items, summary } = failures(result);
    expect(items).toHaveLength(1);
    expect(items[0]).toMatch(/^error:validate:invalid_organization_id \(item 2 \(line 3\), bad_id: /);
    expect(summary).toBe('error:bulk:items_failed (1 of 4 organizations failed, 3 created)');
  });

  test('an array cut short: its elements before the cut land, the cut is reported', async () => {
    const list = JSON.stringify(
      [{ ids: { organization_id: 'cut-1' } }, { ids: { organization_id: 'cut-2' } }],
      null,
      2,
    );
    const result = await s.run(CREATE, { input: list.slice(0, list.indexOf('"cut-2"')) });
    expect(result.exitCode, result.stderr).toBe(2);
    expect(await stored()).toEqual(['cut-1']);
    expect(failures(result).items).toEqual([
      'error:bulk:invalid_json (item 2 (line 7): not valid JSON: the input ends inside the document at line 9, column 26)',
    ]);
  });

  test('the output-only fields created_at, updated_at and deleted_at are ignored', async () => {
    const times = '"created_at":"2020-01-01T00:00:00.000Z","updated_at":"2020-01-02T00:00:00.000Z"';
    const input = `${line('kept-1', `,${times}`)}\n${line('kept-2', `,${times},"deleted_at":"2020-01-03T00:00:00.000Z"`)}\n`;
    const result = await s.run(CREATE, { input });
    expect(result.exitCode, result.stderr).toBe(0);
    for (const org of printed(result.stdout)) {
      expect(org.created_at).not.toBe('2020-01-01T00:00:00.000Z');
      expect(org.deleted_at).toBeUndefined();
    }
    expect(await stored()).toEqual(['kept-1', 'kept-2']);
    expect(JSON.parse((await s.ok(['get', 'kept-2'])).stdout).ids.organization_id).toBe('kept-2');
  });
});

describe('encoding', () => {
  test('a byte order mark before the first document is skipped', async () => {
    const bom = Buffer.from([0xef, 0xbb, 0xbf]);
    const result = await createFromBytes(Buffer.concat([bom, Buffer.from(`${line('bom-1')}\n${line('bom-2')}\n`)]));
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stderr).toBe('');
    expect(await stored()).toEqual(['bom-1', 'bom-2']);
  });

  test('bytes that are not UTF-8 fail the document they are in, naming where; the others land', async () => {
    const bad = [
      [0xff], // never UTF-8
      [0xc3], // a character cut short
      [0xed, 0xa0, 0x80], // an encoded surrogate
      [0xc0, 0xaf], // an overlong encoding
    ];
    for (const bytes of bad) {
      const input = Buffer.concat([
        Buffer.from(`${line('utf-1', ',"name":"é ok"')}\n{"ids":{"organization_id":"utf-2"},"name":"a`),
        Buffer.from(bytes),
        Buffer.from(`b"}\n${line('utf-3', ',"name":"😀"')}\n`),
      ]);
      const result = await createFromBytes(input);
      expect(result.exitCode).toBe(2);
      expect(failures(result)).toEqual({
        items: [
          'error:bulk:invalid_encoding (item 2 (line 2): not valid UTF-8: bytes that are not UTF-8 at line 2, column 45)',
        ],
        summary: 'error:bulk:items_failed (1 of 3 organizations failed, 2 created)',
      });
      expect(await stored()).toEqual(['utf-1', 'utf-3']);
      const names = printed(result.stdout).map((o) => o.name);
      expect(names).toEqual(['é ok', '😀']);
      await s.cleanup();
      s = sandbox();
    }
    // At the very end of the input too.
    const cut = await createFromBytes(Buffer.from([...Buffer.from(line('end-1')), 0x0a, 0xe2, 0x82]));
    expect(failures(cut).items).toEqual([
      'error:bulk:invalid_encoding (item 2 (line 2): not valid UTF-8: unexpected bytes that are not UTF-8 at line 2, column 1)',
    ]);
    expect(await stored()).toEqual(['end-1']);
  });

  test('a lone surrogate in a text field is refused, naming the field, instead of being stored as U+FFFD', async () => {
    const input = [
      line('sur-1', ',"name":"\\ud800"'),
      line('sur-2', ',"description":"x\\udfffy"'),
      line('sur-3', ',"attributes":{"zone":"\\ud83d"}'),
      line('sur-4', ',"name":"\\ud83d\\ude00"'),
    ].join('\n');
    const result = await s.run(CREATE, { input });
    expect(result.exitCode).toBe(2);
    expect(failures(result).items).toEqual([
      'error:validate:invalid_name (item 1 (line 1), sur-1: name is not valid Unicode: it holds a lone surrogate)',
      'error:validate:invalid_description (item 2 (line 2), sur-2: description is not valid Unicode: it holds a lone surrogate)',
      'error:validate:invalid_attribute_value (item 3 (line 3), sur-3: attribute_value is not valid Unicode: it holds a lone surrogate)',
    ]);
    expect(printed(result.stdout).map((o) => o.name)).toEqual(['😀']);
    expect(await stored()).toEqual(['sur-4']);
  });
});
