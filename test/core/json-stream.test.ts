import { describe, expect, test } from 'vitest';
import { JsonDocumentSplitter, MAX_DOCUMENT_CHARS, type RawDocument } from '../../src/core/json-stream.js';

function documents(...chunks: string[]): RawDocument[] {
  const splitter = new JsonDocumentSplitter();
  return [...chunks.flatMap((c) => splitter.push(c)), ...splitter.end()];
}

/** Feeds the chunks and returns every document's text, or its error's name when it is broken. */
function split(...chunks: string[]): (string | undefined)[] {
  return documents(...chunks).map((d) => (d.error ? `!${d.error.errorName}` : d.text));
}

/** Each document as `line:column text-or-error-message`. */
function located(...chunks: string[]): string[] {
  return documents(...chunks).map((d) => `${d.line}:${d.column} ${d.error ? `! ${d.error.message}` : d.text}`);
}

describe('splitting a stream of JSON documents', () => {
  test('one per line, concatenated, or with any whitespace between', () => {
    expect(split('{"a":1}\n{"b":2}\n')).toEqual(['{"a":1}', '{"b":2}']);
    expect(split('{"a":1}{"b":2}')).toEqual(['{"a":1}', '{"b":2}']);
    expect(split('  {"a":1} \t\r\n {"b":[1,{"c":2}]}  ')).toEqual(['{"a":1}', '{"b":[1,{"c":2}]}']);
  });

  test('braces and quotes inside strings do not count', () => {
    expect(split('{"a":"}{\\"}"}{"b":"\\\\"}')).toEqual(['{"a":"}{\\"}"}', '{"b":"\\\\"}']);
  });

  test('a document split across chunks at any point', () => {
    const text = '{"ids":{"organization_id":"x-1"},"name":"a \\"b\\" {c} \\u00e9","n":-1.5e3,"t":true}\n{"ids":{}}';
    for (let cut = 0; cut <= text.length; cut++) {
      expect(split(text.slice(0, cut), text.slice(cut))).toEqual([
        '{"ids":{"organization_id":"x-1"},"name":"a \\"b\\" {c} \\u00e9","n":-1.5e3,"t":true}',
        '{"ids":{}}',
      ]);
    }
  });

  test('pretty-printed documents span lines, whatever the indentation inside', () => {
    const docs = [{ ids: { organization_id: 'a-1' }, attributes: { k: 'v' } }, { ids: { organization_id: 'b-1' } }];
    const pretty = docs.map((d) => `${JSON.stringify(d, null, 2)}\n`).join('');
    expect(split(pretty).map((t) => JSON.parse(t!))).toEqual(docs);
    const tabs = docs.map((d) => JSON.stringify(d, null, '\t')).join('\n');
    expect(split(tabs).map((t) => JSON.parse(t!))).toEqual(docs);
    // Flush left is fine too, as long as what is nested opens on its key's line.
    expect(split('{\n"ids": {\n"organization_id": "a-1"\n}\n}\n')).toEqual([
      '{\n"ids": {\n"organization_id": "a-1"\n}\n}',
    ]);
  });

  test('a top-level array yields its elements, each a document with its own position', () => {
    const list = JSON.stringify([{ ids: { organization_id: 'a-1' } }, { ids: { organization_id: 'b-1' } }], null, 2);
    expect(located(`${list}\n`)).toEqual([
      `2:3 ${JSON.stringify({ ids: { organization_id: 'a-1' } }, null, 2).replaceAll('\n', '\n  ')}`,
      `7:3 ${JSON.stringify({ ids: { organization_id: 'b-1' } }, null, 2).replaceAll('\n', '\n  ')}`,
    ]);
    expect(split('[{"a":1},{"b":2}][]\n[{"c":3}]{"d":4}')).toEqual(['{"a":1}', '{"b":2}', '{"c":3}', '{"d":4}']);
    expect(split('[1, "x", [2]]')).toEqual(['1', '"x"', '[2]']);
    for (let cut = 0; cut <= list.length; cut++) {
      expect(split(list.slice(0, cut), list.slice(cut))).toHaveLength(2);
    }
  });

  test('a byte order mark before the first document is skipped', () => {
    expect(located('\ufeff{"a":1}\n{"b":2}')).toEqual(['1:1 {"a":1}', '2:1 {"b":2}']);
    expect(split('\ufeff', '[{"a":1}]')).toEqual(['{"a":1}']);
    expect(split('{"a":1}\ufeff')).toEqual(['{"a":1}', '!invalid_json']);
  });

  test('garbage between documents is a broken document of its own, with where reading gave up', () => {
    expect(located('{"a":1} nope {"b":2}')).toEqual([
      '1:1 {"a":1}',
      '1:9 ! not valid JSON: unexpected "nope" at line 1, column 9',
      '1:14 {"b":2}',
    ]);
    expect(located('{"a":1')).toEqual(['1:1 ! not valid JSON: the input ends inside the document at line 1, column 7']);
    expect(located('}')).toEqual(['1:1 ! not valid JSON: unexpected "}" at line 1, column 1']);
    expect(located('{"a":1}{"b" 2}')).toEqual([
      '1:1 {"a":1}',
      '1:8 ! not valid JSON: expected ":", not "2" at line 1, column 13',
    ]);
    expect(split('')).toEqual([]);
    // Reading resumes where the broken document's brackets close, on the same line too.
    const broken = ['{"a":tru}', '{"a":1,}', '{"a":"\\x{"}', '{"a":"\\u12G4"}', '{"a":01}', '{"a" [1]}'];
    expect(split(...broken.flatMap((b) => [b, '{"ok":1}']), '[1,]')).toEqual([
      ...broken.flatMap(() => ['!invalid_json', '{"ok":1}']),
      '1',
      '!invalid_json',
    ]);
    // Brackets that never close on that line: the next line that begins a document ends the skip.
    expect(split('{"a" [1}{"b":2}\n{"c":3}')).toEqual(['!invalid_json', '{"c":3}']);
  });

  test('one broken line of a one-per-line stream costs only itself', () => {
    const lines = Array.from({ length: 6 }, (_, i) => `{"ids":{"organization_id":"org-${i}"},"name":"n${i}"}`);
    const good = (broken: number) => lines.filter((_, i) => i !== broken);
    // Cut short anywhere: in a string, after a key, a colon, a comma, inside an array or object.
    for (const cut of [1, 5, 7, 8, 15, 30, 35, 36, 42, 44]) {
      const input = [...lines.slice(0, 2), lines[2]!.slice(0, cut), ...lines.slice(3)].join('\n');
      expect(split(input), input).toEqual([...good(2).slice(0, 2), '!invalid_json', ...good(2).slice(2)]);
    }
    const nested = lines.map((l, i) => (i === 2 ? '{"a":[1,{"b":' : l)).join('\n');
    expect(split(nested)).toEqual([...good(2).slice(0, 2), '!invalid_json', ...good(2).slice(2)]);
    // Broken rather than truncated: what follows on the line still counts.
    const garbled = lines.map((l, i) => (i === 2 ? `{"ids": nope} ${l}` : l)).join('\n');
    expect(located(garbled).slice(2, 4)).toEqual([
      '3:1 ! not valid JSON: unexpected "nope" at line 3, column 9',
      `3:15 ${lines[2]}`,
    ]);
    expect(split(garbled)).toHaveLength(7);
  });

  test('a broken pretty-printed document is one failure; the next document is found', () => {
    const docs = [1, 2, 3].map((i) => JSON.stringify({ ids: { organization_id: `org-${i}` }, name: 'x' }, null, 2));
    const broken = [docs[0], docs[1]!.replace('"name"', '"name" oops'), docs[2]].join('\n');
    expect(split(broken)).toEqual([docs[0], '!invalid_json', docs[2]]);
    const inString = [docs[0], docs[1]!.slice(0, 20), docs[2]].join('\n');
    expect(located(inString)[1]).toBe('7:1 ! not valid JSON: the line ends inside a string at line 9, column 8');
    expect(split(inString)).toEqual([docs[0], '!invalid_json', docs[2]]);
    const inObject = [docs[0], docs[1]!.slice(0, 13), docs[2]].join('\n');
    expect(located(inObject)[1]).toBe(
      '7:1 ! not valid JSON: the document is cut short: a new one begins at line 10, column 1',
    );
    expect(split(inObject)).toEqual([docs[0], '!invalid_json', docs[2]]);
  });

  test('a broken element of a pretty-printed array costs only itself; an unclosed array is reported', () => {
    const orgs = [1, 2, 3].map((i) => ({ ids: { organization_id: `org-${i}` } }));
    const list = JSON.stringify(orgs, null, 2);
    const element = (i: number) => JSON.stringify(orgs[i], null, 2).replaceAll('\n', '\n  ');
    const broken = list.replace('"org-2"', '"org-2" oops');
    expect(split(broken)).toEqual([element(0), '!invalid_json', element(2)]);
    const truncated = list.slice(0, list.indexOf('"org-2"'));
    expect(split(truncated, '\n', list)).toEqual([element(0), '!invalid_json', element(0), element(1), element(2)]);
    expect(located('[{"a":1},\n{"b":2}')).toEqual([
      '1:2 {"a":1}',
      '2:1 {"b":2}',
      '2:8 ! not valid JSON: the input ends at line 2, column 8 inside the array that begins on line 1',
    ]);
  });

  test('bytes that were not UTF-8 (decoded as lone surrogates) fail their document, saying where', () => {
    expect(located('{"a":1}\n{"name":"ab\udcff"}\n{"b":2}')).toEqual([
      '1:1 {"a":1}',
      '2:1 ! not valid UTF-8: bytes that are not UTF-8 at line 2, column 12',
      '3:1 {"b":2}',
    ]);
    expect(split('{"a":1}\n\udcff\n{"b":2}')).toEqual(['{"a":1}', '!invalid_encoding', '{"b":2}']);
    expect(split('{"name":"😀"}')).toEqual(['{"name":"😀"}']);
  });

  test('a document too large to keep is reported without its text', () => {
    const huge = `{"name":"${'x'.repeat(MAX_DOCUMENT_CHARS)}"}`;
    expect(split(huge.slice(0, 1000), huge.slice(1000), '{"a":1}')).toEqual(['!document_too_large', '{"a":1}']);
  });
});
