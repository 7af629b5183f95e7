import { describe, expect, test } from 'vitest';
import { JsonDocumentSplitter, MAX_DOCUMENT_CHARS } from '../../src/core/json-stream.js';

/** Feeds the chunks and returns every document's text. */
function split(...chunks: string[]): (string | undefined)[] {
  const splitter = new JsonDocumentSplitter();
  const docs = chunks.flatMap((c) => splitter.push(c));
  return [...docs, ...splitter.end()].map((d) => d.text);
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
    const text = '{"ids":{"organization_id":"x-1"},"name":"a \\"b\\" {c}"}\n{"ids":{}}';
    for (let cut = 0; cut <= text.length; cut++) {
      expect(split(text.slice(0, cut), text.slice(cut))).toEqual([
        '{"ids":{"organization_id":"x-1"},"name":"a \\"b\\" {c}"}',
        '{"ids":{}}',
      ]);
    }
  });

  test('garbage between documents becomes a document of its own (which fails to parse later)', () => {
    expect(split('{"a":1} nope {"b":2}')).toEqual(['{"a":1}', 'nope', '{"b":2}']);
    expect(split('{"a":1')).toEqual(['{"a":1']);
    expect(split('}')).toEqual(['}']);
    expect(split('')).toEqual([]);
  });

  test('a document too large to keep is reported without its text', () => {
    const huge = `{"name":"${'x'.repeat(MAX_DOCUMENT_CHARS)}"}`;
    expect(split(huge.slice(0, 1000), huge.slice(1000), '{"a":1}')).toEqual([undefined, '{"a":1}']);
  });
});
