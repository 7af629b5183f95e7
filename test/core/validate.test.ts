import { describe, expect, test } from 'vitest';
import { parseDuration } from '../../src/core/duration.js';
import { OrgsError } from '../../src/core/errors.js';
import * as validate from '../../src/core/validate.js';

const failure = (fn: () => unknown): OrgsError => {
  try {
    fn();
  } catch (error) {
    if (error instanceof OrgsError) return error;
    throw error;
  }
  throw new Error('expected an OrgsError');
};

describe('organization IDs', () => {
  test.each(['org1', 'abc', 'a-b-c', 'x'.repeat(36), '123'])('%s is valid', (id) => {
    expect(validate.organizationId(id)).toBe(id);
  });

  test.each(['ab', 'Org1', 'org_1', '-org', 'org-', 'or--g', 'x'.repeat(37), 'org 1', 'örg', ''])(
    '%j is invalid',
    (id) => {
      const error = failure(() => validate.organizationId(id));
      expect(error.exitCode).toBe(2);
      expect(error.errorName).toBe(id === '' ? 'no_organization_id' : 'invalid_organization_id');
    },
  );

  test('missing is no_organization_id', () => {
    expect(failure(() => validate.organizationId(undefined)).errorName).toBe('no_organization_id');
  });
});

describe('user IDs', () => {
  test('two characters are enough for a user', () => {
    expect(validate.userId('u1')).toBe('u1');
    expect(validate.isOrganizationId('u1')).toBe(false);
    expect(failure(() => validate.userId('u')).errorName).toBe('invalid_user_id');
  });
});

describe('limits', () => {
  test('names count characters, not UTF-16 units', () => {
    expect(validate.maxLength('name', '😀'.repeat(50), 50)).toHaveLength(100);
    expect(failure(() => validate.maxLength('name', 'a'.repeat(51), 50)).errorName).toBe('invalid_name');
  });

  test('attributes: at most 10, keys like IDs, values up to 200', () => {
    const ten = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`key${i}`, 'v']));
    expect(validate.attributes(ten)).toBe(ten);
    expect(failure(() => validate.attributes({ ...ten, key10: 'v' })).errorName).toBe('invalid_attributes');
    expect(failure(() => validate.attributes({ Bad: 'v' })).errorName).toBe('invalid_attribute_key');
    expect(failure(() => validate.attributes({ key: 'v'.repeat(201) })).errorName).toBe('invalid_attribute_value');
  });

  test('key=value splits at the first =', () => {
    expect(validate.keyValue('team=a=b')).toEqual(['team', 'a=b']);
    expect(validate.keyValue('team=')).toEqual(['team', '']);
    expect(failure(() => validate.keyValue('team')).errorName).toBe('invalid_key_value');
  });
});

describe('durations', () => {
  test.each([
    ['24h', 86_400_000],
    ['30m', 1_800_000],
    ['0s', 0],
    ['1h30m', 5_400_000],
    ['1.5h', 5_400_000],
    ['250ms', 250],
  ])('%s is %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  test.each(['banana', '', '24', 'h', '-1h', '1d'])('%j is not a duration', (text) => {
    expect(failure(() => parseDuration(text)).errorName).toBe('invalid_duration');
  });

  test.each([
    ['90d', 90 * 86_400_000],
    ['1d12h', 129_600_000],
    ['30m', 1_800_000],
  ])('%s is %d ms where days count', (text, ms) => {
    expect(parseDuration(text, { days: true })).toBe(ms);
  });

  test.each(['d', '-1d', '1w', '1 d'])('%j is not a duration even where days count', (text) => {
    expect(failure(() => parseDuration(text, { days: true })).errorName).toBe('invalid_duration');
  });
});
