/**
 * The `/regular expression/` of `events --names`, matched in time linear in the name: compiled to
 * an automaton whose states are all followed at once (Thompson's construction, as in RE2 and Go's
 * regexp, which ttn-lw-cli's own --names uses), so that no pattern can backtrack without bound;
 * JavaScript's engine takes a minute per name on /^(([a-z.-]+)+)+X$/. The syntax is JavaScript's
 * without what only backtracking can match (backreferences, lookaround), which is refused with
 * the reason, as are escapes whose meaning JavaScript changes with its flags.
 */

/** A pattern the matcher cannot take, with the reason. */
export class PatternError extends Error {}

/** A compiled pattern: whether it matches somewhere in a name, as RegExp.prototype.test. */
export interface NamePattern {
  test(name: string): boolean;
}

/** Repetition counts above this are refused (RE2's limit), and so are automata above MAX_STATES. */
const MAX_REPEAT = 1000;
const MAX_STATES = 20_000;
/** Groups nested deeper are refused: parsing and building recurse once per level. */
const MAX_DEPTH = 100;

type CharTest = (c: number) => boolean;
/** Whether an assertion holds between the code points at `at - 1` and `at`. */
type AssertTest = (text: readonly number[], at: number) => boolean;

type Node =
  | { type: 'char'; test: CharTest }
  | { type: 'assert'; test: AssertTest }
  | { type: 'concat'; items: Node[] }
  | { type: 'alternate'; options: Node[] }
  | { type: 'repeat'; node: Node; min: number; max: number };

const range =
  (from: number, to: number): CharTest =>
  (c) =>
    c >= from && c <= to;
const anyOf =
  (...tests: CharTest[]): CharTest =>
  (c) =>
    tests.some((test) => test(c));
const not =
  (test: CharTest): CharTest =>
  (c) =>
    !test(c);

const DIGIT = range(0x30, 0x39);
const WORD = anyOf(DIGIT, range(0x41, 0x5a), range(0x61, 0x7a), (c) => c === 0x5f);
const SPACE: CharTest = (c) =>
  (c >= 0x09 && c <= 0x0d) ||
  c === 0x20 ||
  c === 0xa0 ||
  c === 0x1680 ||
  (c >= 0x2000 && c <= 0x200a) ||
  c === 0x2028 ||
  c === 0x2029 ||
  c === 0x202f ||
  c === 0x205f ||
  c === 0x3000 ||
  c === 0xfeff;
const LINE_END: CharTest = (c) => c === 0x0a || c === 0x0d || c === 0x2028 || c === 0x2029;
const CLASS_ESCAPES: Record<string, CharTest> = {
  d: DIGIT,
  D: not(DIGIT),
  w: WORD,
  W: not(WORD),
  s: SPACE,
  S: not(SPACE),
};
const CONTROL_ESCAPES: Record<string, number> = { n: 0x0a, r: 0x0d, t: 0x09, f: 0x0c, v: 0x0b };

const isWordAt = (text: readonly number[], at: number) => at >= 0 && at < text.length && WORD(text[at]!);
const ASSERTIONS: Record<string, AssertTest> = {
  '^': (_, at) => at === 0,
  $: (text, at) => at === text.length,
  b: (text, at) => isWordAt(text, at - 1) !== isWordAt(text, at),
  B: (text, at) => isWordAt(text, at - 1) === isWordAt(text, at),
};

/** The pattern's syntax tree, or a PatternError saying what it cannot take. */
class Parser {
  private at = 0;
  private depth = 0;

  constructor(private readonly source: string) {}

  parse(): Node {
    const node = this.alternation();
    if (this.at < this.source.length) throw new PatternError(`unmatched ")" at ${this.at + 1}`);
    return node;
  }

  private peek(offset = 0): string | undefined {
    return this.source[this.at + offset];
  }

  private alternation(): Node {
    const options = [this.sequence()];
    while (this.peek() === '|') {
      this.at++;
      options.push(this.sequence());
    }
    return options.length === 1 ? options[0]! : { type: 'alternate', options };
  }

  private sequence(): Node {
    const items: Node[] = [];
    while (this.at < this.source.length && this.peek() !== '|' && this.peek() !== ')') items.push(this.quantified());
    return items.length === 1 ? items[0]! : { type: 'concat', items };
  }

  private quantified(): Node {
    const grouped = this.peek() === '(';
    const atom = this.atom();
    const quantifier = this.quantifier();
    if (!quantifier) return atom;
    // `^*` is refused as JavaScript refuses it; `(?:^)*` is taken.
    if (atom.type === 'assert' && !grouped) throw new PatternError(`nothing to repeat before ${this.at}`);
    if (this.peek() === '?') this.at++; // lazy: the same names match
    if (this.quantifier()) throw new PatternError(`nothing to repeat at ${this.at}`);
    return { type: 'repeat', node: atom, ...quantifier };
  }

  /** `*`, `+`, `?`, `{n}`, `{n,}` or `{n,m}` here (consumed), if any. */
  private quantifier(): { min: number; max: number } | undefined {
    const c = this.peek();
    if (c === '*' || c === '+' || c === '?') {
      this.at++;
      return { min: c === '+' ? 1 : 0, max: c === '?' ? 1 : Infinity };
    }
    const braces = c === '{' ? /^\{(\d+)(,(\d*))?\}/.exec(this.source.slice(this.at)) : null;
    if (!braces) return undefined; // a `{` that opens no count is itself (as in JavaScript)
    this.at += braces[0].length;
    const min = Number(braces[1]);
    const max = braces[2] === undefined ? min : braces[3] === '' ? Infinity : Number(braces[3]);
    if (max < min) throw new PatternError(`numbers out of order in ${braces[0]}`);
    if (Math.max(min, max === Infinity ? 0 : max) > MAX_REPEAT) {
      throw new PatternError(`${braces[0]} repeats more than ${MAX_REPEAT} times`);
    }
    return { min, max };
  }

  private atom(): Node {
    const c = this.peek()!;
    switch (c) {
      case '(':
        return this.group();
      case '[':
        return { type: 'char', test: this.characterClass() };
      case '.':
        this.at++;
        return { type: 'char', test: not(LINE_END) };
      case '^':
      case '$':
        this.at++;
        return { type: 'assert', test: ASSERTIONS[c]! };
      case '\\':
        return this.escape();
      case '*':
      case '+':
      case '?':
        throw new PatternError(`nothing to repeat at ${this.at + 1}`);
      case '{':
        if (this.quantifier()) throw new PatternError(`nothing to repeat at ${this.at}`);
    }
    const point = this.source.codePointAt(this.at)!;
    this.at += point > 0xffff ? 2 : 1;
    return { type: 'char', test: (x) => x === point };
  }

  private group(): Node {
    const start = this.at;
    this.at++;
    if (this.peek() === '?') {
      const kind = this.source.slice(this.at, this.at + 3);
      if (kind.startsWith('?:')) this.at += 2;
      else if (kind.startsWith('?=') || kind.startsWith('?!') || kind === '?<=' || kind === '?<!') {
        const opener = kind.startsWith('?<') ? kind : kind.slice(0, 2);
        throw new PatternError(`lookaround ((${opener}…) is not supported`);
      } else {
        const name = /^\?<[A-Za-z_$][\w$]*>/.exec(this.source.slice(this.at));
        if (!name) throw new PatternError(`invalid group at ${start + 1}`);
        this.at += name[0].length;
      }
    }
    if (++this.depth > MAX_DEPTH) throw new PatternError(`groups nested more than ${MAX_DEPTH} deep`);
    const inner = this.alternation();
    this.depth--;
    if (this.peek() !== ')') throw new PatternError(`unterminated group at ${start + 1}`);
    this.at++;
    return inner;
  }

  /** An escape outside a class: a class of characters, an assertion, or one character. */
  private escape(): Node {
    const letter = this.peek(1);
    if (letter === 'b' || letter === 'B') {
      this.at += 2;
      return { type: 'assert', test: ASSERTIONS[letter]! };
    }
    if (letter !== undefined && /[1-9]/.test(letter)) {
      throw new PatternError(`backreferences (\\${letter}) are not supported`);
    }
    if (letter === 'k') throw new PatternError('backreferences (\\k<…>) are not supported');
    return { type: 'char', test: single(this.escaped(false)) };
  }

  /** An escape (its backslash at `at`), consumed: a class of characters such as \d, or one code point. */
  private escaped(inClass: boolean): number | CharTest {
    const start = this.at;
    const letter = this.peek(1);
    if (letter === undefined) throw new PatternError('\\ at end of pattern');
    this.at += 2;
    if (CLASS_ESCAPES[letter]) return CLASS_ESCAPES[letter];
    const code = this.escapedCode(letter, inClass);
    if (code === undefined) {
      throw new PatternError(`unsupported escape ${this.source.slice(start, start + 2)} at ${start + 1}`);
    }
    return code;
  }

  /** The code point of a one-character escape whose letter was consumed, if it is one. */
  private escapedCode(letter: string, inClass: boolean): number | undefined {
    if (CONTROL_ESCAPES[letter] !== undefined) return CONTROL_ESCAPES[letter];
    if (inClass && letter === 'b') return 0x08;
    if (letter === '0' && !/[0-9]/.test(this.peek() ?? '')) return 0;
    const hex = { x: 2, u: 4 }[letter];
    if (hex !== undefined) {
      const digits = this.source.slice(this.at, this.at + hex);
      if (digits.length !== hex || !/^[0-9A-Fa-f]+$/.test(digits)) return undefined;
      this.at += hex;
      return parseInt(digits, 16);
    }
    if (letter === 'c' && /[A-Za-z]/.test(this.peek() ?? '')) return this.source.charCodeAt(this.at++) % 32;
    // Punctuation stands for itself; letters and digits mean something else under some flag.
    return /[\p{L}\p{N}]/u.test(letter) ? undefined : letter.codePointAt(0);
  }

  private characterClass(): CharTest {
    const start = this.at;
    this.at++;
    const negated = this.peek() === '^';
    if (negated) this.at++;
    const tests: CharTest[] = [];
    for (;;) {
      if (this.at >= this.source.length) throw new PatternError(`missing ] for the class at ${start + 1}`);
      if (this.peek() === ']') break;
      const from = this.classAtom();
      if (this.peek() === '-' && this.peek(1) !== ']' && this.peek(1) !== undefined) {
        this.at++;
        const to = this.classAtom();
        if (typeof from === 'number' && typeof to === 'number') {
          if (to < from) throw new PatternError(`range out of order in the class at ${start + 1}`);
          tests.push(range(from, to));
          continue;
        }
        tests.push(single(from), (c) => c === 0x2d, single(to)); // `[\d-x]`: a dash of its own
        continue;
      }
      tests.push(single(from));
    }
    this.at++;
    const inClass = anyOf(...tests);
    return negated ? not(inClass) : inClass;
  }

  /** One character of a class (its code point), or a class escape such as \d. */
  private classAtom(): number | CharTest {
    if (this.peek() === '\\') return this.escaped(true);
    const point = this.source.codePointAt(this.at)!;
    this.at += point > 0xffff ? 2 : 1;
    return point;
  }
}

const single = (item: number | CharTest): CharTest => (typeof item === 'number' ? (c) => c === item : item);

type State =
  | { op: 'char'; test: CharTest; next: number }
  | { op: 'assert'; test: AssertTest; next: number }
  | { op: 'split'; next: number; other: number }
  | { op: 'match' };

/** The automaton of a tree: states, built from the end (each state knows what follows it). */
class Automaton {
  readonly states: State[] = [{ op: 'match' }];

  private add(state: State): number {
    if (this.states.length >= MAX_STATES) throw new PatternError('pattern too large');
    this.states.push(state);
    return this.states.length - 1;
  }

  /** The first state of `node` followed by state `next`. */
  build(node: Node, next: number): number {
    switch (node.type) {
      case 'char':
        return this.add({ op: 'char', test: node.test, next });
      case 'assert':
        return this.add({ op: 'assert', test: node.test, next });
      case 'concat':
        return node.items.reduceRight((after, item) => this.build(item, after), next);
      case 'alternate':
        return node.options
          .map((option) => this.build(option, next))
          .reduceRight((other, first) => this.add({ op: 'split', next: first, other }));
      case 'repeat': {
        let start = next;
        if (node.max === Infinity) {
          // A loop: the split goes into the node, which comes back to the split.
          const loop = this.add({ op: 'split', next: -1, other: next });
          (this.states[loop] as { next: number }).next = this.build(node.node, loop);
          start = loop;
        } else {
          for (let i = node.min; i < node.max; i++) {
            start = this.add({ op: 'split', next: this.build(node.node, start), other: next });
          }
        }
        for (let i = 0; i < node.min; i++) start = this.build(node.node, start);
        return start;
      }
    }
  }
}

/** Compiles `source` (the text between the slashes), or throws a PatternError saying why not. */
export function namePattern(source: string): NamePattern {
  const automaton = new Automaton();
  const start = automaton.build(new Parser(source).parse(), 0);
  const { states } = automaton;
  return {
    test(name) {
      const text = Array.from(name, (c) => c.codePointAt(0)!);
      // Which states were reached at the current position: each is followed once per position.
      const seen = new Int32Array(states.length).fill(-1);
      let current: number[] = [];
      /** Adds a state and every state reached from it without reading; true when one is the match. */
      const reach = (list: number[], from: number, at: number): boolean => {
        const stack = [from];
        while (stack.length > 0) {
          const index = stack.pop()!;
          if (seen[index] === at) continue;
          seen[index] = at;
          const state = states[index]!;
          switch (state.op) {
            case 'match':
              return true;
            case 'char':
              list.push(index);
              break;
            case 'assert':
              if (state.test(text, at)) stack.push(state.next);
              break;
            case 'split':
              stack.push(state.other, state.next);
          }
        }
        return false;
      };
      for (let at = 0; ; at++) {
        // A match may start anywhere.
        if (reach(current, start, at)) return true;
        if (at === text.length) return false;
        const next: number[] = [];
        for (const index of current) {
          const state = states[index] as Extract<State, { op: 'char' }>;
          if (state.test(text[at]!) && reach(next, state.next, at + 1)) return true;
        }
        current = next;
      }
    },
  };
}
