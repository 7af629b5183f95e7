/** Identifiers and field limits of the registry (RULES.md, "Identifiers"). */
import { invalidArgument } from './errors.js';

const NS = 'validate';

declare global {
  interface String {
    /** ES2024, in Node since 20: false when the string holds a lone surrogate. */
    isWellFormed(): boolean;
  }
}

/** Organization IDs: 3 to 36 characters; user IDs may be 2. Single dashes inside only. */
const ORGANIZATION_ID = /^[a-z0-9](?:-?[a-z0-9]){2,}$/;
const USER_ID = /^[a-z0-9](?:-?[a-z0-9]){1,}$/;
const MAX_ID_LENGTH = 36;

export const LIMITS = {
  name: 50,
  description: 2000,
  attributes: 10,
  attributeValue: 200,
  apiKeyName: 50,
  search: 50,
} as const;

export function isOrganizationId(id: string): boolean {
  return id.length <= MAX_ID_LENGTH && ORGANIZATION_ID.test(id);
}

export function isUserId(id: string): boolean {
  return id.length <= MAX_ID_LENGTH && USER_ID.test(id);
}

/** A user-supplied value cut short enough for an error message, without flooding the terminal. */
export function shorten(value: string): string {
  return value.length > 40 ? `${value.slice(0, 40)}…` : value;
}

/** A noun with its indefinite article, as messages and help name one: `an application`, `a gateway`. */
export function withArticle(noun: string): string {
  return `${/^[aeiou]/.test(noun) ? 'an' : 'a'} ${noun}`;
}

/** Shows a user-supplied value in an error message, shortened and quoted. */
export function quote(value: string): string {
  return JSON.stringify(shorten(value));
}

export function organizationId(id: string | undefined): string {
  if (id === undefined || id === '') {
    throw invalidArgument(NS, 'no_organization_id', 'no organization ID given');
  }
  if (!isOrganizationId(id)) {
    throw invalidArgument(
      NS,
      'invalid_organization_id',
      `organization ID ${quote(id)} is invalid: 3 to 36 lowercase letters, digits and single dashes inside`,
    );
  }
  return id;
}

export function userId(id: string | undefined): string {
  if (id === undefined || id === '') {
    throw invalidArgument(NS, 'no_user_id', 'no user ID given');
  }
  if (!isUserId(id)) {
    throw invalidArgument(
      NS,
      'invalid_user_id',
      `user ID ${quote(id)} is invalid: 2 to 36 lowercase letters, digits and single dashes inside`,
    );
  }
  return id;
}

/**
 * A text field: well-formed Unicode (a lone surrogate, from a JSON `\ud800`, would be stored as
 * U+FFFD) without NUL, of at most `max` characters.
 */
export function text(field: string, value: string, max: number): string {
  if (!value.isWellFormed()) {
    throw invalidArgument(NS, `invalid_${field}`, `${field} is not valid Unicode: it holds a lone surrogate`);
  }
  return maxLength(field, withoutNul(field, value), max);
}

/**
 * Any text bound for a store, IDs and filters included: PostgreSQL cannot hold U+0000 and SQLite
 * can, so it is refused here, before either sees it, for one behaviour on both.
 */
export function withoutNul(field: string, value: string): string {
  if (value.includes('\u0000')) {
    throw invalidArgument(NS, `invalid_${field}`, `${field} holds U+0000 (NUL), which no text may hold`);
  }
  return value;
}

export function maxLength(field: string, value: string, max: number): string {
  // A text has no more characters (code points) than UTF-16 units: only a longer one is counted.
  if (value.length > max && [...value].length > max) {
    throw invalidArgument(NS, `invalid_${field}`, `${field} is longer than ${max} characters`);
  }
  return value;
}

/** Attributes: at most 10, keys like organization IDs, values up to 200 characters. */
export function attributes(attrs: Record<string, string>): Record<string, string> {
  const keys = Object.keys(attrs);
  if (keys.length > LIMITS.attributes) {
    throw invalidArgument(NS, 'invalid_attributes', `more than ${LIMITS.attributes} attributes`);
  }
  for (const key of keys) attributeKey(key);
  for (const value of Object.values(attrs)) text('attribute_value', value, LIMITS.attributeValue);
  return attrs;
}

export function attributeKey(key: string): string {
  if (!isOrganizationId(key)) {
    throw invalidArgument(
      NS,
      'invalid_attribute_key',
      `attribute key ${quote(key)} is invalid: 3 to 36 lowercase letters, digits and single dashes inside`,
    );
  }
  return key;
}

/** `key=value` as given on the command line; the value may be empty (`key=` removes on set). */
export function keyValue(text: string): [string, string] {
  const at = text.indexOf('=');
  if (at < 0) {
    throw invalidArgument(NS, 'invalid_key_value', `${quote(text)} is not of the form key=value`);
  }
  return [attributeKey(text.slice(0, at)), text.slice(at + 1)];
}

export function positiveInteger(field: string, value: number, max = Number.MAX_SAFE_INTEGER): number {
  if (!Number.isSafeInteger(value) || value < 1 || value > max) {
    throw invalidArgument(NS, `invalid_${field}`, `${field} must be a whole number from 1 to ${max}`);
  }
  return value;
}

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.\d{1,9})?(?:[Zz]|[+-]\d{2}:\d{2})$/;

/** An RFC 3339 time in milliseconds, or undefined; impossible dates (February 30th) are not times. */
function rfc3339(text: string): number | undefined {
  const match = RFC3339.exec(text);
  const ms = match ? Date.parse(text.toUpperCase()) : NaN;
  const [, year, month, day, hour, minute, second] = match ?? [];
  const valid =
    !Number.isNaN(ms) &&
    Number(month) >= 1 &&
    Number(month) <= 12 &&
    Number(day) >= 1 &&
    Number(day) <= new Date(Date.UTC(Number(year), Number(month), 0)).getUTCDate() &&
    Number(hour) <= 23 &&
    Number(minute) <= 59 &&
    Number(second) <= 59;
  return valid ? ms : undefined;
}

const DATE_ALONE = /^\d{4}-\d{2}-\d{2}$/;

/** An API key's expiry, RFC 3339; a date alone (2030-01-31) is the start of that day in UTC. */
export function expiryDate(text: string): number {
  const ms = rfc3339(DATE_ALONE.test(text) ? `${text}T00:00:00Z` : text);
  if (ms === undefined) {
    throw invalidArgument(
      NS,
      'expiry_date_format_invalid',
      `${quote(text)} is not an RFC 3339 time such as 2030-01-31T12:00:00Z, or a date such as 2030-01-31`,
    );
  }
  return ms;
}

/** A point in time given on the command line (`--after`, `--before`), RFC 3339. */
export function time(field: string, text: string): number {
  const ms = rfc3339(text);
  if (ms === undefined) {
    throw invalidArgument(
      NS,
      `invalid_${field}`,
      `--${field} ${quote(text)} is not an RFC 3339 time such as 2030-01-31T12:00:00Z`,
    );
  }
  return ms;
}

/** The ID of an application, gateway or client: the organization ID pattern, named after its kind. */
export function entityId(kind: string, id: string | undefined): string {
  if (id === undefined || id === '') throw invalidArgument(NS, `no_${kind}_id`, `no ${kind} ID given`);
  if (!isOrganizationId(id)) {
    throw invalidArgument(
      NS,
      `invalid_${kind}_id`,
      `${kind} ID ${quote(id)} is invalid: 3 to 36 lowercase letters, digits and single dashes inside`,
    );
  }
  return id;
}
