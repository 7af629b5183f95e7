/**
 * PostgreSQL at its edges (STORES.md): a server that stops answering in the middle of a command or
 * never closes, URLs whose password holds URL syntax, library warnings, and a damaged schema.
 */
import { writeFileSync } from 'node:fs';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { expectError, resultOf, sandbox } from '../helpers.js';
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
  const child = await s.spawn(args, undefined, { ORGS_DB: db }, 20_000);
  expect(child.timedOut, `orgs ${args.join(' ')} never ended`).toBe(false);
  return resultOf(child);
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
      expect(await s.sql(`SELECT id FROM organizations ORDER BY id`)).toEqual(['org1']);
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

/**
 * A PostgreSQL server that refuses SSL, asks for the password in clear, keeps the password each
 * user sends, and refuses the login: what the client made of its URL, without a database.
 */
async function passwordCatcher() {
  const passwords = new Map<string, string>();
  const server = createServer((socket) => {
    proxied.push(socket);
    let buffer = Buffer.alloc(0);
    let started = false;
    let user = '';
    socket.on('error', () => {});
    socket.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      for (;;) {
        // The startup messages have no type byte; the others do.
        const offset = started ? 1 : 0;
        if (buffer.length < offset + 4) return;
        const length = buffer.readInt32BE(offset);
        if (buffer.length < offset + length) return;
        const message = buffer.subarray(0, offset + length);
        buffer = buffer.subarray(offset + length);
        if (!started && message.readInt32BE(4) === 80877103) {
          socket.write('N'); // SSLRequest: no SSL here.
        } else if (!started) {
          started = true;
          const parameters = message.subarray(8).toString('utf8').split('\0');
          user = parameters[parameters.indexOf('user') + 1]!;
          socket.write(Buffer.from([0x52, 0, 0, 0, 8, 0, 0, 0, 3])); // AuthenticationCleartextPassword
        } else if (message[0] === 0x70) {
          passwords.set(user, message.subarray(5, message.length - 1).toString('utf8'));
          const fields = ['SFATAL', 'VFATAL', 'C28P01', 'Mpassword authentication failed']
            .map((f) => `${f}\0`)
            .join('');
          const body = Buffer.from(`${fields}\0`);
          const header = Buffer.alloc(5);
          header.write('E');
          header.writeInt32BE(body.length + 4, 1);
          socket.end(Buffer.concat([header, body]));
        }
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  proxies.push(server);
  const port = (server.address() as { port: number }).port;
  return { passwords, url: (userinfo: string, query = '') => `postgres://${userinfo}127.0.0.1:${port}/db${query}` };
}

describe('PostgreSQL URLs', () => {
  /** Passwords as typed in a URL, and as the server must receive them. */
  const PASSWORDS: Array<[string, string]> = [
    ['a/b', 'a/b'],
    ['pa@ss', 'pa@ss'],
    ['pa#ss', 'pa#ss'],
    ['pa?ss', 'pa?ss'],
    ['50%off', '50%off'],
    ['1/b', '1/b'],
    ['12#x', '12#x'],
    ['1?b=c', '1?b=c'],
    ['pa:ss', 'pa:ss'],
    ['p%2Fq%40r', 'p/q@r'],
    ['sp ace&é', 'sp ace&é'],
  ];

  test('a password holding URL syntax reaches the server as typed, and is never printed', async () => {
    const catcher = await passwordCatcher();
    const box = sandbox();
    try {
      // Each password as a user of its own, all at once.
      await Promise.all(
        PASSWORDS.map(async ([typed, received], i) => {
          const result = await box.run(['--db', catcher.url(`user${i}:${typed}@`), 'list']);
          expectError(result, 6, 'unavailable');
          expect(catcher.passwords.get(`user${i}`), typed).toBe(received);
          expect(result.stderr).toContain(catcher.url(`user${i}:***@`));
          expect(result.stderr).not.toContain(typed);
        }),
      );
      for (const [typed] of PASSWORDS.slice(0, 5)) {
        await box.ok(['config', 'set', 'db', catcher.url(`alice:${typed}@`)], { env: { ORGS_DB: undefined } });
        const got = await box.ok(['config', 'get', 'db'], { env: { ORGS_DB: undefined } });
        const listed = await box.ok(['config', 'list'], { env: { ORGS_DB: undefined } });
        expect(got.stdout).toBe(`${catcher.url('alice:***@')}\n`);
        expect(listed.json.db).toBe(catcher.url('alice:***@'));
      }
    } finally {
      await box.cleanup();
    }
  });

  test('a password from PGPASSFILE is sent, with no library notice on the way', async () => {
    const catcher = await passwordCatcher();
    const box = sandbox();
    try {
      const passfile = join(box.dir, 'pgpass');
      writeFileSync(passfile, `127.0.0.1:*:db:alice:from-the-file\n`, { mode: 0o600 });
      // A process: node-postgres reads PGPASSFILE from the process's own environment.
      const result = await box.spawn(['--db', catcher.url('alice@'), 'list'], { env: { PGPASSFILE: passfile } });
      expectError(result, 6, 'unavailable');
      expect(catcher.passwords.get('alice')).toBe('from-the-file');
    } finally {
      await box.cleanup();
    }
  });

  test('sslmode=require: one error line, no library warning', async () => {
    const catcher = await passwordCatcher();
    const box = sandbox();
    try {
      const result = await box.run(['--db', catcher.url('alice:secret@', '?sslmode=require'), 'list']);
      expectError(result, 6, 'unavailable');
      expect(result.stderr).toContain('does not support SSL');
    } finally {
      await box.cleanup();
    }
  });

  test('a URL that cannot be read: exit 2, without its password, nothing stored', async () => {
    const box = sandbox();
    try {
      for (const url of [
        'postgres://alice:s3cret@db host/orgs',
        'postgres://alice:s3cret@db.example.com:99999/orgs',
        'postgresql://alice:s3/cr#et@[::1/orgs',
      ]) {
        for (const args of [
          ['--db', url, 'list'],
          ['config', 'set', 'db', url],
        ]) {
          const result = await box.run(args);
          expectError(result, 2, 'invalid_url');
          expect(result.stderr).not.toMatch(/s3\/?cr/);
        }
      }
      expect((await box.ok(['config', 'get', 'db'], { env: { ORGS_DB: undefined } })).stdout).not.toMatch(/^postgres/);
    } finally {
      await box.cleanup();
    }
  });
});
