/**
 * Hostile input to the bulk reader (issue 18, "Memory on hostile nesting"): how deep a document may
 * nest and how large it may grow are checked while it is read, and what the reader holds stays
 * bounded whatever comes in.
 */
import { expect, test } from 'vitest';
import { JsonDocumentSplitter, MAX_DOCUMENT_CHARS, MAX_NESTING } from '../../src/core/json-stream.js';

const CHUNK = 64 * 1024; // what a pipe hands over at a time

/** Feeds `text` in pipe-sized chunks; returns each document as its text or `!error_name message`. */
function read(splitter: JsonDocumentSplitter, text: string, after?: () => void): string[] {
  const documents = [];
  for (let at = 0; at < text.length; at += CHUNK) {
    documents.push(...splitter.push(text.slice(at, at + CHUNK)));
    after?.();
  }
  documents.push(...splitter.end());
  return documents.map((d) => (d.error ? `${d.line}:${d.column} !${d.error.errorName} ${d.error.message}` : d.text!));
}

test('a document nested deeper than the limit fails alone; the next line is read', () => {
  const nested = (levels: number) => `{"x":${'['.repeat(levels - 1)}${']'.repeat(levels - 1)}}`;
  const deepest = nested(MAX_NESTING);
  expect(read(new JsonDocumentSplitter(), `{"a":1}\n${nested(MAX_NESTING + 1)}\n{"b":2}\n${deepest}\n`)).toEqual([
    '{"a":1}',
    `2:1 !document_too_deep document nests more than ${MAX_NESTING} arrays and objects, at line 2, column ${5 + MAX_NESTING}`,
    '{"b":2}',
    deepest,
  ]);
});

test('40 MiB of "[" is one failed document, holding no more than the limits at any time', () => {
  const splitter = new JsonDocumentSplitter();
  let most = 0;
  const documents = read(splitter, `${'['.repeat(40 * 1024 * 1024)}\n{"after":true}\n`, () => {
    most = Math.max(most, splitter.buffered);
  });
  expect(documents).toEqual([
    // The first `[` opens a top-level array, whose first element is the deep document.
    `1:2 !document_too_deep document nests more than ${MAX_NESTING} arrays and objects, at line 1, column ${2 + MAX_NESTING}`,
    '{"after":true}',
  ]);
  expect(most).toBeLessThanOrEqual(MAX_NESTING);
});

test('a document is refused as soon as it grows past the size limit, and what is held stays bounded', () => {
  const splitter = new JsonDocumentSplitter();
  const huge = `{"name":"${'x'.repeat(8 * MAX_DOCUMENT_CHARS)}"}`;
  let most = 0;
  let failedAfter: number | undefined;
  let fed = 0;
  const documents = [];
  for (let at = 0; at < huge.length; at += CHUNK) {
    const found = splitter.push(huge.slice(at, at + CHUNK));
    fed += Math.min(CHUNK, huge.length - at);
    if (found.length > 0) failedAfter ??= fed;
    documents.push(...found);
    most = Math.max(most, splitter.buffered);
  }
  documents.push(...splitter.push('\n{"next":1}\n'), ...splitter.end());
  expect(documents.map((d) => d.error?.errorName ?? d.text)).toEqual(['document_too_large', '{"next":1}']);
  // Reported while it grows, not when it ends 8 MiB later.
  expect(failedAfter).toBeLessThanOrEqual(MAX_DOCUMENT_CHARS + CHUNK);
  expect(most).toBeLessThanOrEqual(MAX_DOCUMENT_CHARS + 1); // its text so far, and its one open `{`
});

test('a number that never ends is bounded by the same limit', () => {
  const splitter = new JsonDocumentSplitter();
  let most = 0;
  const documents = read(splitter, `${'1'.repeat(3 * MAX_DOCUMENT_CHARS)}\n{"next":1}\n`, () => {
    most = Math.max(most, splitter.buffered);
  });
  expect(documents).toEqual([
    `1:1 !document_too_large document is larger than ${MAX_DOCUMENT_CHARS} characters`,
    '{"next":1}',
  ]);
  // Its text so far, and the number read so far (its own copy, to check its grammar at its end).
  expect(most).toBeLessThanOrEqual(2 * MAX_DOCUMENT_CHARS + CHUNK);
});
