/**
 * A client of `orgs console` as a script makes one: the console started by the built CLI for a
 * sandbox, the browser's session (cookie and CSRF token), plain requests and their answers.
 */
import { request as httpRequest } from 'node:http';
import { execa, type ResultPromise } from 'execa';
import { expect } from 'vitest';
import { Context } from '../../src/app/context.js';
import { streamsOf } from '../../src/app/streams.js';
import { startConsole as startServer, type ConsoleOptions } from '../../src/console/server.js';
import { BIN, type Sandbox } from '../helpers.js';
import { testRuntime } from '../runtime.js';

export interface Console {
  url: string;
  origin: string;
  port: number;
  process: ResultPromise;
}

/** Where a Console answers, however it was started. */
export type Served = Omit<Console, 'process'>;

/**
 * The Console served in-process for the sandbox (src/console/server.ts, with a Context of the
 * sandbox's environment), for what no command line sets: shorter deadlines. Ended by `close`.
 */
export async function serveConsole(
  s: Sandbox,
  options: ConsoleOptions,
  clock?: () => number,
): Promise<Served & { close(): Promise<void> }> {
  const io = testRuntime({
    env: { ...process.env, ...s.env, ORGS_USER_ID: undefined, ORGS_API_KEY: undefined },
    clock,
  });
  const ctx = new Context({}, io.runtime, streamsOf(io.runtime));
  const server = await startServer(ctx, options);
  const { origin, port } = new URL(server.url);
  return {
    url: server.url,
    origin,
    port: Number(port),
    async close() {
      await server.close();
      await ctx.close();
    },
  };
}

/** Starts `orgs console --no-open` for the sandbox and waits for its URL. */
export async function startConsole(s: Sandbox, env: Record<string, string | undefined> = {}): Promise<Console> {
  const child = execa('node', [BIN, 'console', '--no-open'], {
    env: { ...s.env, ORGS_USER_ID: undefined, ORGS_API_KEY: undefined, ...env },
    extendEnv: true,
    reject: false,
    stdin: 'ignore',
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const line = out.split('\n')[0];
      if (out.includes('\n')) resolve(line!);
    });
    child.once('exit', () => reject(new Error(`orgs console exited early: ${out}`)));
  });
  const parsed = new URL(url);
  return { url, origin: parsed.origin, port: Number(parsed.port), process: child };
}

/** A browser's session: the cookie the token gave, and the CSRF token of the page. */
export async function login(c: Served): Promise<{ cookie: string; csrf: string }> {
  const opened = await fetch(c.url, { redirect: 'manual' });
  expect(opened.status).toBe(303);
  const cookie = opened.headers.get('set-cookie')!.split(';')[0]!;
  const page = await (await fetch(`${c.origin}/`, { headers: { cookie } })).text();
  const csrf = /<meta name="csrf-token" content="([^"]+)">/.exec(page)![1]!;
  return { cookie, csrf };
}

export interface Answer {
  status: number;
  body: any;
  headers: Headers;
}

export async function call(
  c: Served,
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body?: unknown,
) {
  const response = await fetch(`${c.origin}/api/v3${path}`, {
    method,
    headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined, headers: response.headers } as Answer;
}

/** The gRPC code of each HTTP status of an error, as grpc-gateway maps them (400 is also 9, failed_precondition). */
const GRPC_CODES: Record<number, number[]> = {
  400: [3, 9],
  401: [16],
  403: [7],
  404: [5],
  409: [6, 10],
  500: [13],
  503: [14],
};

/** An error answer as The Things Stack's API gives them: the status, the gRPC code and the error's name in its details. */
export function expectApiError(answer: Answer, status: number, name: string): void {
  expect(answer.status, JSON.stringify(answer.body)).toBe(status);
  expect(GRPC_CODES[status]).toContain(answer.body.code);
  expect(answer.body.message).toMatch(new RegExp(`^error:[a-z_/]+:${name} \\(.*\\)$`));
  expect(answer.body.details).toEqual([
    expect.objectContaining({
      '@type': 'type.googleapis.com/ttn.lorawan.v3.ErrorDetails',
      name,
      code: answer.body.code,
      correlation_id: expect.stringMatching(/^orgs:cmd:/),
    }),
  ]);
}

/** The name of an error answer (in its details). */
export const errorNameOf = (answer: { body: any }): string | undefined => answer.body?.details?.[0]?.name;

/** A GET with any Host header (fetch does not let a script choose it). */
export function withHost(c: Served, host: string, path: string, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port: c.port, path, headers: { ...headers, host } }, (res) => {
      let body = '';
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode!, body }));
    });
    req.on('error', reject);
    req.end();
  });
}
