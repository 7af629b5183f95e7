/**
 * `orgs serve` (API.md): the API alone, as a real process (signals): its base URL on stdout, API
 * keys only (no page, no cookie session), a log line per request on stderr, SIGTERM exit 0 and
 * Ctrl-C 130; loopback only unless --allow-remote, and then only with TLS.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { describe, expect, test } from 'vitest';
import { BIN, expectError, type Sandbox, sandbox, untilOutput } from '../helpers.js';

interface Served {
  url: string;
  child: ResultPromise;
  stderr: () => string;
}

async function serve(s: Sandbox, ...args: string[]): Promise<Served> {
  const child = execa('node', [BIN, 'serve', '--port', '0', ...args], {
    env: { ...s.env, ORGS_USER_ID: undefined, ORGS_API_KEY: undefined },
    extendEnv: true,
    reject: false,
    stdin: 'ignore',
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString()));
  await untilOutput(child.stdout!, () => out.includes('\n'), 'the base URL').catch((e) => {
    throw new Error(`${e.message}: ${err}`);
  });
  return { url: out.trim(), child, stderr: () => err };
}

/** An organization org1 and an API key of it holding every organization right. */
async function withKey(s: Sandbox): Promise<string> {
  await s.ok(['create', 'org1', '--user-id', 'user1']);
  return (await s.ok(['api-keys', 'create', '--organization-id', 'org1', '--right-organization-all'])).json.key;
}

describe('orgs serve', () => {
  test('serves the API for API keys, logs each request, and stops on SIGTERM with exit 0', async () => {
    const s = sandbox();
    try {
      const key = await withKey(s);
      const served = await serve(s);
      expect(served.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api\/v3$/);
      const origin = new URL(served.url).origin;
      const got = await fetch(`${served.url}/organizations/org1`, { headers: { authorization: `Bearer ${key}` } });
      expect(got.status).toBe(200);
      expect(((await got.json()) as { ids: unknown }).ids).toEqual({ organization_id: 'org1' });
      // No key, no answer; no page and no login token either.
      expect((await fetch(`${served.url}/organizations/org1`)).status).toBe(401);
      expect((await fetch(`${origin}/`)).status).toBe(404);
      expect((await fetch(`${origin}/?token=anything`)).status).toBe(404);
      const logged = () => served.stderr().match(/ ms /g)?.length ?? 0;
      await untilOutput(served.child.stderr!, () => logged() === 4, 'a log line per request');
      expect(served.stderr()).toMatch(/^GET \/ 404 /m);
      expect(served.stderr()).toMatch(/^GET \/api\/v3\/organizations\/org1 200 \d+\.\d ms orgs:cmd:[0-9A-Z]{26}$/m);
      expect(served.stderr()).toMatch(/^GET \/api\/v3\/organizations\/org1 401 \d+\.\d ms/m);
      expect(served.stderr()).not.toContain(key.split('.')[2]);
      served.child.kill('SIGTERM');
      const result = await served.child;
      expect(result.exitCode).toBe(0);
      expect(result.stderr).not.toMatch(/^error:/m);
    } finally {
      await s.cleanup();
    }
  });

  test("a user's API key: creates and lists organizations as The Things Stack's API does, and export --from reads what orgs export prints as the user", async () => {
    const s = sandbox();
    try {
      await s.ok(['create', 'org1', '--user-id', 'user1']);
      await s.ok(['collaborators', 'set', 'org1', '--user-id', 'user2', '--right-organization-info']);
      await s.ok(['applications', 'create', 'app1', '--organization-id', 'org1']);
      await s.ok(['gateways', 'create', 'gtw1', '--user-id', 'user1']);
      await s.ok(['api-keys', 'create', 'org1', '--name', 'ci', '--right-organization-info']);
      const everything = ['user', 'organization', 'application', 'gateway', 'client'].map((g) => `--right-${g}-all`);
      const key = (await s.ok(['users', 'api-keys', 'create', 'user1', ...everything])).json.key as string;
      const served = await serve(s);
      const call = (path: string, init: RequestInit = {}) =>
        fetch(`${served.url}${path}`, { ...init, headers: { authorization: `Bearer ${key}`, ...init.headers } });

      const created = await call('/users/user1/organizations', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ organization: { ids: { organization_id: 'org2' }, name: 'Two' } }),
      });
      expect(created.status).toBe(200);
      expect(await created.json()).toMatchObject({ ids: { organization_id: 'org2' }, name: 'Two' });
      const listed = await call('/users/user1/organizations?limit=1&field_mask=name');
      expect(listed.headers.get('x-total-count')).toBe('2');
      expect(await listed.json()).toMatchObject({ organizations: [{ ids: { organization_id: 'org1' } }] });
      const refused = await call('/users/user2/organizations', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ organization: { ids: { organization_id: 'org3' } } }),
      });
      expect(refused.status).toBe(403);
      expect(await refused.json()).toMatchObject({
        code: 7,
        details: [
          { '@type': 'type.googleapis.com/ttn.lorawan.v3.ErrorDetails', name: 'create_for_other_user', code: 7 },
        ],
      });
      expect(await (await call('/auth_info')).json()).toMatchObject({
        api_key: { entity_ids: { user_ids: { user_id: 'user1' } } },
      });

      const remote = await s.ok(['export', '--from', served.url, '--api-key', key]);
      const local = await s.ok(['export'], { env: { ORGS_USER_ID: 'user1' } });
      expect(remote.stdout).toBe(local.stdout);
      expect(remote.stdout).toContain('org2');
      expect(remote.stdout).toContain('gtw1');
      served.child.kill('SIGTERM');
      await served.child;
    } finally {
      await s.cleanup();
    }
  });

  test('Ctrl-C stops it with exit 130 and no error line', async () => {
    const s = sandbox();
    try {
      const served = await serve(s);
      served.child.kill('SIGINT');
      const result = await served.child;
      expect(result.exitCode).toBe(130);
      expect(result.stderr).not.toMatch(/^error:/m);
    } finally {
      await s.cleanup();
    }
  });

  test('an address other machines reach needs --allow-remote and TLS; a port in use is exit 5', async () => {
    const s = sandbox();
    try {
      expectError(await s.run(['serve', '--host', '0.0.0.0']), 2, 'remote_not_allowed');
      expectError(await s.run(['serve', '--host', '0.0.0.0', '--allow-remote']), 2, 'tls_required');
      expectError(await s.run(['serve', '--host', 'example.com']), 2, 'invalid_host');
      expectError(await s.run(['serve', '--tls-cert', 'cert.pem']), 2, 'tls_incomplete');
      const served = await serve(s);
      const port = new URL(served.url).port;
      expectError(await s.run(['serve', '--port', port]), 5, 'port_in_use');
      served.child.kill('SIGTERM');
      await served.child;
    } finally {
      await s.cleanup();
    }
  });

  test.skipIf(!existsSync('/usr/bin/openssl'))('serves HTTPS with the certificate given', async () => {
    const s = sandbox();
    try {
      const key = await withKey(s);
      const [cert, pem] = [join(s.dir, 'cert.pem'), join(s.dir, 'key.pem')];
      execFileSync(
        'openssl',
        [
          'req',
          '-x509',
          '-newkey',
          'rsa:2048',
          '-nodes',
          '-days',
          '1',
          '-subj',
          '/CN=127.0.0.1',
          '-keyout',
          pem,
          '-out',
          cert,
        ],
        { stdio: 'ignore' },
      );
      const served = await serve(s, '--tls-cert', cert, '--tls-key', pem);
      expect(served.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/api\/v3$/);
      const status = await new Promise<number>((resolve, reject) => {
        const request = httpsRequest(`${served.url}/organizations/org1`, {
          headers: { authorization: `Bearer ${key}` },
          ca: readFileSync(cert),
          checkServerIdentity: () => undefined,
        });
        request.on('response', (response) => {
          response.resume();
          resolve(response.statusCode!);
        });
        request.on('error', reject);
        request.end();
      });
      expect(status).toBe(200);
      served.child.kill('SIGTERM');
      expect((await served.child).exitCode).toBe(0);
    } finally {
      await s.cleanup();
    }
  });
});
