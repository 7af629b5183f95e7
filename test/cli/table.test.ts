/** --output-format table: columns for lists, blocks for items, rights by group, colour only on a terminal. */
import { describe, expect, test } from 'vitest';
import { renderTable } from '../../src/cli/table.js';
import { compactRights } from '../../src/core/rights.js';

const ESC = '\u001b[';

describe('renderTable', () => {
  const orgs = [
    { ids: { organization_id: 'org1' }, created_at: '2026-01-01T00:00:00.000Z', name: 'One' },
    { ids: { organization_id: 'org-long-2' }, created_at: '2026-01-02T00:00:00.000Z' },
  ];

  test('a list is aligned columns under upper-case headers, nested IDs as columns of their own', () => {
    expect(renderTable(orgs, { color: false })).toBe(
      'ORGANIZATION ID  CREATED AT                NAME\n' +
        'org1             2026-01-01T00:00:00.000Z  One\n' +
        'org-long-2       2026-01-02T00:00:00.000Z\n',
    );
  });

  test('an empty list renders as nothing', () => {
    expect(renderTable([], { color: false })).toBe('');
  });

  test('a single item is a key/value block; rights one group per line', () => {
    const key = {
      id: 'ABC',
      rights: ['RIGHT_ORGANIZATION_INFO', 'RIGHT_APPLICATION_LINK'],
      attributes: { a: '1', b: '2' },
    };
    expect(renderTable(key, { color: false })).toBe(
      'ID:          ABC\n' +
        'RIGHTS:      organization: info\n' +
        '             application: link\n' +
        'ATTRIBUTES:  a=1, b=2\n',
    );
  });

  test('collaborators: user IDs and compact rights in one cell', () => {
    const members = [
      { ids: { user_ids: { user_id: 'user1' } }, rights: ['RIGHT_ALL'] },
      { ids: { user_ids: { user_id: 'user2' } }, rights: ['RIGHT_ORGANIZATION_INFO', 'RIGHT_GATEWAY_INFO'] },
    ];
    expect(renderTable(members, { color: false })).toBe(
      'USER ID  RIGHTS\n' + 'user1    all\n' + 'user2    organization: info; gateway: info\n',
    );
  });

  test('colour codes only when asked for, and the text is the same without them', () => {
    const plain = renderTable(orgs, { color: false });
    const coloured = renderTable(orgs, { color: true });
    expect(plain).not.toContain(ESC);
    expect(coloured).toContain(`${ESC}1m`); // bold headers
    expect(coloured.replace(/\u001b\[\d+m/g, '')).toBe(plain);
  });
});

describe('compactRights', () => {
  test('groups rights, shortens their names, and lets a group _ALL stand for the group', () => {
    expect(
      compactRights(['RIGHT_ORGANIZATION_SETTINGS_BASIC', 'RIGHT_ORGANIZATION_INFO', 'RIGHT_CLIENT_INFO']),
    ).toEqual(['organization: settings-basic, info', 'client: info']);
    expect(compactRights(['RIGHT_GATEWAY_ALL', 'RIGHT_GATEWAY_INFO'])).toEqual(['gateway: all']);
    expect(compactRights(['RIGHT_ALL'])).toEqual(['all']);
    expect(compactRights(['RIGHT_SEND_INVITES'])).toEqual(['other: send-invites']);
  });
});
