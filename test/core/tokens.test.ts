/**
 * API key tokens (src/core/tokens.ts): `NNSXS.<id>.<secret>`, 39 and 52 characters of base32
 * (`A-Z2-7`), drawn by nanoid's customAlphabet from Node's crypto randomness; the secret stored
 * only as a salted hash that verifySecret checks.
 */
import { webcrypto } from 'node:crypto';
import { afterEach, describe, expect, test, vi } from 'vitest';
import {
  BASE32,
  describeToken,
  generateToken,
  hashSecret,
  ID_LENGTH,
  parseToken,
  SECRET_LENGTH,
  verifySecret,
} from '../../src/core/tokens.js';

const TOKEN = /^NNSXS\.([A-Z2-7]{39})\.([A-Z2-7]{52})$/;
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const N = 2000;

afterEach(() => {
  vi.restoreAllMocks();
});

describe('generateToken: format', () => {
  test('the alphabet and lengths are base32, 39 and 52', () => {
    expect(BASE32).toBe(ALPHABET);
    expect(new Set(BASE32).size).toBe(32);
    expect(ID_LENGTH).toBe(39);
    expect(SECRET_LENGTH).toBe(52);
  });

  test('a token is NNSXS.<id>.<secret> and its parts are the id and secret returned', () => {
    for (let i = 0; i < 100; i++) {
      const token = generateToken();
      const match = TOKEN.exec(token.text);
      expect(match, token.text).not.toBeNull();
      expect(token.id).toBe(match![1]);
      expect(token.secret).toBe(match![2]);
      expect(token.id).toHaveLength(39);
      expect(token.secret).toHaveLength(52);
      expect(token.text).toHaveLength('NNSXS.'.length + 39 + 1 + 52);
    }
  });
});

describe('generateToken: randomness', () => {
  const tokens = Array.from({ length: N }, () => generateToken());

  test(`${N} tokens: ids, secrets and texts are all distinct, and no secret repeats its id`, () => {
    expect(new Set(tokens.map((t) => t.id)).size).toBe(N);
    expect(new Set(tokens.map((t) => t.secret)).size).toBe(N);
    expect(new Set(tokens.map((t) => t.text)).size).toBe(N);
    const ids = new Set(tokens.map((t) => t.id));
    for (const t of tokens) expect(ids.has(t.secret.slice(0, 39))).toBe(false);
  });

  /** Pearson's chi-square statistic of the characters' counts against a uniform distribution. */
  function chiSquare(text: string): number {
    const counts = new Map<string, number>([...ALPHABET].map((c) => [c, 0]));
    for (const c of text) {
      expect(counts.has(c), `character ${c} outside the alphabet`).toBe(true);
      counts.set(c, counts.get(c)! + 1);
    }
    const expected = text.length / ALPHABET.length;
    let sum = 0;
    for (const count of counts.values()) sum += (count - expected) ** 2 / expected;
    return sum;
  }

  // 31 degrees of freedom: mean 31, standard deviation ≈ 7.9. A bound of 150 is exceeded by chance
  // with probability below 1e-16, while any real bias (a missing letter, modulo bias, a constant
  // position) pushes the statistic into the hundreds or thousands.
  const BOUND = 150;

  test('every character of the alphabet is used, roughly uniformly, over all ids and all secrets', () => {
    const idChars = tokens.map((t) => t.id).join('');
    const secretChars = tokens.map((t) => t.secret).join('');
    expect(new Set(idChars).size).toBe(32);
    expect(new Set(secretChars).size).toBe(32);
    expect(chiSquare(idChars)).toBeLessThan(BOUND);
    expect(chiSquare(secretChars)).toBeLessThan(BOUND);
  });

  test('each position (first and last of id and secret) is roughly uniform across tokens', () => {
    const positions: Array<[string, (t: (typeof tokens)[number]) => string]> = [
      ['id[0]', (t) => t.id[0]!],
      ['id[38]', (t) => t.id[38]!],
      ['secret[0]', (t) => t.secret[0]!],
      ['secret[51]', (t) => t.secret[51]!],
    ];
    for (const [name, pick] of positions) {
      const column = tokens.map(pick).join('');
      expect(chiSquare(column), name).toBeLessThan(BOUND);
    }
  });
});

describe('generateToken draws from crypto.getRandomValues (nanoid customAlphabet over node:crypto)', () => {
  /** Makes the crypto source return `byte` everywhere, and generates until the pool is refilled by it. */
  function tokensWithSource(byte: number): { calls: number; text: string[] } {
    const spy = vi.spyOn(webcrypto, 'getRandomValues').mockImplementation(((array: ArrayBufferView) => {
      new Uint8Array(array.buffer, array.byteOffset, array.byteLength).fill(byte);
      return array;
    }) as typeof webcrypto.getRandomValues);
    // nanoid keeps a pool of random bytes; enough tokens exhaust whatever was left in it.
    const text = Array.from({ length: 400 }, () => generateToken().text);
    const calls = spy.mock.calls.length;
    spy.mockRestore();
    // Drain the pool filled by the fake source, so later tokens are random again.
    for (let i = 0; i < 400; i++) generateToken();
    return { calls, text };
  }

  test('all-zero random bytes give the first letter everywhere, 0xFF the last (a 5-bit mask over the bytes)', () => {
    const zeros = tokensWithSource(0x00);
    expect(zeros.calls).toBeGreaterThan(0);
    expect(zeros.text).toContain(`NNSXS.${'A'.repeat(39)}.${'A'.repeat(52)}`);

    const ones = tokensWithSource(0xff);
    expect(ones.text).toContain(`NNSXS.${'7'.repeat(39)}.${'7'.repeat(52)}`);

    // 0x27 = 39: 39 & 31 = 7, the letter H.
    const h = tokensWithSource(0x27);
    expect(h.text).toContain(`NNSXS.${'H'.repeat(39)}.${'H'.repeat(52)}`);
  });

  test('with the genuine source restored, tokens are random again', () => {
    const text = Array.from({ length: 50 }, () => generateToken().text);
    expect(new Set(text).size).toBe(50);
    for (const t of text) expect(t).not.toMatch(/^NNSXS\.(.)\1{38}\./);
  });
});

describe('parseToken and describeToken', () => {
  test('parseToken returns the parts of a generated token', () => {
    const token = generateToken();
    expect(parseToken(token.text)).toEqual({ id: token.id, secret: token.secret });
  });

  test('parseToken rejects anything not exactly of the form', () => {
    const { id, secret, text } = generateToken();
    const bad = [
      '',
      'garbage',
      `${id}.${secret}`,
      `NNSXS.${id}`,
      `nnsxs.${id}.${secret}`,
      `NNSXS.${id.toLowerCase()}.${secret}`,
      `NNSXS.${id}.${secret.toLowerCase()}`,
      `NNSXS.${id.slice(1)}.${secret}`,
      `NNSXS.${id}A.${secret}`,
      `NNSXS.${id}.${secret.slice(1)}`,
      `NNSXS.${id}.${secret}A`,
      `NNSXS.${id.slice(0, -1)}0.${secret}`,
      `NNSXS.${id}.${secret.slice(0, -1)}1`,
      `NNSXS.${id}.${secret.slice(0, -1)}8`,
      `NNSXS.${id}.${secret.slice(0, -1)}9`,
      ` ${text}`,
      `${text}\n`,
      `${text}.${secret}`,
      `XXSXS.${id}.${secret}`,
    ];
    for (const text of bad) expect(parseToken(text), JSON.stringify(text)).toBeUndefined();
  });

  test('describeToken names the id and never the secret; a malformed key is not echoed', () => {
    const { id, secret, text } = generateToken();
    const described = describeToken(text);
    expect(described).toContain(id);
    expect(described).not.toContain(secret);
    expect(described).not.toContain(secret.slice(0, 10));

    const almost = text.slice(0, -1);
    const malformed = describeToken(almost);
    expect(malformed).not.toContain(secret.slice(0, -1));
    expect(malformed).not.toContain(secret.slice(0, 10));
  });
});

describe('hashSecret and verifySecret', () => {
  test('the hash is salted: two hashes of one secret differ, and both verify', () => {
    const { secret } = generateToken();
    const first = hashSecret(secret);
    const second = hashSecret(secret);
    expect(first).not.toBe(second);
    expect(verifySecret(secret, first)).toBe(true);
    expect(verifySecret(secret, second)).toBe(true);
    const many = new Set(Array.from({ length: 200 }, () => hashSecret(secret)));
    expect(many.size).toBe(200);
  });

  test('the stored hash does not contain the secret in any plain form', () => {
    const { secret } = generateToken();
    const stored = hashSecret(secret);
    for (const form of [
      secret,
      secret.toLowerCase(),
      Buffer.from(secret).toString('hex'),
      Buffer.from(secret).toString('base64'),
    ]) {
      expect(stored.toLowerCase()).not.toContain(form.toLowerCase().slice(0, 16));
    }
  });

  test('verifySecret rejects a changed secret, another secret, a prefix, and the empty string', () => {
    const { secret } = generateToken();
    const stored = hashSecret(secret);
    const last = secret.at(-1)!;
    expect(verifySecret(secret.slice(0, -1) + (last === 'A' ? 'B' : 'A'), stored)).toBe(false);
    expect(verifySecret(secret.toLowerCase(), stored)).toBe(false);
    expect(verifySecret(generateToken().secret, stored)).toBe(false);
    expect(verifySecret(secret.slice(0, -1), stored)).toBe(false);
    expect(verifySecret(`${secret}A`, stored)).toBe(false);
    expect(verifySecret('', stored)).toBe(false);
    // A hash made for a different secret does not verify this one.
    expect(verifySecret(secret, hashSecret(secret.slice(1)))).toBe(false);
  });

  test('verifySecret rejects malformed or tampered stored hashes without throwing', () => {
    const { secret } = generateToken();
    const stored = hashSecret(secret);
    const parts = stored.split(':');
    const flipLastHex = (hex: string) => hex.slice(0, -1) + (hex.at(-1) === '0' ? '1' : '0');
    const malformed = ['', 'garbage', secret, ':', '::', stored.slice(0, -2), `${stored}00`];
    if (parts.length >= 2) {
      // Other scheme name, salt changed, hash changed, hash missing, salt missing.
      const [scheme, ...rest] = parts;
      malformed.push(['md5', ...rest].join(':'));
      malformed.push([`${scheme}x`, ...rest].join(':'));
      malformed.push(parts.map((p, i) => (i === parts.length - 1 ? flipLastHex(p) : p)).join(':'));
      malformed.push(parts.slice(0, -1).join(':'));
      malformed.push(`${parts.slice(0, -1).join(':')}:`);
      if (parts.length >= 3) {
        malformed.push(parts.map((p, i) => (i === 1 ? flipLastHex(p) : p)).join(':'));
        malformed.push([parts[0], '', parts[2]].join(':'));
      }
    }
    for (const bad of malformed) {
      expect(() => verifySecret(secret, bad), JSON.stringify(bad)).not.toThrow();
      expect(verifySecret(secret, bad), JSON.stringify(bad)).toBe(false);
    }
  });

  test('verifySecret rejects a stored hash with trailing non-hex or odd-length hex characters (malformed)', () => {
    const { secret } = generateToken();
    const stored = hashSecret(secret);
    for (const bad of [`${stored}zz`, `${stored}0`, `${stored}g`, `${stored} `]) {
      expect(verifySecret(secret, bad), JSON.stringify(bad)).toBe(false);
    }
  });
});
