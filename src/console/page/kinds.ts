/** Kinds of records: organizations, applications, gateways, clients. */

import { type EntityKindName, KINDS } from '../../core/kinds.js';
import { seg } from './api.js';
import { type GroupName } from './rights.js';

export interface Kind {
  /** `organization`: the body's member and the events' identifier. */
  name: string;
  plural: string;
  title: string;
  /** In a sentence: "organization", "OAuth client". */
  noun: string;
  idKey: string;
  idLabel: string;
}

export const ORGANIZATIONS: Kind = {
  name: 'organization',
  plural: 'organizations',
  title: 'Organizations',
  noun: 'organization',
  idKey: 'organization_id',
  idLabel: 'Organization ID',
};

export interface EntityKind extends Kind {
  group: GroupName;
}

/** How the page names each kind of the core's table (src/core/kinds.ts). */
const KIND_WORDS: Record<EntityKindName, Pick<Kind, 'title' | 'noun' | 'idLabel'>> = {
  application: { title: 'Applications', noun: 'application', idLabel: 'Application ID' },
  gateway: { title: 'Gateways', noun: 'gateway', idLabel: 'Gateway ID' },
  client: { title: 'OAuth clients', noun: 'OAuth client', idLabel: 'Client ID' },
};

export const ENTITY_KINDS: readonly EntityKind[] = KINDS.map((kind) => ({
  name: kind.name,
  plural: kind.command,
  idKey: kind.idKey,
  group: kind.group as GroupName,
  ...KIND_WORDS[kind.name],
}));

export const kindOf = (plural: string): EntityKind => ENTITY_KINDS.find((kind) => kind.plural === plural)!;

/** `#/organizations/org1` (`…/overview` for an ID that is also a page's name). */
export function recordHref(kind: Kind, id: string, sub?: string): string {
  const base = `#/${kind.plural}/${seg(id)}`;
  if (sub) return `${base}/${sub}`;
  return id === 'add' ? `${base}/overview` : base;
}
