/** Identifiers and field limits of the registry (RULES.md, "Identifiers"). */
import { invalidArgument } from './errors.js';

const NS = 'validate';

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

/** Shows a user-supplied value in an error message without flooding the terminal. */
export function quote(value: string): string {
  const shown = value.length > 40 ? `${value.slice(0, 40)}…` : value;
  return JSON.stringify(shown);
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

export function maxLength(field: string, value: string, max: number): string {
  if ([...value].length > max) {
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
  for (const value of Object.values(attrs)) maxLength('attribute_value', value, LIMITS.attributeValue);
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
