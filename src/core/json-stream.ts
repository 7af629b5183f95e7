/**
 * Splits a stream of concatenated JSON documents (`{…}{…}`, one per line, or anything between)
 * into the text of each, without holding more than one document in memory.
 */

/** A document larger than this is reported as an error instead of being buffered. */
export const MAX_DOCUMENT_CHARS = 1 << 20;

export interface RawDocument {
  /** The document's text, or undefined when it was too large to keep. */
  text: string | undefined;
}

export class JsonDocumentSplitter {
  private parts: string[] = [];
  private size = 0;
  private depth = 0;
  private inString = false;
  private escaped = false;
  /** Inside a top-level value that is not an object or array (a bare word, number, …). */
  private inScalar = false;

  /** Feeds one chunk of input; returns the documents it completed. */
  push(chunk: string): RawDocument[] {
    const done: RawDocument[] = [];
    let start = 0;
    const inDocument = () => this.depth > 0 || this.inScalar;
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk.charCodeAt(i);
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (c === 0x5c /* \ */) this.escaped = true;
        else if (c === 0x22 /* " */) this.inString = false;
        continue;
      }
      if (this.inScalar) {
        if (isSpace(c) || c === 0x7b || c === 0x5b) {
          this.take(chunk, start, i);
          done.push(this.finish());
          this.inScalar = false;
          if (isSpace(c)) continue;
        } else {
          continue;
        }
      }
      if (this.depth === 0) {
        if (isSpace(c)) continue;
        start = i;
        if (c !== 0x7b && c !== 0x5b) {
          this.inScalar = true;
          if (c === 0x22) this.inString = true;
          continue;
        }
      }
      if (c === 0x22) this.inString = true;
      else if (c === 0x7b || c === 0x5b) this.depth++;
      else if (c === 0x7d || c === 0x5d) {
        this.depth--;
        if (this.depth === 0) {
          this.take(chunk, start, i + 1);
          done.push(this.finish());
        }
      }
    }
    if (inDocument() || this.inString) this.take(chunk, start, chunk.length);
    return done;
  }

  /** Ends the input; an unfinished document is returned as it is (and will fail to parse). */
  end(): RawDocument[] {
    if (this.size === 0 && !this.inScalar && this.depth === 0) return [];
    const last = this.finish();
    this.depth = 0;
    this.inScalar = false;
    this.inString = false;
    return [last];
  }

  private take(chunk: string, from: number, to: number): void {
    if (to <= from) return;
    this.size += to - from;
    if (this.size <= MAX_DOCUMENT_CHARS) this.parts.push(chunk.slice(from, to));
  }

  private finish(): RawDocument {
    const text = this.size <= MAX_DOCUMENT_CHARS ? this.parts.join('') : undefined;
    this.parts = [];
    this.size = 0;
    return { text };
  }
}

const isSpace = (c: number) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
