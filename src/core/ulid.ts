/**
 * ULIDs (https://github.com/ulid/spec): 48 bits of milliseconds and 80 random bits, in Crockford's
 * base32, so that they sort as they were made. A few lines over Web Crypto rather than the `ulid`
 * package: what orgs needs beyond the spec is that each is greater than the newest stored one,
 * whichever process made it, which only the store can tell (see nextUlid).
 */
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const TIME_LENGTH = 10;
const RANDOM_LENGTH = 16;

function encodeTime(ms: number): string {
  let text = '';
  for (let i = 0; i < TIME_LENGTH; i++) {
    text = ALPHABET[ms % 32] + text;
    ms = Math.floor(ms / 32);
  }
  return text;
}

export function ulidTime(id: string): number {
  let ms = 0;
  for (const c of id.slice(0, TIME_LENGTH)) ms = ms * 32 + ALPHABET.indexOf(c);
  return ms;
}

/** Random bytes drawn a pool at a time: one draw per ULID was most of the cost of each (orgs serve makes one per request). */
const pool = new Uint8Array(RANDOM_LENGTH * 256);
let pooled = 0;

function randomPart(): string {
  if (pooled === 0) {
    crypto.getRandomValues(pool);
    pooled = pool.length;
  }
  let text = '';
  for (let i = pooled - RANDOM_LENGTH; i < pooled; i++) text += ALPHABET[pool[i]! & 31];
  pooled -= RANDOM_LENGTH;
  return text;
}

/** The base32 text plus one (`…ZZ` carries over); undefined when every digit is the last. */
function increment(text: string): string | undefined {
  // The last digit that is not the last of the alphabet goes up one; those after it carry over.
  let i = text.length - 1;
  while (i >= 0 && text[i] === ALPHABET[31]) i--;
  if (i < 0) return undefined;
  const next = ALPHABET[ALPHABET.indexOf(text[i]!) + 1]!;
  return text.slice(0, i) + next + ALPHABET[0]!.repeat(text.length - 1 - i);
}

/**
 * A new ULID for time `ms`, greater than `after` (the newest one stored): within the same
 * millisecond, or when the clock went back, it is `after` plus one.
 */
export function nextUlid(ms: number, after?: string): string {
  if (after === undefined || ulidTime(after) < ms) return encodeTime(ms) + randomPart();
  const random = increment(after.slice(TIME_LENGTH));
  return random === undefined ? encodeTime(ulidTime(after) + 1) + randomPart() : after.slice(0, TIME_LENGTH) + random;
}

/** A fresh ULID, for correlation IDs. */
export const ulid = (ms: number = Date.now()): string => nextUlid(ms);
