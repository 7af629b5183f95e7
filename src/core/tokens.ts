/**
 * API key tokens: `NNSXS.<id>.<secret>`, base32 (`A-Z2-7`), 39 and 52 characters, from crypto
 * randomness. Only a salted SHA-256 of the secret is stored: the secret carries 260 random bits,
 * so a slow password hash would add nothing but start-up time to every command that uses a key.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { customAlphabet } from 'nanoid';

export const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
export const ID_LENGTH = 39;
export const SECRET_LENGTH = 52;
const PREFIX = 'NNSXS';
const TOKEN = new RegExp(`^${PREFIX}\\.([A-Z2-7]{${ID_LENGTH}})\\.([A-Z2-7]{${SECRET_LENGTH}})$`);

const newId = customAlphabet(BASE32, ID_LENGTH);
const newSecret = customAlphabet(BASE32, SECRET_LENGTH);

export interface Token {
  id: string;
  secret: string;
}

export function generateToken(): Token & { text: string } {
  const id = newId();
  const secret = newSecret();
  return { id, secret, text: `${PREFIX}.${id}.${secret}` };
}

/** The parts of a token, or undefined when it is not of the form. */
export function parseToken(text: string): Token | undefined {
  const match = TOKEN.exec(text);
  return match ? { id: match[1]!, secret: match[2]! } : undefined;
}

/** The key ID alone, safe to show: never the secret. */
export function describeToken(text: string): string {
  const token = parseToken(text);
  return token ? `${PREFIX}.${token.id}.…` : 'a malformed key';
}

const digest = (salt: Buffer, secret: string) => createHash('sha256').update(salt).update(secret).digest();

export function hashSecret(secret: string): string {
  const salt = randomBytes(16);
  return `sha256:${salt.toString('hex')}:${digest(salt, secret).toString('hex')}`;
}

/** `sha256:<salt, 16 bytes>:<digest, 32 bytes>` in lowercase hex, as hashSecret writes it. */
const STORED_HASH = /^sha256:([0-9a-f]{32}):([0-9a-f]{64})$/;

export function verifySecret(secret: string, stored: string): boolean {
  const match = STORED_HASH.exec(stored);
  if (!match) return false;
  const expected = Buffer.from(match[2]!, 'hex');
  return timingSafeEqual(expected, digest(Buffer.from(match[1]!, 'hex'), secret));
}
