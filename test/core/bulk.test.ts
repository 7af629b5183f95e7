import { describe, expect, test } from 'vitest';
import { StrictUtf8Decoder } from '../../src/core/utf8.js';

/** Decodes the bytes fed in two chunks cut at `cut`. */
function decode(bytes: Buffer, cut: number): string {
  const decoder = new StrictUtf8Decoder();
  return decoder.decode(bytes.subarray(0, cut)) + decoder.decode(bytes.subarray(cut)) + decoder.end();
}

describe('strict UTF-8 for bulk input', () => {
  test('valid UTF-8 decodes as usual, however it is cut into chunks', () => {
    const text = '\ufeff{"name":"aé€😀"} ok';
    const bytes = Buffer.from(text);
    for (let cut = 0; cut <= bytes.length; cut++) expect(decode(bytes, cut)).toBe(text);
  });

  test('each byte that is not part of UTF-8 becomes a lone surrogate, wherever the chunks are cut', () => {
    const cases: [number[], string][] = [
      [[0x61, 0xff, 0x62], 'a\udcffb'],
      [[0x61, 0xc3, 0x62], 'a\udcc3b'], // cut short by an ASCII byte
      [[0xed, 0xa0, 0x80], '\udced\udca0\udc80'], // an encoded surrogate
      [[0xc0, 0xaf], '\udcc0\udcaf'], // overlong
      [[0x61, 0xe2, 0x82], 'a\udce2\udc82'], // cut short by the end of the input
      [[0xf0, 0x9f, 0x98, 0x80, 0x80], '😀\udc80'], // a stray continuation byte
    ];
    for (const [bytes, expected] of cases) {
      const buffer = Buffer.from(bytes);
      for (let cut = 0; cut <= buffer.length; cut++)
        expect(decode(buffer, cut), `${bytes} cut at ${cut}`).toBe(expected);
    }
  });
});
