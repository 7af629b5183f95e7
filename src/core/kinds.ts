/**
 * Applications, gateways and clients differ in names, not in behaviour: each kind is a row of this
 * table, and the service, the store, the commands and the tests are written once over it.
 */
import type { RightGroup } from './rights.js';

export type EntityKindName = 'application' | 'gateway' | 'client';

export interface EntityKind {
  readonly name: EntityKindName;
  /** The command group and its aliases (`orgs applications …`, `orgs apps …`). */
  readonly command: string;
  readonly aliases: readonly string[];
  /** `application-id`: the ID flag and the completion's ID kind. */
  readonly idFlag: string;
  /** `application_id`: the key inside `ids`. */
  readonly idKey: string;
  /** The rights group whose `--right-*` flags the kind's commands take. */
  readonly group: RightGroup;
  readonly rights: {
    readonly all: string;
    readonly info: string;
    readonly settingsBasic: string;
    readonly settingsCollaborators: string;
    readonly delete: string;
  };
  /** The rights on an organization that create the kind for it and list the kind of it. */
  readonly organizationRights: { readonly create: string; readonly list: string };
  /** The rights a user's API key needs to create the kind for its user and list the kind of it. */
  readonly userRights: { readonly create: string; readonly list: string };
  /** The namespace of the kind's errors (`error:applications:…`). */
  readonly namespace: string;
}

function kind(name: EntityKindName, command: string, aliases: string[], rightsPrefix: string): EntityKind {
  return {
    name,
    command,
    aliases,
    idFlag: `${name}-id`,
    idKey: `${name}_id`,
    group: name,
    rights: {
      all: `RIGHT_${rightsPrefix}_ALL`,
      info: `RIGHT_${rightsPrefix}_INFO`,
      settingsBasic: `RIGHT_${rightsPrefix}_SETTINGS_BASIC`,
      settingsCollaborators: `RIGHT_${rightsPrefix}_SETTINGS_COLLABORATORS`,
      delete: `RIGHT_${rightsPrefix}_DELETE`,
    },
    organizationRights: {
      create: `RIGHT_ORGANIZATION_${rightsPrefix}S_CREATE`,
      list: `RIGHT_ORGANIZATION_${rightsPrefix}S_LIST`,
    },
    userRights: { create: `RIGHT_USER_${rightsPrefix}S_CREATE`, list: `RIGHT_USER_${rightsPrefix}S_LIST` },
    namespace: command,
  };
}

export const KINDS: readonly EntityKind[] = [
  kind('application', 'applications', ['application', 'apps', 'app', 'a'], 'APPLICATION'),
  kind('gateway', 'gateways', ['gateway', 'gtw', 'g'], 'GATEWAY'),
  kind('client', 'clients', ['client', 'cli', 'c'], 'CLIENT'),
];

export function kindNamed(name: EntityKindName): EntityKind {
  return KINDS.find((k) => k.name === name)!;
}
