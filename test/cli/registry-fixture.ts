/** The registry tests' store and files: the CLI's (registry.test.ts) and the Console's (console-registry.test.ts). */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Sandbox } from '../helpers.js';

/**
 * org1 (user1 its owner, user2 with organization and application INFO), org2 (user3), org3
 * (user4); app1 of user1, with org1 (INFO, TRAFFIC_READ) and org3 (INFO) collaborating; gtw1 of
 * org2; a key on org1.
 */
export async function seed(s: Sandbox): Promise<string> {
  await s.ok(['users', 'create', 'user1', '--name', 'User 1']);
  await s.ok(['create', 'org1', '--user-id', 'user1', '--name', 'Org 1', '--attributes', 'team=radio']);
  await s.ok([
    'collaborators',
    'set',
    'org1',
    '--user-id',
    'user2',
    '--right-organization-info',
    '--right-application-info',
  ]);
  await s.ok(['create', 'org2', '--user-id', 'user3', '--description', 'it\'s: #2 "quoted"\nand more']);
  await s.ok(['create', 'org3', '--user-id', 'user4']);
  await s.ok(['apps', 'create', 'app1', '--user-id', 'user1', '--name', 'Tracker']);
  await s.ok([
    'apps',
    'collaborators',
    'set',
    'app1',
    '--organization-id',
    'org1',
    '--right-application-info',
    '--right-application-traffic-read',
  ]);
  await s.ok(['apps', 'collaborators', 'set', 'app1', '--organization-id', 'org3', '--right-application-info']);
  await s.ok(['gateways', 'create', 'gtw1', '--organization-id', 'org2']);
  const key = await s.ok([
    'api-keys',
    'create',
    '--organization-id',
    'org1',
    '--name',
    'ci',
    '--right-organization-info',
  ]);
  return key.json.id as string;
}

export const write = (s: Sandbox, name: string, text: string) => {
  const path = join(s.dir, name);
  writeFileSync(path, text);
  return path;
};

/** user2 moves from org1 to org2, and org3 leaves app1. */
export const MOVE = `version: 1
organizations:
  - organization_id: org1
    members:
      user2: []
  - organization_id: org2
    members:
      user2: [RIGHT_ORGANIZATION_INFO, RIGHT_APPLICATION_INFO]
applications:
  - application_id: app1
    collaborators:
      organizations:
        org3: []
`;
