import { describe, expect, test } from 'vitest';
import { CATALOGUE, ENTITY_GROUPS, FLAG_RIGHTS, flagName, Rights } from '../../src/core/rights.js';
import { CATALOGUE_ROWS, FLAGGED_RIGHTS, rightsOfGroup as group } from '../fixtures/rights.js';

// Every expected value comes from test/fixtures/rights.tsv (the reference's catalogue, copied into
// the repository so that the tests read nothing outside it), never from src.

describe('the catalogue', () => {
  test('is the 98 rights of rights.tsv, with their numbers and groups, in its order', () => {
    expect(CATALOGUE_ROWS).toHaveLength(98);
    expect(CATALOGUE.map((r) => [r.name, r.value, r.group])).toEqual(
      CATALOGUE_ROWS.map((r) => [r.name, r.value, r.group]),
    );
    expect(new Set(CATALOGUE.map((r) => r.name)).size).toBe(98);
    expect(new Set(CATALOGUE.map((r) => r.value)).size).toBe(98);
  });

  test('has the 50 flag rights of the cli_flag column, each with its flag', () => {
    expect(FLAGGED_RIGHTS).toHaveLength(50);
    expect(FLAG_RIGHTS).toEqual(FLAGGED_RIGHTS.map((r) => r.name));
    for (const r of FLAGGED_RIGHTS) expect(`--${flagName(r.name)}`).toBe(r.cliFlag);
    expect([...ENTITY_GROUPS].sort()).toEqual([...new Set(FLAGGED_RIGHTS.map((r) => r.group))].sort());
  });
});

describe('expansion', () => {
  test('RIGHT_ALL implies every right of every group', () => {
    expect(Rights.of(['RIGHT_ALL']).expand().toArray()).toEqual(CATALOGUE_ROWS.map((r) => r.name).sort());
  });

  test.each(['user', 'application', 'client', 'gateway', 'organization'])(
    'RIGHT_%s_ALL implies its group only',
    (g) => {
      const expanded = Rights.of([`RIGHT_${g.toUpperCase()}_ALL`]).expand();
      expect(expanded.toArray()).toEqual(group(g).sort());
    },
  );

  test('RIGHT_APPLICATION_LINK implies info, traffic read and downlink write', () => {
    expect(Rights.of(['RIGHT_APPLICATION_LINK']).expand().toArray()).toEqual([
      'RIGHT_APPLICATION_INFO',
      'RIGHT_APPLICATION_LINK',
      'RIGHT_APPLICATION_TRAFFIC_DOWN_WRITE',
      'RIGHT_APPLICATION_TRAFFIC_READ',
    ]);
  });

  test('RIGHT_GATEWAY_LINK implies gateway info', () => {
    expect(Rights.of(['RIGHT_GATEWAY_LINK']).expand().toArray()).toEqual(['RIGHT_GATEWAY_INFO', 'RIGHT_GATEWAY_LINK']);
  });

  test('a plain right implies only itself; all the rights of a group do not make its _ALL', () => {
    expect(Rights.of(['RIGHT_ORGANIZATION_INFO']).expand().toArray()).toEqual(['RIGHT_ORGANIZATION_INFO']);
    const everyOrgRight = group('organization').filter((r) => r !== 'RIGHT_ORGANIZATION_ALL');
    expect(Rights.of(everyOrgRight).expand().has('RIGHT_ORGANIZATION_ALL')).toBe(false);
  });
});

describe('set algebra', () => {
  const a = Rights.of(['RIGHT_ORGANIZATION_INFO', 'RIGHT_ORGANIZATION_DELETE']);
  const b = Rights.of(['RIGHT_ORGANIZATION_INFO', 'RIGHT_GATEWAY_INFO']);

  test('union, intersection, difference', () => {
    expect(a.union(b).toArray()).toEqual([
      'RIGHT_GATEWAY_INFO',
      'RIGHT_ORGANIZATION_DELETE',
      'RIGHT_ORGANIZATION_INFO',
    ]);
    expect(a.intersect(b).toArray()).toEqual(['RIGHT_ORGANIZATION_INFO']);
    expect(a.minus(b).toArray()).toEqual(['RIGHT_ORGANIZATION_DELETE']);
  });

  test('includesAll', () => {
    expect(a.includesAll(Rights.of(['RIGHT_ORGANIZATION_INFO']))).toBe(true);
    expect(a.includesAll(b)).toBe(false);
    expect(Rights.of(['RIGHT_ALL']).expand().includesAll(b)).toBe(true);
  });

  test('equals: the same names, whether the same set or not', () => {
    expect(a.equals(a)).toBe(true);
    expect(a.equals(Rights.of(['RIGHT_ORGANIZATION_DELETE', 'RIGHT_ORGANIZATION_INFO']))).toBe(true);
    expect(a.equals(b)).toBe(false);
    expect(a.equals(a.union(b))).toBe(false);
    expect(a.union(b).equals(a)).toBe(false);
  });

  test("a user's rights through an organization are the intersection with the organization's rights", () => {
    // user1 holds RIGHT_APPLICATION_ALL in the organization; the organization holds LINK on an application.
    const inOrganization = Rights.of(['RIGHT_APPLICATION_ALL']).expand();
    const organizationOnApplication = Rights.of(['RIGHT_APPLICATION_LINK']).expand();
    expect(inOrganization.intersect(organizationOnApplication).toArray()).toEqual([
      'RIGHT_APPLICATION_INFO',
      'RIGHT_APPLICATION_LINK',
      'RIGHT_APPLICATION_TRAFFIC_DOWN_WRITE',
      'RIGHT_APPLICATION_TRAFFIC_READ',
    ]);
    const onlyInfo = Rights.of(['RIGHT_APPLICATION_INFO']).expand();
    expect(onlyInfo.intersect(organizationOnApplication).toArray()).toEqual(['RIGHT_APPLICATION_INFO']);
  });

  test('lists are unique and sorted by name', () => {
    expect(Rights.of(['RIGHT_GATEWAY_INFO', 'RIGHT_APPLICATION_INFO', 'RIGHT_GATEWAY_INFO']).toArray()).toEqual([
      'RIGHT_APPLICATION_INFO',
      'RIGHT_GATEWAY_INFO',
    ]);
  });
});
