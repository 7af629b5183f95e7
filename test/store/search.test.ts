/**
 * Substring search: one case folding for every length of search text (the scan below three
 * characters, the trigram index from three on) and every filter, Unicode-aware, `%` and `_`
 * literal; the index is used from three characters on, and kept right through changes and
 * upgrades from a store made before it held folded text.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { OrganizationService, type SearchRequest } from '../../src/core/organizations.js';
import { Session } from '../../src/core/session.js';
import type { OrganizationQuery } from '../../src/core/store.js';
import { APPLICATION_ID, MIGRATIONS } from '../../src/store/migrations.js';
import { SQLITE } from '../../src/store/dialect.js';
import { organizationListing } from '../../src/store/sql.js';
import { openSqliteStore, type SqliteStore } from '../../src/store/sqlite.js';

let dir: string;
let store: SqliteStore;
let organizations: OrganizationService;

const ORGS: ReadonlyArray<{ id: string; name: string; description: string; team: string }> = [
  { id: 'umlaut', name: 'ÄÖÜ Straße', description: 'Größe über alles', team: 'Ärger' },
  { id: 'lower', name: 'äöü strasse', description: 'grösse', team: 'ärger' },
  { id: 'greek', name: 'ΟΔΟΣ ΑΘΗΝΑΣ', description: 'οδός σοφίας', team: 'Σίσυφος' },
  { id: 'cyrillic', name: 'Москва Центр', description: 'ЖУРНАЛ', team: 'Щука' },
  { id: 'cjk', name: '東京都 渋谷区', description: '日本語の説明', team: '東京' },
  { id: 'percent', name: '100% real', description: 'a_b', team: '50%' },
  { id: 'plain', name: 'Plain Org', description: 'nothing special', team: 'radio' },
];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'orgs-search-'));
  store = await openSqliteStore(join(dir, 'orgs.db'));
  organizations = new OrganizationService(new Session(store, { kind: 'admin' }));
  for (const org of ORGS) {
    await organizations.create({
      organizationId: org.id,
      userId: 'user1',
      name: org.name,
      description: org.description,
      attributes: { team: org.team },
    });
  }
});
afterAll(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const found = async (request: SearchRequest) =>
  (await organizations.search({ ...request, limit: 100 })).items.map((o: any) => o.ids.organization_id).sort();

describe('one rule for every length', () => {
  test.each<[string, string[]]>([
    // The case: three characters were found, two were not.
    ['äöü', ['lower', 'umlaut']],
    ['äö', ['lower', 'umlaut']],
    ['ÄÖ', ['lower', 'umlaut']],
    ['Ü', ['lower', 'umlaut']],
    ['ÖÜ S', ['lower', 'umlaut']],
    ['STRASSE', ['lower']],
    ['straße', ['umlaut']],
    ['ße', ['umlaut']],
    ['ẞ', ['umlaut']], // capital sharp s
    // Greek: the final sigma is a sigma, in the name and in the search text.
    ['οδος', ['greek']],
    ['ος', ['greek']],
    ['ΟΣ', ['greek']],
    ['σ α', ['greek']],
    ['ας', ['greek']],
    ['αθηνασ', ['greek']],
    // Cyrillic.
    ['москва', ['cyrillic']],
    ['МО', ['cyrillic']],
    ['ц', ['cyrillic']],
    ['ЦЕНТР', ['cyrillic']],
    // CJK has no case: found as written, at any length.
    ['東', ['cjk']],
    ['東京', ['cjk']],
    ['東京都', ['cjk']],
    ['渋谷区', ['cjk']],
    ['京都 渋', ['cjk']],
    // Wildcards of LIKE are plain characters.
    ['%', ['percent']],
    ['0%', ['percent']],
    ['00% r', ['percent']],
    ['_', []],
    ['n ', ['plain']],
    ['PLAIN org', ['plain']],
  ])('--name-contains %j', async (text, expected) => {
    expect(await found({ nameContains: text })).toEqual(expected);
  });

  test('a decomposed Ä is found by a composed one, and the other way round', async () => {
    expect(await found({ nameContains: 'A\u0308' })).toEqual(['lower', 'umlaut']);
    expect(await found({ nameContains: 'A\u0308O\u0308' })).toEqual(['lower', 'umlaut']);
    await organizations.create({ organizationId: 'decomposed', userId: 'user1', name: 'Zu\u0308rich' });
    try {
      for (const text of ['ZÜ', 'zürich', 'ÜRICH']) expect(await found({ nameContains: text })).toEqual(['decomposed']);
    } finally {
      await store.write(async (tx) => tx.purgeOrganization('decomposed'));
    }
  });

  test('--description-contains, --query, --id-contains and --attributes-contain fold the same way', async () => {
    for (const [request, expected] of [
      [{ descriptionContains: 'GRÖ' }, ['lower', 'umlaut']],
      [{ descriptionContains: 'Ö' }, ['lower', 'umlaut']],
      [{ descriptionContains: 'ÜBER' }, ['umlaut']],
      [{ descriptionContains: 'ΟΔΌΣ' }, ['greek']],
      [{ descriptionContains: 'όσ' }, ['greek']],
      [{ descriptionContains: 'журнал' }, ['cyrillic']],
      [{ descriptionContains: 'жу' }, ['cyrillic']],
      [{ descriptionContains: '説明' }, ['cjk']],
      [{ descriptionContains: '_' }, ['percent']],
      [{ descriptionContains: 'a_b' }, ['percent']],
      [{ descriptionContains: 'a%b' }, []],
      [{ query: 'ÄÖ' }, ['lower', 'umlaut']],
      [{ query: 'äöü' }, ['lower', 'umlaut']],
      [{ query: 'GRÖSSE' }, ['lower']],
      [{ query: 'ЖУ' }, ['cyrillic']],
      [{ query: 'журн' }, ['cyrillic']],
      [{ query: 'CJ' }, ['cjk']],
      [{ query: 'CJK' }, ['cjk']],
      [{ query: '%' }, ['percent']],
      [{ query: '_' }, ['percent']],
      [{ idContains: 'UM' }, ['umlaut']],
      [{ idContains: 'UMLAUT' }, ['umlaut']],
      [{ idContains: '_' }, []],
      [{ attributesContain: [['team', 'äR']] }, ['lower', 'umlaut']],
      [{ attributesContain: [['team', 'ÄRGER']] }, ['lower', 'umlaut']],
      [{ attributesContain: [['team', 'ΣΊΣΥΦΟΣ']] }, ['greek']],
      [{ attributesContain: [['team', 'щ']] }, ['cyrillic']],
      [{ attributesContain: [['team', '%']] }, ['percent']],
      [{ attributesContain: [['team', '_']] }, []],
      [{ nameContains: 'ÄÖ', descriptionContains: 'ÜBER' }, ['umlaut']],
    ] as Array<[SearchRequest, string[]]>) {
      expect(await found(request), JSON.stringify(request)).toEqual(expected);
    }
  });

  test('every piece of every name and description, in upper and lower case, finds its organization', async () => {
    for (const org of ORGS) {
      for (const field of ['name', 'description'] as const) {
        const text = [...org[field]];
        for (let length = 1; length <= 4; length++) {
          for (let start = 0; start + length <= text.length; start++) {
            const piece = text.slice(start, start + length).join('');
            // Upper case as long as it keeps the length (ß is SS in upper case, and SS is not ß).
            const upper = piece.toUpperCase();
            const variants = [piece, piece.toLowerCase(), ...([...upper].length === length ? [upper] : [])];
            for (const variant of variants) {
              const request = field === 'name' ? { nameContains: variant } : { descriptionContains: variant };
              expect(await found(request), `${field} ${JSON.stringify(variant)}`).toContain(org.id);
            }
          }
        }
      }
    }
  });

  test('a changed name is found by the new text and no longer by the old, at every length', async () => {
    await organizations.create({ organizationId: 'renamed', userId: 'user1', name: 'Ωμέγα' });
    expect(await found({ nameContains: 'ΩΜ' })).toEqual(['renamed']);
    await organizations.update({ organizationId: 'renamed', name: 'Ярослав' });
    for (const gone of ['ΩΜ', 'ωμέγα']) expect(await found({ nameContains: gone })).toEqual([]);
    for (const text of ['я', 'ЯР', 'ярослав']) expect(await found({ nameContains: text })).toEqual(['renamed']);
    await store.write(async (tx) => tx.purgeOrganization('renamed'));
    expect(await found({ nameContains: 'ярослав' })).toEqual([]);
  });
});

describe('the trigram index', () => {
  const base: OrganizationQuery = {
    deleted: false,
    order: { field: 'organization_id', direction: 'asc' },
    limit: 50,
    offset: 0,
  };
  const plan = (query: OrganizationQuery): string => {
    const { sql, params } = organizationListing(SQLITE, query);
    const db = new Database(join(dir, 'orgs.db'), { readonly: true });
    try {
      db.function('orgs_fold', { deterministic: true }, (x: unknown) => x);
      const rows = db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as Array<{ detail: string }>;
      return rows.map((row) => row.detail).join('\n');
    } finally {
      db.close();
    }
  };
  const INDEX = /SCAN organizations_search VIRTUAL TABLE INDEX/;

  test('answers three characters or more, for every text filter', () => {
    for (const filter of [
      { nameContains: 'äöü' },
      { idContains: 'uml' },
      { descriptionContains: 'größe' },
      { query: '東京都' },
      { query: 'ÄÖÜ Straße' },
    ]) {
      expect(plan({ ...base, ...filter }), JSON.stringify(filter)).toMatch(INDEX);
      // A member's listing too, where the description is searched only where readable.
      expect(
        plan({ ...base, ...filter, memberOf: 'user1', readableWith: ['RIGHT_ORGANIZATION_INFO'] }),
        JSON.stringify(filter),
      ).toMatch(INDEX);
    }
  });

  test('is not asked about fewer than three characters', () => {
    for (const filter of [{ nameContains: 'äö' }, { query: '東' }, { idContains: 'u' }]) {
      expect(plan({ ...base, ...filter }), JSON.stringify(filter)).not.toMatch(/organizations_search/);
    }
  });
});

describe('a store made before the index held folded text', () => {
  test('is upgraded, and then finds non-ASCII names at every length', async () => {
    const path = join(dir, 'schema2.db');
    const db = new Database(path);
    db.pragma('foreign_keys = OFF');
    for (const { sqlite } of MIGRATIONS.slice(0, 2)) db.exec(sqlite);
    db.pragma(`application_id = ${APPLICATION_ID}`);
    db.pragma('user_version = 2');
    db.prepare(`INSERT INTO accounts (id, kind) VALUES ('old1', 'organization')`).run();
    db.prepare(
      `INSERT INTO organizations (id, name, description, created_at, updated_at) VALUES ('old1', 'ÄÖÜ Straße', 'ΟΔΟΣ', 0, 0)`,
    ).run();
    db.close();

    const upgraded = await openSqliteStore(path);
    try {
      const service = new OrganizationService(new Session(upgraded, { kind: 'admin' }));
      const ids = async (request: SearchRequest) =>
        (await service.search(request)).items.map((o: any) => o.ids.organization_id);
      for (const text of ['äö', 'ST', 'äöü', 'straße']) expect(await ids({ nameContains: text })).toEqual(['old1']);
      for (const text of ['ος', 'οδος']) expect(await ids({ descriptionContains: text })).toEqual(['old1']);
    } finally {
      await upgraded.close();
    }
  });
});
