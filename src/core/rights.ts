/**
 * The catalogue of rights (reference/rights.tsv) and the algebra every check and every printed
 * list of rights goes through.
 */
export type RightGroup = 'user' | 'application' | 'client' | 'gateway' | 'organization' | 'other' | 'all';

export interface RightInfo {
  readonly name: string;
  readonly value: number;
  readonly group: RightGroup;
}

const rows: ReadonlyArray<readonly [string, number, RightGroup]> = [
  ['RIGHT_USER_INFO', 1, 'user'],
  ['RIGHT_USER_SETTINGS_BASIC', 2, 'user'],
  ['RIGHT_USER_LIST', 87, 'user'],
  ['RIGHT_USER_CREATE', 88, 'user'],
  ['RIGHT_USER_SETTINGS_API_KEYS', 3, 'user'],
  ['RIGHT_USER_DELETE', 4, 'user'],
  ['RIGHT_USER_PURGE', 66, 'user'],
  ['RIGHT_USER_AUTHORIZED_CLIENTS', 5, 'user'],
  ['RIGHT_USER_APPLICATIONS_LIST', 6, 'user'],
  ['RIGHT_USER_APPLICATIONS_CREATE', 7, 'user'],
  ['RIGHT_USER_GATEWAYS_LIST', 8, 'user'],
  ['RIGHT_USER_GATEWAYS_CREATE', 9, 'user'],
  ['RIGHT_USER_CLIENTS_LIST', 10, 'user'],
  ['RIGHT_USER_CLIENTS_CREATE', 11, 'user'],
  ['RIGHT_USER_ORGANIZATIONS_LIST', 12, 'user'],
  ['RIGHT_USER_ORGANIZATIONS_CREATE', 13, 'user'],
  ['RIGHT_USER_NOTIFICATIONS_READ', 59, 'user'],
  ['RIGHT_USER_ALL', 14, 'user'],
  ['RIGHT_APPLICATION_INFO', 15, 'application'],
  ['RIGHT_APPLICATION_SETTINGS_BASIC', 16, 'application'],
  ['RIGHT_APPLICATION_SETTINGS_API_KEYS', 17, 'application'],
  ['RIGHT_APPLICATION_SETTINGS_COLLABORATORS', 18, 'application'],
  ['RIGHT_APPLICATION_SETTINGS_PACKAGES', 56, 'application'],
  ['RIGHT_APPLICATION_DELETE', 19, 'application'],
  ['RIGHT_APPLICATION_PURGE', 64, 'application'],
  ['RIGHT_APPLICATION_DEVICES_READ', 20, 'application'],
  ['RIGHT_APPLICATION_DEVICES_WRITE', 21, 'application'],
  ['RIGHT_APPLICATION_DEVICES_READ_KEYS', 22, 'application'],
  ['RIGHT_APPLICATION_DEVICES_WRITE_KEYS', 23, 'application'],
  ['RIGHT_APPLICATION_TRAFFIC_READ', 24, 'application'],
  ['RIGHT_APPLICATION_TRAFFIC_UP_WRITE', 25, 'application'],
  ['RIGHT_APPLICATION_TRAFFIC_DOWN_WRITE', 26, 'application'],
  ['RIGHT_APPLICATION_LINK', 27, 'application'],
  ['RIGHT_APPLICATION_ALL', 28, 'application'],
  ['RIGHT_CLIENT_ALL', 29, 'client'],
  ['RIGHT_CLIENT_INFO', 60, 'client'],
  ['RIGHT_CLIENT_SETTINGS_BASIC', 61, 'client'],
  ['RIGHT_CLIENT_SETTINGS_COLLABORATORS', 62, 'client'],
  ['RIGHT_CLIENT_DELETE', 63, 'client'],
  ['RIGHT_CLIENT_PURGE', 68, 'client'],
  ['RIGHT_GATEWAY_INFO', 30, 'gateway'],
  ['RIGHT_GATEWAY_SETTINGS_BASIC', 31, 'gateway'],
  ['RIGHT_GATEWAY_SETTINGS_API_KEYS', 32, 'gateway'],
  ['RIGHT_GATEWAY_SETTINGS_COLLABORATORS', 33, 'gateway'],
  ['RIGHT_GATEWAY_DELETE', 34, 'gateway'],
  ['RIGHT_GATEWAY_PURGE', 67, 'gateway'],
  ['RIGHT_GATEWAY_TRAFFIC_READ', 35, 'gateway'],
  ['RIGHT_GATEWAY_TRAFFIC_DOWN_WRITE', 36, 'gateway'],
  ['RIGHT_GATEWAY_LINK', 37, 'gateway'],
  ['RIGHT_GATEWAY_STATUS_READ', 38, 'gateway'],
  ['RIGHT_GATEWAY_LOCATION_READ', 39, 'gateway'],
  ['RIGHT_GATEWAY_WRITE_SECRETS', 57, 'gateway'],
  ['RIGHT_GATEWAY_READ_SECRETS', 58, 'gateway'],
  ['RIGHT_GATEWAY_ALL', 40, 'gateway'],
  ['RIGHT_ORGANIZATION_INFO', 41, 'organization'],
  ['RIGHT_ORGANIZATION_SETTINGS_BASIC', 42, 'organization'],
  ['RIGHT_ORGANIZATION_SETTINGS_API_KEYS', 43, 'organization'],
  ['RIGHT_ORGANIZATION_SETTINGS_MEMBERS', 44, 'organization'],
  ['RIGHT_ORGANIZATION_DELETE', 45, 'organization'],
  ['RIGHT_ORGANIZATION_PURGE', 65, 'organization'],
  ['RIGHT_ORGANIZATION_APPLICATIONS_LIST', 46, 'organization'],
  ['RIGHT_ORGANIZATION_APPLICATIONS_CREATE', 47, 'organization'],
  ['RIGHT_ORGANIZATION_GATEWAYS_LIST', 48, 'organization'],
  ['RIGHT_ORGANIZATION_GATEWAYS_CREATE', 49, 'organization'],
  ['RIGHT_ORGANIZATION_CLIENTS_LIST', 50, 'organization'],
  ['RIGHT_ORGANIZATION_CLIENTS_CREATE', 51, 'organization'],
  ['RIGHT_ORGANIZATION_ADD_AS_COLLABORATOR', 52, 'organization'],
  ['RIGHT_ORGANIZATION_ALL', 53, 'organization'],
  ['RIGHT_SEND_INVITES', 54, 'other'],
  ['RIGHT_ALERT_NOTIFICATION_PROFILE_CREATE', 69, 'other'],
  ['RIGHT_ALERT_NOTIFICATION_PROFILE_INFO', 70, 'other'],
  ['RIGHT_ALERT_NOTIFICATION_PROFILE_LIST', 71, 'other'],
  ['RIGHT_ALERT_NOTIFICATION_PROFILE_UPDATE', 72, 'other'],
  ['RIGHT_ALERT_NOTIFICATION_PROFILE_DELETE', 73, 'other'],
  ['RIGHT_ALERT_NOTIFICATION_RECEIVER_CREATE', 74, 'other'],
  ['RIGHT_ALERT_NOTIFICATION_RECEIVER_INFO', 75, 'other'],
  ['RIGHT_ALERT_NOTIFICATION_RECEIVER_LIST', 76, 'other'],
  ['RIGHT_ALERT_NOTIFICATION_RECEIVER_UPDATE', 77, 'other'],
  ['RIGHT_ALERT_NOTIFICATION_RECEIVER_DELETE', 78, 'other'],
  ['RIGHT_AUTHENTICATION_PROVIDER_CREATE', 79, 'other'],
  ['RIGHT_AUTHENTICATION_PROVIDER_INFO', 80, 'other'],
  ['RIGHT_AUTHENTICATION_PROVIDER_LIST', 81, 'other'],
  ['RIGHT_AUTHENTICATION_PROVIDER_UPDATE', 82, 'other'],
  ['RIGHT_AUTHENTICATION_PROVIDER_DELETE', 83, 'other'],
  ['RIGHT_EXTERNAL_USER_CREATE', 84, 'other'],
  ['RIGHT_EXTERNAL_USER_INFO', 85, 'other'],
  ['RIGHT_EXTERNAL_USER_DELETE', 86, 'other'],
  ['RIGHT_PACKET_BROKER_AGENT_READ', 89, 'other'],
  ['RIGHT_PACKET_BROKER_AGENT_WRITE', 90, 'other'],
  ['RIGHT_TENANT_CONFIGURATION_UPDATE', 91, 'other'],
  ['RIGHT_LABEL_CREATE', 92, 'other'],
  ['RIGHT_LABEL_INFO', 93, 'other'],
  ['RIGHT_LABELS_LIST', 94, 'other'],
  ['RIGHT_LABEL_UPDATE', 95, 'other'],
  ['RIGHT_LABEL_DELETE', 96, 'other'],
  ['RIGHT_LABEL_ASSIGN', 97, 'other'],
  ['RIGHT_LABEL_ALL', 99, 'other'],
  ['RIGHT_ALL', 55, 'all'],
];

export const CATALOGUE: readonly RightInfo[] = rows.map(([name, value, group]) => ({ name, value, group }));

const BY_NAME = new Map(CATALOGUE.map((right) => [right.name, right]));

/** The groups that have `--right-*` flags and that `orgs rights` reports on. */
export const ENTITY_GROUPS: readonly RightGroup[] = ['application', 'client', 'gateway', 'organization'];

export const RIGHT_ALL = 'RIGHT_ALL';
export const RIGHT_ORGANIZATION_ALL = 'RIGHT_ORGANIZATION_ALL';

export function isRight(name: string): boolean {
  return BY_NAME.has(name);
}

export function groupOf(name: string): RightGroup | undefined {
  return BY_NAME.get(name)?.group;
}

/** `RIGHT_ORGANIZATION_SETTINGS_MEMBERS` → `right-organization-settings-members` (no leading dashes). */
export function flagName(right: string): string {
  return right.toLowerCase().replaceAll('_', '-');
}

/** Rights that have a command-line flag (rights.tsv's cli_flag), in catalogue order. */
export const FLAG_RIGHTS: readonly string[] = CATALOGUE.filter((r) => ENTITY_GROUPS.includes(r.group)).map(
  (r) => r.name,
);

/** The rights of users, which only the `--right-user-*` flags of a user's API key commands take. */
export const USER_RIGHTS: readonly string[] = CATALOGUE.filter((r) => r.group === 'user').map((r) => r.name);

/** What a right implies beyond itself, besides `RIGHT_ALL` and the `*_ALL` of each group. */
const IMPLIED: Record<string, readonly string[]> = {
  RIGHT_APPLICATION_LINK: [
    'RIGHT_APPLICATION_INFO',
    'RIGHT_APPLICATION_TRAFFIC_READ',
    'RIGHT_APPLICATION_TRAFFIC_DOWN_WRITE',
  ],
  RIGHT_GATEWAY_LINK: ['RIGHT_GATEWAY_INFO'],
};

const GROUP_ALL = new Map<string, RightGroup>(
  CATALOGUE.filter((r) => r.group !== 'other' && r.group !== 'all').map((r) => [
    `RIGHT_${r.group.toUpperCase()}_ALL`,
    r.group,
  ]),
);

/** An immutable set of right names. Sets as given are stored; sets expanded are checked. */
export class Rights {
  private readonly names: ReadonlySet<string>;
  /** toArray's list, once made. */
  private sorted?: string[];

  private constructor(names: Iterable<string>) {
    this.names = new Set(names);
  }

  static of(names: Iterable<string>): Rights {
    return new Rights(names);
  }

  static readonly none = new Rights([]);
  static readonly all = new Rights(CATALOGUE.map((r) => r.name));

  get size(): number {
    return this.names.size;
  }

  has(name: string): boolean {
    return this.names.has(name);
  }

  /** Every right these rights imply, themselves included. */
  expand(): Rights {
    if (this.names.has(RIGHT_ALL)) return Rights.all;
    const expanded = new Set<string>();
    for (const name of this.names) {
      expanded.add(name);
      const group = GROUP_ALL.get(name);
      if (group) for (const r of CATALOGUE) if (r.group === group) expanded.add(r.name);
      for (const implied of IMPLIED[name] ?? []) expanded.add(implied);
    }
    return new Rights(expanded);
  }

  union(other: Rights): Rights {
    return new Rights([...this.names, ...other.names]);
  }

  intersect(other: Rights): Rights {
    return new Rights([...this.names].filter((n) => other.names.has(n)));
  }

  minus(other: Rights): Rights {
    return new Rights([...this.names].filter((n) => !other.names.has(n)));
  }

  /** The same rights: by identity first, as the sets of one computation are mostly shared. */
  equals(other: Rights): boolean {
    return this === other || (this.size === other.size && this.includesAll(other));
  }

  includesAll(other: Rights): boolean {
    for (const name of other.names) if (!this.names.has(name)) return false;
    return true;
  }

  inGroups(groups: readonly RightGroup[]): Rights {
    return new Rights([...this.names].filter((n) => groups.includes(groupOf(n)!)));
  }

  /**
   * Names sorted, as every printed list of rights is. Sorted once per set: the same few sets are
   * printed for thousands of targets (reach); each caller gets a copy of its own.
   */
  toArray(): string[] {
    return (this.sorted ??= [...this.names].sort()).slice();
  }

  /** The first few names, for a message (an expanded set can hold dozens). */
  summary(max = 5): string {
    const names = this.toArray();
    return names.slice(0, max).join(', ') + (names.length > max ? ', …' : '');
  }
}

/** Every right whose expansion includes `name` (itself too): what a stored set needs to grant it. */
export function rightsImplying(name: string): string[] {
  return CATALOGUE.filter((r) => Rights.of([r.name]).expand().has(name)).map((r) => r.name);
}

/** `RIGHT_ORGANIZATION_SETTINGS_BASIC` → `organization: settings-basic`, grouped: one entry per group. */
export function compactRights(rights: readonly string[]): string[] {
  const groups = new Map<string, string[]>();
  for (const right of rights) {
    const group = groupOf(right) ?? 'other';
    if (group === 'all') {
      groups.set('all', []);
      continue;
    }
    const prefix = `RIGHT_${group.toUpperCase()}_`;
    const short = right.startsWith(prefix) ? right.slice(prefix.length) : right.slice('RIGHT_'.length);
    groups.set(group, [...(groups.get(group) ?? []), short.toLowerCase().replaceAll('_', '-')]);
  }
  // A group's _ALL stands for the rest of it.
  return [...groups].map(([group, names]) =>
    group === 'all' ? 'all' : `${group}: ${names.includes('all') ? 'all' : names.join(', ')}`,
  );
}
