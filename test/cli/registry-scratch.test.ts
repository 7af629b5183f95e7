import { test } from 'vitest';
import { sandbox } from '../helpers.js';
test('scratch', async () => {
  const s = sandbox();
  await s.ok(['users', 'create', 'user1', '--name', 'User 1']);
  await s.ok(['create', 'org1', '--user-id', 'user1', '--name', 'Org 1', '--description', "it's: #1", '--attributes', 'team=radio']);
  await s.ok(['collaborators', 'set', '--organization-id', 'org1', '--user-id', 'user2', '--right-organization-info', '--right-application-info']);
  await s.ok(['api-keys', 'create', '--organization-id', 'org1', '--name', 'ci', '--right-organization-info']);
  await s.ok(['apps', 'create', 'app1', '--user-id', 'user1', '--name', 'Tracker']);
  await s.ok(['apps', 'collaborators', 'set', 'app1', '--organization-id', 'org1', '--right-application-info', '--right-application-traffic-read']);
  await s.ok(['create', 'org3', '--user-id', 'user1']);
  await s.ok(['delete', 'org3']);
  for (const args of [['export'], ['export', '--format', 'json', '--deleted'], ['export', '--organization-id', 'org1']]) {
    const r = await s.run(args);
    console.log(args.join(' '), r.exitCode, r.stderr + '\n' + r.stdout);
  }
  const r = await s.run(['export'], { env: { ORGS_USER_ID: 'user2' } });
  console.log('as user2', r.exitCode, r.stderr + '\n' + r.stdout);
  await s.cleanup();
});
