/**
 * Strict UTF-8 for bulk input. A replacing decoder would store bytes that are not UTF-8 as U+FFFD
 * without a word; this one turns each such byte into a lone surrogate (U+DC80 to U+DCFF), which
 * well-formed text never holds, so the document it lands in is refused, naming where.
 */
import { isUtf8 } from 'node:buffer';

const EMPTY = Buffer.alloc(0);

export class StrictUtf8Decoder {
  /** The start of a character whose last bytes are in the next chunk. */
  private pending = EMPTY;

  decode(chunk: Uint8Array): string {
    const bytes =
      this.pending.length > 0
        ? Buffer.concat([this.pending, chunk])
        : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    const complete = withoutUnfinishedCharacter(bytes);
    this.pending = Buffer.from(bytes.subarray(complete));
    return decodeMarking(bytes.subarray(0, complete));
  }

  /** The input has ended: an unfinished character is not UTF-8 either. */
  end(): string {
    const rest = decodeMarking(this.pending);
    this.pending = EMPTY;
    return rest;
  }
}

/** How many bytes a character takes, by its first byte (1 for a byte that cannot begin one). */
const sequenceLength = (b: number) => (b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1);

/** The length of `bytes` without a character that begins in its last three bytes and is cut off. */
function withoutUnfinishedCharacter(bytes: Buffer): number {
  for (let back = 1; back <= Math.min(3, bytes.length); back++) {
    const b = bytes[bytes.length - back]!;
    if ((b & 0xc0) !== 0x80) return sequenceLength(b) > back ? bytes.length - back : bytes.length;
  }
  return bytes.length;
}

function decodeMarking(bytes: Buffer): string {
  if (isUtf8(bytes)) return bytes.toString('utf8'); // the usual case, checked at memory speed
  let text = '';
  let from = 0;
  for (let i = 0; i < bytes.length;) {
    const b = bytes[i]!;
    const length = sequenceLength(b);
    if (b < 0x80 || (length > 1 && isUtf8(bytes.subarray(i, i + length)))) {
      i += b < 0x80 ? 1 : length;
      continue;
    }
    text += bytes.toString('utf8', from, i) + String.fromCharCode(0xdc00 | b);
    from = ++i;
  }
  return text + bytes.toString('utf8', from);
}
