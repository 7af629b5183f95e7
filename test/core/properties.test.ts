/**
 * Property-based tests (fast-check) of the rights algebra and of the access rules of RULES.md.
 *
 * 1. The algebra of `Rights` over arbitrary subsets of the catalogue, checked against the laws of
 *    sets and against an oracle expansion built straight from reference/rights.tsv and RULES.md.
 * 2. Random sequences of collaborator, API key and organization operations, run through the core
 *    services over a real SQLite store by the administrator, users u1..u4 and API keys created
 *    during the run. After every step the store is read directly and the invariants of RULES.md
 *    are checked; an independent model of RULES.md predicts whether each step must succeed or
 *    fail, and a failed step must leave the store exactly as it was.
 *
 * Case counts are in the test names: RUNS_ALGEBRA per algebra property, RUNS_SEQUENCES sequences
 * of up to MAX_STEPS steps, exactly, from the seed FC_SEED (test/helpers.ts checkProperty).
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { ApiKeyService } from '../../src/core/api-keys.js';
import { keyOwnerNamed } from '../../src/core/key-owners.js';
import { CollaboratorService } from '../../src/core/collaborators.js';
import { OrgsError } from '../../src/core/errors.js';
import type { ApiKey, Membership, Organization, User } from '../../src/core/model.js';
import { OrganizationService } from '../../src/core/organizations.js';
import { DEFAULT_RESTORE_WINDOW_MS } from '../../src/core/records.js';
import { CATALOGUE, RIGHT_ALL, RIGHT_ORGANIZATION_ALL, Rights } from '../../src/core/rights.js';
import { type Identity, Session } from '../../src/core/session.js';
import { openSqliteStore, type SqliteStore } from '../../src/store/sqlite.js';
import { CATALOGUE_ROWS, FLAGGED_RIGHTS } from '../fixtures/rights.js';
import { checkProperty } from '../helpers.js';

const RUNS_ALGEBRA = 300;
const RUNS_SEQUENCES = 100;
const MAX_STEPS = 25;

// ---------------------------------------------------------------------------------------------
// An oracle of expansion, from test/fixtures/rights.tsv (a copy of reference/rights.tsv) and the
// words of RULES.md ("Rights").

const TSV_ROWS = CATALOGUE_ROWS;
const ALL_NAMES = TSV_ROWS.map((r) => r.name);
const FLAG_NAMES = FLAGGED_RIGHTS.map((r) => r.name);
const GROUP_OF = new Map(TSV_ROWS.map((r) => [r.name, r.group]));
const LINK_IMPLIES: Record<string, string[]> = {
  RIGHT_APPLICATION_LINK: [
    'RIGHT_APPLICATION_INFO',
    'RIGHT_APPLICATION_TRAFFIC_READ',
    'RIGHT_APPLICATION_TRAFFIC_DOWN_WRITE',
  ],
  RIGHT_GATEWAY_LINK: ['RIGHT_GATEWAY_INFO'],
};
const GROUP_ALL_RIGHTS = ['user', 'application', 'client', 'gateway', 'organization'];

function oracleExpand(names: Iterable<string>): Set<string> {
  const given = new Set(names);
  if (given.has(RIGHT_ALL)) return new Set(ALL_NAMES);
  const out = new Set(given);
  for (const name of given) {
    for (const group of GROUP_ALL_RIGHTS) {
      if (name === `RIGHT_${group.toUpperCase()}_ALL`) for (const r of TSV_ROWS) if (r.group === group) out.add(r.name);
    }
    for (const implied of LINK_IMPLIES[name] ?? []) out.add(implied);
  }
  return out;
}

const sorted = (names: Iterable<string>) => [...new Set(names)].sort();
const arr = (r: Rights) => r.toArray();
const subset = (a: Iterable<string>, b: ReadonlySet<string>) => [...a].every((x) => b.has(x));

// ---------------------------------------------------------------------------------------------
// 1. The algebra.

const names = fc.subarray(ALL_NAMES);
const rights = names.map((n) => Rights.of(n));

describe(`rights algebra over arbitrary subsets of the ${ALL_NAMES.length}-right catalogue (${RUNS_ALGEBRA} cases each)`, () => {
  test('the catalogue in src is the catalogue of rights.tsv (test/fixtures)', () => {
    expect(CATALOGUE.map((r) => [r.name, r.value, r.group])).toEqual(TSV_ROWS.map((r) => [r.name, r.value, r.group]));
  });

  test('expand agrees with the RULES.md oracle', async () => {
    await checkProperty(
      fc.property(names, (x) => {
        expect(arr(Rights.of(x).expand())).toEqual(sorted(oracleExpand(x)));
      }),
      RUNS_ALGEBRA,
    );
  });

  test('expand is idempotent: expand(expand(x)) = expand(x)', async () => {
    await checkProperty(
      fc.property(rights, (x) => {
        expect(arr(x.expand().expand())).toEqual(arr(x.expand()));
      }),
      RUNS_ALGEBRA,
    );
  });

  test('expand is extensive: x ⊆ expand(x)', async () => {
    await checkProperty(
      fc.property(rights, (x) => {
        expect(x.expand().includesAll(x)).toBe(true);
      }),
      RUNS_ALGEBRA,
    );
  });

  test('expand is monotone: x ⊆ y ⇒ expand(x) ⊆ expand(y)', async () => {
    const pair = names.chain((y) => fc.tuple(fc.subarray(y), fc.constant(y)));
    await checkProperty(
      fc.property(pair, ([x, y]) => {
        expect(Rights.of(y).includesAll(Rights.of(x))).toBe(true);
        expect(Rights.of(y).expand().includesAll(Rights.of(x).expand())).toBe(true);
      }),
      RUNS_ALGEBRA,
    );
  });

  test('expand distributes over union: expand(a ∪ b) = expand(a) ∪ expand(b)', async () => {
    await checkProperty(
      fc.property(rights, rights, (a, b) => {
        expect(arr(a.union(b).expand())).toEqual(arr(a.expand().union(b.expand())));
      }),
      RUNS_ALGEBRA,
    );
  });

  test('expand stays inside the catalogue, and anything holding RIGHT_ALL expands to all of it', async () => {
    await checkProperty(
      fc.property(names, fc.boolean(), (x, withAll) => {
        const given = withAll ? [...x, RIGHT_ALL] : x;
        const expanded = Rights.of(given).expand();
        expect(subset(expanded.toArray(), new Set(ALL_NAMES))).toBe(true);
        if (withAll) expect(arr(expanded)).toEqual(sorted(ALL_NAMES));
        else if (!x.includes(RIGHT_ALL)) expect(expanded.has(RIGHT_ALL)).toBe(false);
      }),
      RUNS_ALGEBRA,
    );
  });

  test('union and intersect are commutative and associative', async () => {
    await checkProperty(
      fc.property(rights, rights, rights, (a, b, c) => {
        expect(arr(a.union(b))).toEqual(arr(b.union(a)));
        expect(arr(a.intersect(b))).toEqual(arr(b.intersect(a)));
        expect(arr(a.union(b).union(c))).toEqual(arr(a.union(b.union(c))));
        expect(arr(a.intersect(b).intersect(c))).toEqual(arr(a.intersect(b.intersect(c))));
      }),
      RUNS_ALGEBRA,
    );
  });

  test('union, intersect and minus agree with the sets they are made of', async () => {
    await checkProperty(
      fc.property(names, names, (x, y) => {
        const a = Rights.of(x);
        const b = Rights.of(y);
        expect(arr(a.union(b))).toEqual(sorted([...x, ...y]));
        expect(arr(a.intersect(b))).toEqual(sorted(x.filter((n) => y.includes(n))));
        expect(arr(a.minus(b))).toEqual(sorted(x.filter((n) => !y.includes(n))));
      }),
      RUNS_ALGEBRA,
    );
  });

  test('a.minus(b) ∩ b = ∅, and a.includesAll(b) ⇔ b.minus(a) = ∅', async () => {
    await checkProperty(
      fc.property(rights, rights, (a, b) => {
        expect(a.minus(b).intersect(b).size).toBe(0);
        expect(a.includesAll(b)).toBe(b.minus(a).size === 0);
        expect(a.union(b).includesAll(a)).toBe(true);
        expect(a.includesAll(a.intersect(b))).toBe(true);
      }),
      RUNS_ALGEBRA,
    );
  });

  test('De Morgan (complements within the catalogue, and relative to any a) and distributivity', async () => {
    const U = Rights.all;
    await checkProperty(
      fc.property(rights, rights, rights, (a, b, c) => {
        expect(arr(U.minus(a.union(b)))).toEqual(arr(U.minus(a).intersect(U.minus(b))));
        expect(arr(U.minus(a.intersect(b)))).toEqual(arr(U.minus(a).union(U.minus(b))));
        expect(arr(a.minus(b.union(c)))).toEqual(arr(a.minus(b).intersect(a.minus(c))));
        expect(arr(a.minus(b.intersect(c)))).toEqual(arr(a.minus(b).union(a.minus(c))));
        expect(arr(a.intersect(b.union(c)))).toEqual(arr(a.intersect(b).union(a.intersect(c))));
        expect(arr(a.union(b.intersect(c)))).toEqual(arr(a.union(b).intersect(a.union(c))));
      }),
      RUNS_ALGEBRA,
    );
  });

  test('toArray is sorted and unique, and holds exactly the names given (duplicates in the input included)', async () => {
    const withDuplicates = fc.array(fc.constantFrom(...ALL_NAMES), { maxLength: 40 });
    await checkProperty(
      fc.property(withDuplicates, (x) => {
        const out = Rights.of(x).toArray();
        for (let i = 1; i < out.length; i++) expect(out[i - 1]! < out[i]!).toBe(true);
        expect(out).toEqual(sorted(x));
        expect(Rights.of(x).size).toBe(out.length);
      }),
      RUNS_ALGEBRA,
    );
  });
});

// ---------------------------------------------------------------------------------------------
// 2. Random operation sequences over the services and a real store.

/** A key caller names a key created so far (index modulo their number); `home`: it acts on its own organization. */
type Caller = { kind: 'admin' } | { kind: 'user'; id: string } | { kind: 'key'; index: number; home: boolean };
type Op =
  | { op: 'collab-set'; caller: Caller; org: string; user: string; rights: string[] }
  | { op: 'collab-delete'; caller: Caller; org: string; user: string }
  | { op: 'key-create'; caller: Caller; org: string; rights: string[]; expiresInMs?: number }
  | { op: 'key-update'; caller: Caller; org: string; key: number; keyOrg: boolean; rights?: string[]; name?: string }
  | { op: 'key-delete'; caller: Caller; org: string; key: number; keyOrg: boolean }
  | { op: 'org-delete'; caller: Caller; org: string }
  | { op: 'org-restore'; caller: Caller; org: string }
  | { op: 'org-create'; caller: Caller; org: string; user?: string }
  | { op: 'tick'; ms: number };

const USERS = ['u1', 'u2', 'u3', 'u4'];
const ORGS = ['org1', 'org2', 'org3'];
const MEMBERS = 'RIGHT_ORGANIZATION_SETTINGS_MEMBERS';
const API_KEYS = 'RIGHT_ORGANIZATION_SETTINGS_API_KEYS';
const DELETE = 'RIGHT_ORGANIZATION_DELETE';
const HOUR = 3_600_000;

const callerArb: fc.Arbitrary<Caller> = fc.oneof(
  { weight: 1, arbitrary: fc.constant<Caller>({ kind: 'admin' }) },
  { weight: 4, arbitrary: fc.constantFrom(...USERS).map((id): Caller => ({ kind: 'user', id })) },
  {
    weight: 3,
    arbitrary: fc
      .record({ index: fc.nat(20), home: fc.boolean() })
      .map(({ index, home }): Caller => ({ kind: 'key', index, home })),
  },
);
const rightsArb = fc.oneof(
  { weight: 4, arbitrary: fc.subarray(FLAG_NAMES, { maxLength: 5 }) },
  {
    weight: 4,
    arbitrary: fc.constantFrom<string[]>(
      [RIGHT_ORGANIZATION_ALL],
      [MEMBERS],
      [API_KEYS],
      [MEMBERS, API_KEYS],
      [MEMBERS, RIGHT_ORGANIZATION_ALL],
      [MEMBERS, API_KEYS, DELETE, 'RIGHT_APPLICATION_ALL'],
      [RIGHT_ORGANIZATION_ALL, 'RIGHT_APPLICATION_ALL', 'RIGHT_GATEWAY_ALL', 'RIGHT_CLIENT_ALL'],
      ['RIGHT_APPLICATION_LINK', 'RIGHT_GATEWAY_LINK', API_KEYS],
      [MEMBERS, 'RIGHT_APPLICATION_INFO', 'RIGHT_APPLICATION_TRAFFIC_READ'],
    ),
  },
  { weight: 1, arbitrary: fc.subarray(FLAG_NAMES) },
);
const orgArb = fc.oneof(
  { weight: 12, arbitrary: fc.constantFrom(...ORGS) },
  { weight: 1, arbitrary: fc.constantFrom('u1', 'org9') },
);
const userArb = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom(...USERS) },
  { weight: 1, arbitrary: fc.constantFrom('org1', 'u5') },
);

const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      op: fc.constant('collab-set' as const),
      caller: callerArb,
      org: orgArb,
      user: userArb,
      rights: rightsArb,
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ op: fc.constant('collab-delete' as const), caller: callerArb, org: orgArb, user: userArb }),
  },
  {
    weight: 4,
    arbitrary: fc.record(
      {
        op: fc.constant('key-create' as const),
        caller: callerArb,
        org: orgArb,
        rights: rightsArb,
        expiresInMs: fc.integer({ min: -HOUR, max: 40 * HOUR }),
      },
      { requiredKeys: ['op', 'caller', 'org', 'rights'] },
    ),
  },
  {
    weight: 3,
    arbitrary: fc.record(
      {
        op: fc.constant('key-update' as const),
        caller: callerArb,
        org: orgArb,
        key: fc.nat(20),
        keyOrg: fc.oneof({ weight: 3, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
        rights: rightsArb,
        name: fc.constantFrom('renamed', ''),
      },
      { requiredKeys: ['op', 'caller', 'org', 'key', 'keyOrg'] },
    ),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant('key-delete' as const),
      caller: callerArb,
      org: orgArb,
      key: fc.nat(20),
      keyOrg: fc.boolean(),
    }),
  },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('org-delete' as const), caller: callerArb, org: orgArb }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('org-restore' as const), caller: callerArb, org: orgArb }) },
  {
    weight: 2,
    arbitrary: fc.record(
      {
        op: fc.constant('org-create' as const),
        caller: callerArb,
        org: fc.constantFrom('org4', 'org5', 'org1', 'u1'),
        user: userArb,
      },
      { requiredKeys: ['op', 'caller', 'org'] },
    ),
  },
  {
    weight: 1,
    arbitrary: fc.record({ op: fc.constant('tick' as const), ms: fc.constantFrom(60_000, HOUR, 10 * HOUR, 25 * HOUR) }),
  },
);

interface Snapshot {
  organizations: Organization[];
  users: User[];
  memberships: Membership[];
  keys: ApiKey[];
  kinds: Record<string, string | undefined>;
}

async function snapshot(store: SqliteStore): Promise<Snapshot> {
  return store.read(async (tx) => {
    const page = { order: { field: 'organization_id' as const, direction: 'asc' as const }, limit: 1000, offset: 0 };
    const organizations = [
      ...(await tx.listOrganizations({ ...page, deleted: false })),
      ...(await tx.listOrganizations({ ...page, deleted: true })),
    ].sort((a, b) => (a.id < b.id ? -1 : 1));
    const memberships: Membership[] = [];
    const keys: ApiKey[] = [];
    for (const org of organizations) {
      memberships.push(...(await tx.listMemberships(org.id)));
      keys.push(
        ...(await tx.listApiKeys({
          ownerKind: 'organization',
          ownerId: org.id,
          order: { field: 'api_key_id', direction: 'asc' },
          limit: 1000,
          offset: 0,
        })),
      );
    }
    const kinds: Record<string, string | undefined> = {};
    for (const id of new Set([...memberships.map((m) => m.userId), ...USERS, ...ORGS, 'u5', 'org4', 'org5', 'org9']))
      kinds[id] = await tx.accountKind(id);
    return { organizations, users: await tx.listUsers({ limit: 1000, offset: 0 }), memberships, keys, kinds };
  });
}

interface Token {
  token: string;
  id: string;
  secret: string;
  org: string;
}

/** The documented hash: `sha256:<salt hex>:<sha256(salt ‖ secret) hex>`. */
function secretMatches(secret: string, stored: string): boolean {
  const [scheme, salt, hash] = stored.split(':');
  return (
    scheme === 'sha256' &&
    createHash('sha256')
      .update(Buffer.from(salt ?? '', 'hex'))
      .update(secret)
      .digest('hex') === hash
  );
}

/** The invariants of RULES.md and API.md (contacts are members), read from the store. Throws with the first one broken. */
function checkInvariants(s: Snapshot, tokens: Token[]): void {
  for (const org of s.organizations) {
    const members = s.memberships.filter((m) => m.organizationId === org.id);
    const owner = members.some((m) => oracleExpand(m.rights).has(RIGHT_ORGANIZATION_ALL));
    if (!owner)
      throw new Error(
        `invariant: organization ${org.id} has no collaborator with RIGHT_ORGANIZATION_ALL: ${JSON.stringify(members)}`,
      );
  }
  for (const org of s.organizations) {
    for (const contact of [org.administrativeContact, org.technicalContact]) {
      const member = s.memberships.some((m) => m.organizationId === org.id && m.userId === contact?.id);
      if (contact && (contact.kind !== 'user' || !member))
        throw new Error(`invariant: contact ${JSON.stringify(contact)} of ${org.id} is not a member`);
    }
  }
  for (const m of s.memberships) {
    if (s.kinds[m.userId] !== 'user' || !s.users.some((u) => u.id === m.userId)) {
      throw new Error(`invariant: member ${m.userId} of ${m.organizationId} is not a user (kind ${s.kinds[m.userId]})`);
    }
    if (m.rights.length === 0) throw new Error(`invariant: member ${m.userId} of ${m.organizationId} holds no rights`);
  }
  for (const key of s.keys) {
    if (key.rights.length === 0) throw new Error(`invariant: API key ${key.id} has no rights`);
    if (new Set(key.rights).size !== key.rights.length)
      throw new Error(`invariant: API key ${key.id} has duplicate rights ${key.rights}`);
    if (!key.rights.every((r) => GROUP_OF.has(r)))
      throw new Error(`invariant: API key ${key.id} has unknown rights ${key.rights}`);
    if (!/^sha256:[0-9a-f]{32}:[0-9a-f]{64}$/.test(key.secretHash))
      throw new Error(`invariant: API key ${key.id} secret_hash ${key.secretHash}`);
    const row = JSON.stringify(key);
    for (const t of tokens) {
      if (row.includes(t.secret)) throw new Error(`invariant: the secret of ${t.id} is stored in ${row}`);
      if (t.id === key.id && !secretMatches(t.secret, key.secretHash))
        throw new Error(`invariant: the hash of ${key.id} does not match its secret`);
    }
  }
}

/** What the caller may do on an organization, by the model: undefined when it authenticates as nobody. */
function heldBy(s: Snapshot, caller: Caller, tokens: Token[], orgId: string, now: number): Set<string> | undefined {
  switch (caller.kind) {
    case 'admin':
      return new Set(ALL_NAMES);
    case 'user': {
      const m = s.memberships.find((x) => x.organizationId === orgId && x.userId === caller.id);
      const user = s.users.find((u) => u.id === caller.id);
      if (user?.admin) return new Set(ALL_NAMES);
      return m ? oracleExpand(m.rights) : new Set();
    }
    case 'key': {
      const t = tokens.length === 0 ? undefined : tokens[caller.index % tokens.length]!;
      const key = t && s.keys.find((k) => k.id === t.id);
      const org = key && s.organizations.find((o) => o.id === key.ownerId);
      if (!key || !org || org.deletedAt !== undefined || (key.expiresAt !== undefined && key.expiresAt <= now))
        return undefined;
      return key.ownerId === orgId ? oracleExpand(key.rights) : new Set();
    }
  }
}

const identityOf = (caller: Caller, tokens: Token[]): Identity =>
  caller.kind === 'admin'
    ? { kind: 'admin' }
    : caller.kind === 'user'
      ? { kind: 'user', userId: caller.id }
      : {
          kind: 'api-key',
          token: tokens.length === 0 ? 'NNSXS.NOKEYSYET.X' : tokens[caller.index % tokens.length]!.token,
        };

const symmetricDifference = (a: Set<string>, b: Set<string>) =>
  new Set([...[...a].filter((x) => !b.has(x)), ...[...b].filter((x) => !a.has(x))]);

/** The model: which key an op names, and whether the op must succeed, with the reason it must not. */
function keyOf(op: { key: number }, tokens: Token[]): Token | undefined {
  return tokens.length === 0 ? undefined : tokens[op.key % tokens.length];
}

function expected(
  op: Exclude<Op, { op: 'tick' }>,
  s: Snapshot,
  tokens: Token[],
  now: number,
): { ok: boolean; why: string } {
  const deny = (why: string) => ({ ok: false, why });
  const org = s.organizations.find((o) => o.id === op.org);
  const live = org !== undefined && org.deletedAt === undefined;
  const held = heldBy(s, op.caller, tokens, op.org, now);
  if (held === undefined) return deny('caller authenticates as nobody');
  const ownerRemains = (userId: string, rights: string[] | undefined) =>
    s.memberships
      .filter((m) => m.organizationId === op.org)
      .map((m) => (m.userId === userId ? rights : m.rights))
      .some((r) => r !== undefined && oracleExpand(r).has(RIGHT_ORGANIZATION_ALL));
  switch (op.op) {
    case 'collab-set': {
      if (!live) return deny('organization not live');
      if (op.rights.length === 0) return deny('no rights');
      if (!held.has(MEMBERS)) return deny('caller lacks MEMBERS');
      if (s.kinds[op.user] === 'organization') return deny('nested organization');
      const before = s.memberships.find((m) => m.organizationId === op.org && m.userId === op.user);
      if (!subset(symmetricDifference(oracleExpand(before?.rights ?? []), oracleExpand(op.rights)), held))
        return deny('change not held');
      if (!ownerRemains(op.user, op.rights)) return deny('no owner would remain');
      return { ok: true, why: '' };
    }
    case 'collab-delete': {
      if (!live) return deny('organization not live');
      if (!held.has(MEMBERS)) return deny('caller lacks MEMBERS');
      const before = s.memberships.find((m) => m.organizationId === op.org && m.userId === op.user);
      if (!before) return deny('not a collaborator');
      if (!subset(oracleExpand(before.rights), held)) return deny('removal not held');
      if (!ownerRemains(op.user, undefined)) return deny('no owner would remain');
      if ([org!.administrativeContact, org!.technicalContact].some((c) => c?.id === op.user))
        return deny('collaborator is a contact');
      return { ok: true, why: '' };
    }
    case 'key-create': {
      if (!live) return deny('organization not live');
      if (op.rights.length === 0) return deny('no rights');
      if (op.expiresInMs !== undefined && op.expiresInMs <= 0) return deny('expiry not in the future');
      if (!held.has(API_KEYS)) return deny('caller lacks API_KEYS');
      if (!subset(oracleExpand(op.rights), held)) return deny('key rights not held');
      return { ok: true, why: '' };
    }
    case 'key-update':
    case 'key-delete': {
      if (!live) return deny('organization not live');
      if (!held.has(API_KEYS)) return deny('caller lacks API_KEYS');
      const t = keyOf(op, tokens);
      const key = t && s.keys.find((k) => k.id === t.id);
      if (!key || key.ownerId !== op.org) return deny('no such key in the organization');
      if (op.op === 'key-delete') {
        if (!subset(oracleExpand(key.rights), held)) return deny('key holds rights the caller does not');
        return { ok: true, why: '' };
      }
      if (op.rights === undefined && op.name === undefined) return deny('nothing to set');
      if (op.rights !== undefined && op.rights.length === 0) return deny('no rights');
      if (
        op.rights !== undefined &&
        !subset(symmetricDifference(oracleExpand(key.rights), oracleExpand(op.rights)), held)
      ) {
        return deny('change not held');
      }
      return { ok: true, why: '' };
    }
    case 'org-delete':
      if (!live) return deny('organization not live');
      if (!held.has(DELETE)) return deny('caller lacks DELETE');
      return { ok: true, why: '' };
    case 'org-restore':
      if (org?.deletedAt === undefined) return deny('organization not deleted');
      if (!held.has(DELETE)) return deny('caller lacks DELETE');
      if (now - org.deletedAt > DEFAULT_RESTORE_WINDOW_MS) return deny('restore window expired');
      return { ok: true, why: '' };
    case 'org-create': {
      if (op.caller.kind === 'key') return deny('API keys cannot create');
      const collaborator = op.user ?? (op.caller.kind === 'user' ? op.caller.id : undefined);
      if (collaborator === undefined) return deny('no collaborator');
      const callerId = op.caller.kind === 'user' ? op.caller.id : undefined;
      if (callerId !== undefined && callerId !== collaborator && !s.users.find((u) => u.id === callerId)?.admin) {
        return deny('creating for another user');
      }
      if (!/^[a-z0-9](?:-?[a-z0-9]){2,}$/.test(op.org)) return deny('invalid organization ID');
      if (s.kinds[op.org] !== undefined || op.org === collaborator) return deny('ID taken');
      if (s.kinds[collaborator] === 'organization') return deny('nested organization');
      return { ok: true, why: '' };
    }
  }
}

/** After a step that succeeded: the change is the one asked for, and the caller held every right it changed. */
function checkSuccess(
  op: Exclude<Op, { op: 'tick' }>,
  before: Snapshot,
  after: Snapshot,
  tokens: Token[],
  held: Set<string>,
): void {
  const fail = (what: string) => {
    throw new Error(`after ${JSON.stringify(op)}: ${what}`);
  };
  const membership = (s: Snapshot, user: string) =>
    s.memberships.find((m) => m.organizationId === op.org && m.userId === user);
  switch (op.op) {
    case 'collab-set': {
      const m = membership(after, op.user);
      if (!m || JSON.stringify(m.rights) !== JSON.stringify(sorted(op.rights)))
        fail(`stored rights ${JSON.stringify(m?.rights)}`);
      const changed = symmetricDifference(
        oracleExpand(membership(before, op.user)?.rights ?? []),
        oracleExpand(m!.rights),
      );
      const missing = [...changed].filter((r) => !held.has(r));
      if (missing.length > 0 || !held.has(MEMBERS))
        fail(`the caller granted or removed rights it did not hold: ${missing}`);
      break;
    }
    case 'collab-delete': {
      const m = membership(before, op.user);
      if (!m || membership(after, op.user)) fail('the membership was not removed');
      const missing = [...oracleExpand(m!.rights)].filter((r) => !held.has(r));
      if (missing.length > 0 || !held.has(MEMBERS)) fail(`the caller removed rights it did not hold: ${missing}`);
      break;
    }
    case 'key-create': {
      const added = after.keys.filter((k) => !before.keys.some((b) => b.id === k.id));
      if (added.length !== 1 || added[0]!.ownerId !== op.org) fail(`keys added: ${JSON.stringify(added)}`);
      if (JSON.stringify(added[0]!.rights) !== JSON.stringify(sorted(op.rights)))
        fail(`key rights ${added[0]!.rights}`);
      const missing = [...oracleExpand(added[0]!.rights)].filter((r) => !held.has(r));
      if (missing.length > 0 || !held.has(API_KEYS)) fail(`the key got rights its creator did not hold: ${missing}`);
      break;
    }
    case 'key-update': {
      const id = keyOf(op, tokens)!.id;
      const [k0, k1] = [before.keys.find((k) => k.id === id), after.keys.find((k) => k.id === id)];
      if (!k0 || !k1) fail('the key vanished');
      if (op.rights !== undefined && JSON.stringify(k1!.rights) !== JSON.stringify(sorted(op.rights)))
        fail(`key rights ${k1!.rights}`);
      const missing = [...symmetricDifference(oracleExpand(k0!.rights), oracleExpand(k1!.rights))].filter(
        (r) => !held.has(r),
      );
      if (missing.length > 0 || !held.has(API_KEYS)) fail(`the caller changed key rights it did not hold: ${missing}`);
      break;
    }
    case 'key-delete':
      if (after.keys.some((k) => k.id === keyOf(op, tokens)!.id)) fail('the key is still there');
      break;
    case 'org-delete':
      if (after.organizations.find((o) => o.id === op.org)?.deletedAt === undefined) fail('not deleted');
      break;
    case 'org-restore':
      if (after.organizations.find((o) => o.id === op.org)?.deletedAt !== undefined) fail('not restored');
      break;
    case 'org-create':
      if (!after.organizations.some((o) => o.id === op.org)) fail('not created');
      break;
  }
  // Nothing but the organization named was touched.
  const others = (s: Snapshot) =>
    JSON.stringify({
      o: s.organizations.filter((o) => o.id !== op.org),
      m: s.memberships.filter((m) => m.organizationId !== op.org),
      k: s.keys.filter((k) => k.ownerId !== op.org),
    });
  if (others(before) !== others(after)) fail('another organization changed');
}

async function runSequence(ops: Op[]): Promise<void> {
  const dir = mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'orgs-prop-'));
  const store = await openSqliteStore(join(dir, 'orgs.db'));
  let now = Date.UTC(2026, 0, 1);
  const clock = () => now;
  const tokens: Token[] = [];
  const services = (identity: Identity) => {
    const session = new Session(store, identity, clock);
    const organizations = new OrganizationService(session);
    return {
      organizations,
      collaborators: new CollaboratorService(session, organizations),
      apiKeys: new ApiKeyService(session, keyOwnerNamed('organization'), organizations),
    };
  };
  try {
    const admin = services({ kind: 'admin' });
    await admin.organizations.create({ organizationId: 'org1', userId: 'u1' });
    await admin.organizations.create({ organizationId: 'org2', userId: 'u2' });
    await admin.collaborators.set({
      organizationId: 'org1',
      userId: 'u3',
      rights: [MEMBERS, API_KEYS, 'RIGHT_APPLICATION_ALL'],
    });
    await admin.collaborators.set({ organizationId: 'org2', userId: 'u1', rights: [RIGHT_ORGANIZATION_ALL] });
    await admin.organizations.create({ organizationId: 'org3', userId: 'u3' });
    await admin.collaborators.set({ organizationId: 'org3', userId: 'u4', rights: [MEMBERS, API_KEYS, DELETE] });
    for (const [org, rights] of [
      ['org1', [RIGHT_ORGANIZATION_ALL]],
      ['org2', [MEMBERS, API_KEYS, 'RIGHT_APPLICATION_ALL']],
      ['org3', [API_KEYS, DELETE, 'RIGHT_GATEWAY_LINK']],
    ] as const) {
      const token = String((await admin.apiKeys.create({ ownerId: org, rights: [...rights] })).key);
      const [, id, secret] = token.split('.');
      tokens.push({ token, id: id!, secret: secret!, org });
    }
    checkInvariants(await snapshot(store), tokens);

    for (const [step, op] of ops.entries()) {
      if (op.op === 'tick') {
        now += op.ms;
        continue;
      }
      now += 1000;
      const before = await snapshot(store);
      const { organizations, collaborators, apiKeys } = services(identityOf(op.caller, tokens));
      const key = 'key' in op ? keyOf(op, tokens) : undefined;
      const callerKey =
        op.caller.kind === 'key' && op.caller.home ? tokens[op.caller.index % tokens.length] : undefined;
      const org = ('keyOrg' in op && op.keyOrg && key?.org) || callerKey?.org || op.org;
      const modelOp = { ...op, org } as typeof op;
      const want = expected(modelOp, before, tokens, now);
      const held = heldBy(before, op.caller, tokens, org, now);
      let error: unknown;
      try {
        switch (op.op) {
          case 'collab-set':
            await collaborators.set({ organizationId: org, userId: op.user, rights: op.rights });
            break;
          case 'collab-delete':
            await collaborators.delete({ organizationId: org, userId: op.user });
            break;
          case 'key-create': {
            const view = await apiKeys.create({
              ownerId: org,
              rights: op.rights,
              expiresAt: op.expiresInMs === undefined ? undefined : new Date(now + op.expiresInMs).toISOString(),
            });
            const token = String(view.key);
            const [, id, secret] = token.split('.');
            tokens.push({ token, id: id!, secret: secret!, org });
            break;
          }
          case 'key-update':
            await apiKeys.update({
              ownerId: org,
              apiKeyId: key?.id ?? 'NOSUCHKEY',
              rights: op.rights,
              name: op.name,
            });
            break;
          case 'key-delete':
            await apiKeys.delete({ ownerId: org, apiKeyId: key?.id ?? 'NOSUCHKEY' });
            break;
          case 'org-delete':
            await organizations.delete(org);
            break;
          case 'org-restore':
            await organizations.restore(org);
            break;
          case 'org-create':
            await organizations.create({ organizationId: org, userId: op.user });
            break;
        }
      } catch (caught) {
        error = caught ?? new Error('undefined thrown');
      }
      const after = await snapshot(store);
      const where = `step ${step + 1} ${JSON.stringify(modelOp)}`;
      if (error !== undefined) {
        if (!(error instanceof OrgsError) || error.errorClass === 'internal')
          throw new Error(`${where}: not a clean OrgsError: ${String(error)}`);
        expect(after, `${where} failed (${error.errorName}) but changed the store`).toEqual(before);
      }
      checkInvariants(after, tokens);
      const outcome = error === undefined ? 'succeeded' : `failed with ${(error as OrgsError).errorName}`;
      if (want.ok !== (error === undefined)) {
        throw new Error(`${where} ${outcome}; the model says it must ${want.ok ? 'succeed' : `fail (${want.why})`}`);
      }
      if (error === undefined) checkSuccess(modelOp, before, after, tokens, held!);
    }
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

describe(`random operation sequences over the services and a real SQLite store (${RUNS_SEQUENCES} sequences of up to ${MAX_STEPS} steps)`, () => {
  test(`after every step the invariants hold, a failed step changes nothing, no right is granted that is not held, and the outcome is the model's (${RUNS_SEQUENCES} runs)`, async () => {
    await checkProperty(
      fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: MAX_STEPS, size: 'max' }), (ops) => runSequence(ops)),
      RUNS_SEQUENCES,
    );
  }, 120_000);
});
