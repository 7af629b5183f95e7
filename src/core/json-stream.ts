/**
 * Splits a stream of JSON text into documents: concatenated (`{…}{…}`), one per line, pretty-printed
 * over many lines, and the elements of top-level arrays (`orgs list` output) one by one, each with
 * where it starts, holding no more than one document in memory.
 *
 * It checks the JSON grammar as it reads, so that a broken document costs only itself. The rule:
 * a line whose first character is `{` or `[` (in a top-level array: at the column its elements
 * start) begins a new document. While a document is open, such a line means the open one was cut
 * short. After a syntax error, reading resumes where the brackets of the broken document close
 * (counted as a plain splitter would) or at the next such line, whichever comes first. Pretty-printers
 * (JSON.stringify, jq, `orgs` itself) indent everything nested, so a complete document never
 * meets such a line, and a truncated line of a one-per-line stream loses only that line; only a
 * hand-made document with a nested object flush left is cut in two.
 */
import { invalidArgument, type OrgsError } from './errors.js';

/**
 * A document larger than this is reported as an error as soon as it grows past it, instead of
 * being buffered; reading resumes after it.
 */
export const MAX_DOCUMENT_CHARS = 1 << 20;

/**
 * Containers open inside one document, at most: each open one is remembered, so 40 MiB of `[` would
 * otherwise take hundreds of MiB. Organizations nest 2 deep.
 */
export const MAX_NESTING = 64;

/** One document: its text, or, when it is broken or too large to keep, why. */
export type RawDocument = Where & ({ text: string; error?: undefined } | { text: undefined; error: OrgsError });

interface Where {
  /** Where it starts in the input, from 1. */
  line: number;
  column: number;
}

const NS = 'bulk';

// Where the reader is. Inside a document: what the grammar expects next.
const BETWEEN = 0; // between top-level documents
const SKIPPING = 1; // after a syntax error, until a line begins a new document
const VALUE = 2; // after `:`, or after `,` in an array
const VALUE_OR_CLOSE = 3; // after `[`
const KEY_OR_CLOSE = 4; // after `{`
const KEY = 5; // after `,` in an object
const COLON = 6; // after a key
const COMMA_OR_CLOSE = 7; // after a value inside an object or array
const STRING = 8;
const SCALAR = 9; // a number, true, false or null
// In a top-level array, between its elements (each element is a document of its own).
const ELEMENT_OR_END = 10; // after its `[`
const ELEMENT = 11; // after `,`
const COMMA_OR_END = 12; // after an element

const SCALAR_TEXT = /^(?:-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null)$/;

export class JsonDocumentSplitter {
  private state = BETWEEN;
  /** The closing characters of the containers open inside the current document. */
  private closers: number[] = [];
  private stringIsKey = false;
  /** Inside a string: 0, or -1 just after a backslash, or how many hex digits of `\u` remain. */
  private escape = 0;
  private scalar = '';
  /** While skipping: how many brackets of the broken document are open, and whether in a string. */
  private skipDepth = 0;
  private skipInString = false;
  private scalarColumn = 0;
  private inArray = false;
  private arrayLine = 0;
  private elementColumn = 0;

  private parts: string[] = [];
  private size = 0;
  private documentLine = 0;
  private documentColumn = 0;

  /** Characters read before the current chunk; where the current line starts; its number. */
  private offset = 0;
  private lineOffset = 0;
  private line = 1;
  private atLineStart = true;

  /** Feeds one chunk of input; returns the documents it completed. */
  push(chunk: string): RawDocument[] {
    const done: RawDocument[] = [];
    const n = chunk.length;
    let start = 0; // where the open document's text begins in this chunk
    let i = 0;
    const column = () => this.offset + i - this.lineOffset + 1;
    const begin = () => {
      start = i;
      this.parts = [];
      this.size = 0;
      this.documentLine = this.line;
      this.documentColumn = column();
    };
    const complete = (end: number) => {
      this.take(chunk, start, end);
      done.push(this.finish());
      this.state = this.inArray ? COMMA_OR_END : BETWEEN;
    };
    // A syntax error: the document so far (or, between documents, this character) is reported.
    const report = (why: string, at = column()) => {
      const open = this.inDocument();
      const unreadable = this.state === SCALAR ? !this.scalar.isWellFormed() : isSurrogate(chunk.codePointAt(i)!);
      done.push({
        text: undefined,
        line: open ? this.documentLine : this.line,
        column: open ? this.documentColumn : at,
        error: syntaxError(`${why} at line ${this.line}, column ${at}`, unreadable),
      });
    };
    // Skipping starts at this character (read again), with the brackets still open.
    const fail = (why: string, at?: number) => {
      report(why, at);
      this.skip();
      i--;
    };
    /** The character at i, as a message shows it. */
    const describe = () => {
      const code = chunk.codePointAt(i)!;
      return isSurrogate(code) ? 'bytes that are not UTF-8' : JSON.stringify(String.fromCodePoint(code));
    };
    for (; i < n; i++) {
      let c = chunk.charCodeAt(i);
      if (this.state === STRING) {
        if (this.escape === 0) {
          // The hot path: most of a document is string content.
          while (c !== 0x22 && c !== 0x5c && c >= 0x20 && ++i < n) c = chunk.charCodeAt(i);
          if (i === n) break;
        }
        if (c < 0x20) {
          fail(c === 0x0a ? 'the line ends inside a string' : 'a control character inside a string');
        } else if (this.escape === -1) {
          if (c === 0x75 /* u */) this.escape = 4;
          else if (ESCAPES.has(c)) this.escape = 0;
          else fail('an invalid escape');
        } else if (this.escape > 0) {
          if (isHexDigit(c)) this.escape--;
          else fail('an invalid \\u escape');
        } else if (c === 0x5c) {
          this.escape = -1;
        } else if (this.stringIsKey) {
          this.state = COLON;
        } else if (this.closers.length === 0) {
          complete(i + 1);
        } else {
          this.state = COMMA_OR_CLOSE;
        }
        continue;
      }
      if (this.state === SCALAR) {
        if (!isDelimiter(c)) {
          this.scalar += chunk[i];
          continue;
        }
        if (!SCALAR_TEXT.test(this.scalar)) {
          const word = this.scalar.isWellFormed() ? quoteWord(this.scalar) : 'bytes that are not UTF-8';
          fail(`unexpected ${word}`, this.scalarColumn);
          continue;
        }
        this.scalar = '';
        if (this.closers.length === 0) complete(i);
        else this.state = COMMA_OR_CLOSE;
        // The delimiter is read as usual below.
      }
      if (c === 0x20 || c === 0x09 || c === 0x0d) continue;
      if (c === 0x0a) {
        this.skipInString = false; // a string cannot span lines
        this.line++;
        this.lineOffset = this.offset + i + 1;
        this.atLineStart = true;
        continue;
      }
      if (this.atLineStart) {
        this.atLineStart = false;
        if ((c === 0x7b || c === 0x5b) && this.beginsDocument(column())) {
          if (this.state !== BETWEEN && this.state !== ELEMENT && this.state !== ELEMENT_OR_END) {
            if (this.state !== SKIPPING) {
              report(this.inDocument() ? 'the document is cut short: a new one begins' : 'expected "," or "]"');
              this.discard();
            }
            if (this.inArray && column() === this.elementColumn) {
              this.state = ELEMENT;
            } else {
              this.inArray = false;
              this.state = BETWEEN;
            }
          }
        }
      }
      switch (this.state) {
        case SKIPPING:
          if (this.skipInString) {
            if (c === 0x5c) i++;
            else if (c === 0x22) this.skipInString = false;
          } else if (c === 0x22) {
            this.skipInString = true;
          } else if (c === 0x7b || c === 0x5b) {
            if (this.skipDepth === 0) {
              this.state = this.inArray ? ELEMENT : BETWEEN;
              i--; // it begins the next document
            } else {
              this.skipDepth++;
            }
          } else if ((c === 0x7d || c === 0x5d) && this.skipDepth > 0 && --this.skipDepth === 0) {
            this.state = this.inArray ? COMMA_OR_END : BETWEEN;
          }
          continue;
        case BETWEEN:
          if (c === 0xfeff && this.offset + i === 0) {
            this.lineOffset = 1; // a byte order mark: not part of the first line's columns
            continue;
          }
          if (c === 0x5b /* [ */) {
            this.inArray = true;
            this.arrayLine = this.line;
            this.state = ELEMENT_OR_END;
            continue;
          }
          begin();
          if (!this.value(c, column())) fail(`unexpected ${describe()}`);
          continue;
        case ELEMENT_OR_END:
        case ELEMENT:
          if (c === 0x5d /* ] */ && this.state === ELEMENT_OR_END) {
            this.leaveArray();
            continue;
          }
          begin();
          this.elementColumn = this.documentColumn;
          if (!this.value(c, column())) fail(`unexpected ${describe()}`);
          continue;
        case COMMA_OR_END:
          if (c === 0x2c /* , */) this.state = ELEMENT;
          else if (c === 0x5d) this.leaveArray();
          else fail(`expected "," or "]", not ${describe()}`);
          continue;
        case VALUE:
        case VALUE_OR_CLOSE:
          if (c === 0x5d && this.state === VALUE_OR_CLOSE) break;
          if ((c === 0x7b || c === 0x5b) && this.closers.length === MAX_NESTING) {
            done.push(this.abandon(tooDeep(this.line, column())));
            i--; // read again while skipping: one more bracket to close
            continue;
          }
          if (!this.value(c, column())) fail(`unexpected ${describe()}`);
          continue;
        case KEY_OR_CLOSE:
        case KEY:
          if (c === 0x7d /* } */ && this.state === KEY_OR_CLOSE) break;
          if (c === 0x22) {
            this.state = STRING;
            this.stringIsKey = true;
          } else fail(`expected a key in quotes, not ${describe()}`);
          continue;
        case COLON:
          if (c === 0x3a) this.state = VALUE;
          else fail(`expected ":", not ${describe()}`);
          continue;
        case COMMA_OR_CLOSE:
          if (c === 0x2c) {
            this.state = this.closers[this.closers.length - 1] === 0x7d ? KEY : VALUE;
            continue;
          }
          if (c !== 0x7d && c !== 0x5d) {
            fail(`expected "," or "${String.fromCharCode(this.closers[this.closers.length - 1]!)}", not ${describe()}`);
            continue;
          }
          break;
      }
      // A closing bracket.
      if (c !== this.closers.pop()) {
        fail(`unexpected ${describe()}`);
        continue;
      }
      if (this.closers.length === 0) complete(i + 1);
      else this.state = COMMA_OR_CLOSE;
    }
    if (this.inDocument()) {
      this.take(chunk, start, n);
      if (this.size > MAX_DOCUMENT_CHARS) done.push(this.abandon(tooLarge()));
    }
    this.offset += n;
    return done;
  }

  /** Ends the input; an unfinished document or array is reported as broken. */
  end(): RawDocument[] {
    const line = this.line;
    const column = this.offset - this.lineOffset + 1;
    const where = `at line ${line}, column ${column}`;
    const done = this.scalar === '' ? [] : this.push(' '); // a number or word ends with the input
    if (this.inDocument()) {
      done.push({
        text: undefined,
        line: this.documentLine,
        column: this.documentColumn,
        error: syntaxError(`the input ends inside the document ${where}`),
      });
    } else if (this.inArray && this.state !== SKIPPING) {
      done.push({
        text: undefined,
        line,
        column,
        error: syntaxError(`the input ends ${where} inside the array that begins on line ${this.arrayLine}`),
      });
    }
    this.state = BETWEEN;
    this.inArray = false;
    this.closers.length = 0;
    this.parts = [];
    this.size = 0;
    return done;
  }

  /** Reads the first character of a value; false when none can begin with it. */
  private value(c: number, column: number): boolean {
    if (c === 0x7b || c === 0x5b) {
      this.closers.push(c + 2); // `}` and `]` follow `{` and `[`
      this.state = c === 0x7b ? KEY_OR_CLOSE : VALUE_OR_CLOSE;
    } else if (c === 0x22) {
      this.state = STRING;
      this.stringIsKey = false;
    } else if (!isDelimiter(c)) {
      this.state = SCALAR;
      this.scalar = String.fromCharCode(c);
      this.scalarColumn = column;
    } else {
      return false;
    }
    return true;
  }

  /** Reports the open document as `error` and skips the rest of it. */
  private abandon(error: OrgsError): RawDocument {
    const document = { text: undefined, line: this.documentLine, column: this.documentColumn, error };
    this.skip();
    return document;
  }

  /**
   * Drops the open document and skips the rest of it: to where its open brackets close, or to a
   * line that begins a new document.
   */
  private skip(): void {
    this.skipDepth = this.closers.length;
    this.skipInString = this.state === STRING;
    this.state = SKIPPING;
    this.discard();
  }

  /** Forgets the open document. */
  private discard(): void {
    this.parts = [];
    this.size = 0;
    this.closers.length = 0;
    this.scalar = '';
    this.escape = 0;
  }

  /** What the reader holds of the open document (its text, a number or word, its open brackets). */
  get buffered(): number {
    return this.parts.reduce((sum, part) => sum + part.length, 0) + this.scalar.length + this.closers.length;
  }

  /** Whether a line whose first character is `{` or `[` at this column begins a new document. */
  private beginsDocument(column: number): boolean {
    return column === 1 || (this.inArray && column === this.elementColumn);
  }

  private inDocument(): boolean {
    return this.state >= VALUE && this.state <= SCALAR;
  }

  private leaveArray(): void {
    this.inArray = false;
    this.state = BETWEEN;
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
    const line = this.documentLine;
    const column = this.documentColumn;
    if (text === undefined) return { line, column, text, error: tooLarge() };
    if (!text.isWellFormed()) return { line, column, text: undefined, error: invalidUtf8(text, line, column) };
    // Literals, not spreads: a bulk create makes one per document.
    return { line, column, text };
  }
}

// `"`, `\`, `/`, b, f, n, r, t: the characters that may follow a backslash (besides u).
const ESCAPES = new Set([0x22, 0x5c, 0x2f, 0x62, 0x66, 0x6e, 0x72, 0x74]);

const isHexDigit = (c: number) => (c >= 0x30 && c <= 0x39) || ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x66);

/** Ends a number or word: whitespace, punctuation of JSON, or a quote. */
const isDelimiter = (c: number) =>
  c === 0x20 ||
  c === 0x0a ||
  c === 0x0d ||
  c === 0x09 ||
  c === 0x2c ||
  c === 0x3a ||
  c === 0x22 ||
  c === 0x7b ||
  c === 0x7d ||
  c === 0x5b ||
  c === 0x5d;

const isSurrogate = (c: number) => c >= 0xd800 && c <= 0xdfff;

function quoteWord(word: string): string {
  return JSON.stringify(word.length > 20 ? `${word.slice(0, 20)}…` : word);
}

function tooLarge(): OrgsError {
  return invalidArgument(NS, 'document_too_large', `document is larger than ${MAX_DOCUMENT_CHARS} characters`);
}

function tooDeep(line: number, column: number): OrgsError {
  return invalidArgument(
    NS,
    'document_too_deep',
    `document nests more than ${MAX_NESTING} arrays and objects, at line ${line}, column ${column}`,
  );
}

function syntaxError(message: string, unreadable = false): OrgsError {
  if (unreadable) return invalidArgument(NS, 'invalid_encoding', `not valid UTF-8: ${message}`);
  return invalidArgument(NS, 'invalid_json', `not valid JSON: ${message}`);
}

/** A document holding a lone surrogate: bytes the decoder could not read (see utf8.ts). */
function invalidUtf8(text: string, line: number, column: number): OrgsError {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x0a) {
      line++;
      column = 1;
      continue;
    }
    if (isSurrogate(c)) {
      const pair = c <= 0xdbff && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00;
      if (!pair) break;
      i++;
    }
    column++;
  }
  return invalidArgument(
    NS,
    'invalid_encoding',
    `not valid UTF-8: bytes that are not UTF-8 at line ${line}, column ${column}`,
  );
}
