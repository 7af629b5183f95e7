/**
 * PostgreSQL at its edges (STORES.md): a server that stops answering in the middle of a command or
 * never closes, URLs whose password holds URL syntax, library warnings, and a damaged schema.
 */
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, test } from 'vitest';
import { expectError, resultOf } from '../helpers.js';
import { inStore, serverFor, type TestStore } from '../postgres-store.js';

const reachable = serverFor('PostgreSQL edge tests');

/**
 * A TCP proxy to the server behind `url` that forwards both ways until the client sends bytes that
 * `silenceAt` picks: from then on it forwards nothing, answers nothing and closes nothing (a
 * server that hangs, or a network that dropped it without a word).
 */
async function silencingProxy(url: string, silenceAt: (fromClient: Buffer) => boolean): Promise<Server> {
  const target = new URL(url);
  const server = createServer({ allowHalfOpen: true }, (client) => {
    const upstream = createConnection({ host: target.hostname, port: Number(target.port || 5432) });
    let silent = false;
    client.on('data', (chunk: Buffer) => {
      silent ||= silenceAt(chunk);
      if (!silent) upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      if (!silent) client.write(chunk);
    });
    // The client's goodbye is not passed on: the server's side stays open.
    client.on('end', () => {});
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
    proxied.push(client, upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  proxies.push(server);
  return server;
}

const proxies: Server[] = [];
const proxied: Socket[] = [];
afterEach(() => {
  for (const socket of proxied.splice(0)) socket.destroy();
  for (const server of proxies.splice(0)) server.close();
});

/** `url` through `proxy`. */
function via(proxy: Server, url: string): string {
  const through = new URL(url);
  through.host = `127.0.0.1:${(proxy.address() as { port: number }).port}`;
  return through.toString();
}

/** The client's Terminate message: the last thing a client says before it closes. */
const TERMINATE = Buffer.from([0x58, 0, 0, 0, 4]);

/**
 * Runs orgs against `db` with a connect-timeout of 1s. The deadline only stops a run that would
 * otherwise never end; the assertions are about its outcome.
 */
async function runWithShortTimeout(s: TestStore, db: string, args: string[]) {
  await s.ok(['config', 'set', 'connect-timeout', '1s']);
  const child = s.spawn(args, undefined, { ORGS_DB: db });
  let hung = false;
  const deadline = setTimeout(() => {
    hung = true;
    child.kill('SIGKILL');
  }, 20_000);
  try {
    const result = resultOf(await child);
    expect(hung, `orgs ${args.join(' ')} never ended`).toBe(false);
    return result;
  } finally {
    clearTimeout(deadline);
  }
}

describe.skipIf(!reachable)('a server that stops answering', () => {
  test('while the command opens the store: exit 6, unavailable', () =>
    inStore(async (s) => {
      // Silent from the first statement after the login: the schema's version is asked first.
      const proxy = await silencingProxy(s.url, (chunk) => chunk.includes('pg_namespace'));
      const result = await runWithShortTimeout(s, via(proxy, s.url), ['list']);
      expectError(result, 6, 'unavailable');
      expect(result.stderr).toContain('stopped answering');
    }));

  test('in the middle of a write: exit 6, unavailable, nothing written', () =>
    inStore(async (s) => {
      await s.ok(['create', 'org1', '--user-id', 'user1']);
      const proxy = await silencingProxy(s.url, (chunk) => chunk.includes('SERIALIZABLE'));
      const result = await runWithShortTimeout(s, via(proxy, s.url), ['create', 'org2', '--user-id', 'user1']);
      expectError(result, 6, 'unavailable');
      expect(result.stderr).toContain('stopped answering');
      expect(s.sql(`SELECT id FROM organizations ORDER BY id`)).toEqual(['org1']);
    }));

  test('when the command is done and closes: the command still ends, with its output', () =>
    inStore(async (s) => {
      await s.ok(['create', 'org1', '--user-id', 'user1']);
      const proxy = await silencingProxy(s.url, (chunk) => chunk.subarray(-TERMINATE.length).equals(TERMINATE));
      const result = await runWithShortTimeout(s, via(proxy, s.url), ['list']);
      expect(result.exitCode, result.stderr).toBe(0);
      expect(result.json.map((o: any) => o.ids.organization_id)).toEqual(['org1']);
    }));
});
