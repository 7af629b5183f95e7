/**
 * `orgs console`'s HTTP server: loopback only, the API of src/console/api.ts and the page of
 * src/console/page.ts. A local server is reachable by every page the browser has open, so it
 * trusts nothing but what it handed out itself:
 *
 * - the printed URL carries a one-time token; opening it sets an HttpOnly, SameSite=Strict session
 *   cookie and redirects to the page without the token, which then works no more;
 * - a request whose Host is not the console's own address is refused (DNS rebinding);
 * - a state change made with the cookie needs the session's CSRF token (header x-csrf-token) and,
 *   when the browser names one, the console's own Origin; requests with `Authorization: Bearer
 *   NNSXS.…` act as that API key and need neither (they carry no cookie);
 * - every answer forbids framing, sniffing and caching, and the page's Content-Security-Policy
 *   allows only its own scripts, styles and API;
 * - the credential is checked before a body is read, headers and bodies have short deadlines, and
 *   only the store's work waits its turn: a client that stalls holds no one but itself (a download
 *   is written as the store gives it, not as the client takes it: a client that stops reading
 *   holds memory, at most the download, never the turn).
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { invalidArgument, OrgsError, permissionDenied, toOrgsError, unauthenticated } from '../core/errors.js';
import type { Context } from '../app/context.js';
import { type ApiResponse, findRoute } from './api.js';
import { NOTICE_CSP, noticeHtml, PAGE_CSP, pageHtml } from './page.js';

const SESSION_COOKIE = 'orgs_console';
/** Bodies larger than this are refused: the API takes small JSON documents (a route may take more). */
const MAX_BODY_BYTES = 1 << 20;
/** A download is sent in pieces of about this many characters (the store gives it a record at a time). */
const PIECE_LENGTH = 64 * 1024;
const STATE_CHANGES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
/**
 * A request's headers must arrive within 3 s, and the whole request within 5 s, checked every half
 * second: the API's bodies are small and local.
 */
const DEADLINES: Deadlines = { headersMs: 3_000, requestMs: 5_000, checkMs: 500 };

/** Answers other than the page (JSON, redirects) run nothing at all. */
const CONTENT_SECURITY_POLICY = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'";

const SECURITY_HEADERS = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'cache-control': 'no-store',
};

const token = () => randomBytes(32).toString('base64url');

/** Compares secrets in constant time. */
function same(a: string | undefined, b: string): boolean {
  if (a === undefined) return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export interface ConsoleServer {
  /** The URL to open, with its one-time token. */
  url: string;
  port: number;
  close(): Promise<void>;
}

export interface Deadlines {
  headersMs: number;
  requestMs: number;
  /** How often they are checked. */
  checkMs: number;
}

export interface ConsoleOptions {
  port?: number;
  /** DEADLINES for orgs console; a test's may be shorter. */
  deadlines?: Deadlines;
  /** `orgs serve`: the API alone, for API keys (Bearer) only. */
  apiOnly?: ApiOnly;
}

/**
 * What `orgs serve` changes: no page and no cookie session, so nothing a browser holds works and
 * no Host needs checking; the address it listens on (loopback unless allowed), TLS, and a line
 * logged per request.
 */
export interface ApiOnly {
  host: string;
  tls?: { cert: Buffer; key: Buffer };
  /** `GET /api/v3/organizations 200 1.4 ms orgs:cmd:…`, per request, when its answer is sent. */
  log(line: string): void;
}

/**
 * Serves the console for `ctx`'s store and caller. The store runs one transaction at a time: the
 * store's work of each request waits its turn; reading requests and their bodies does not.
 */
export async function startConsole(ctx: Context, options: ConsoleOptions = {}): Promise<ConsoleServer> {
  let loginToken: string | undefined = token();
  /** Session cookie value → its CSRF token. */
  const sessions = new Map<string, string>();
  let origins: Set<string> = new Set();
  let queue: Promise<unknown> = Promise.resolve();
  const inTurn = <T>(work: () => Promise<T>): Promise<T> => {
    const done = queue.then(work);
    queue = done.catch(() => undefined);
    return done;
  };

  const send = (response: ServerResponse, status: number, body?: unknown, headers: Record<string, string> = {}) => {
    const text = body === undefined ? '' : `${JSON.stringify(body, null, 2)}\n`;
    response.writeHead(status, {
      ...SECURITY_HEADERS,
      ...(body === undefined ? {} : { 'content-type': 'application/json; charset=utf-8' }),
      ...headers,
    });
    response.end(text);
  };
  /**
   * An error as The Things Stack's API answers it (a google.rpc.Status with its ErrorDetails), with
   * the request's correlation ID (one of its own when it failed before it had a caller).
   */
  const fail = (response: ServerResponse, error: OrgsError) => {
    const caller = callers.get(response) ?? ctx.as();
    callers.set(response, caller);
    send(response, error.httpStatus, errorBody(error, caller.correlationId));
  };

  const sessionOf = (request: IncomingMessage): { id: string; csrf: string } | undefined => {
    for (const part of (request.headers.cookie ?? '').split(';')) {
      const [name, value] = part.trim().split('=');
      if (name === SESSION_COOKIE && value !== undefined) {
        const csrf = sessions.get(value);
        if (csrf !== undefined) return { id: value, csrf };
      }
    }
    return undefined;
  };

  /** Each request's own context: its correlation ID, in an error's details and in `orgs serve`'s log line. */
  const callers = new WeakMap<ServerResponse, Context>();

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    // DNS rebinding: a foreign name resolved to 127.0.0.1 still carries that name in Host.
    const host = request.headers.host ?? '';
    if (!options.apiOnly && ![...origins].some((origin) => origin === `http://${host}`)) {
      return fail(response, permissionDenied('console', 'forbidden_host', `requests for ${host} are not served here`));
    }
    // Only a path: `//other/…` and `http://other/…` would name another host than the one checked.
    const target = request.url ?? '/';
    if (!target.startsWith('/') || target.startsWith('//')) {
      return fail(response, invalidArgument('console', 'invalid_path', 'the request target must be a path'));
    }
    const url = new URL(target, `http://${host}`);
    const method = request.method ?? 'GET';

    if (!url.pathname.startsWith('/api/')) {
      if (!options.apiOnly) return servePage(request, response, url, method);
      return fail(response, new OrgsError('not_found', 'console', 'route_not_found', `no API at ${url.pathname}`));
    }

    const bearer = /^Bearer (\S+)$/i.exec(request.headers.authorization ?? '')?.[1];
    const session = sessionOf(request);
    // Each request is a command of its own: its own session, correlation ID and events.
    let caller: Context;
    if (bearer !== undefined) {
      caller = ctx.as({ kind: 'api-key', token: bearer });
      callers.set(response, caller);
      // The key is checked before a body is read: a client without a credential is not waited for.
      // A request without one is checked by its own transaction (a second costs a third of a read).
      if (hasBody(request)) await inTurn(async () => (await caller.session()).whoami());
    } else if (session) {
      if (STATE_CHANGES.has(method)) {
        const origin = request.headers.origin;
        if (origin !== undefined && !origins.has(origin)) {
          return fail(response, permissionDenied('console', 'forbidden_origin', `requests from ${origin} are refused`));
        }
        if (!same(request.headers['x-csrf-token'] as string | undefined, session.csrf)) {
          return fail(
            response,
            permissionDenied('console', 'csrf_token_missing', "a change needs the page's CSRF token"),
          );
        }
      }
      caller = ctx.as();
      callers.set(response, caller);
    } else {
      return fail(
        response,
        unauthenticated(
          'console',
          'unauthenticated',
          options.apiOnly
            ? 'send an API key: Authorization: Bearer NNSXS.…'
            : 'open the URL orgs console printed, or send an API key as Bearer',
        ),
      );
    }

    const found = findRoute(method, url.pathname);
    if ('error' in found) {
      const error =
        found.error === 'not_found'
          ? new OrgsError('not_found', 'console', 'route_not_found', `no API at ${url.pathname}`)
          : invalidArgument('console', 'method_not_allowed', `${method} is not allowed on ${url.pathname}`);
      return fail(response, error);
    }
    const work = found.check(url.searchParams, await readBody(request, found.maxBodyBytes ?? MAX_BODY_BYTES));
    await inTurn(async () => {
      const result = await work(caller);
      if (result.stream) await download(response, result);
      else send(response, result.status, result.body, result.headers);
    });
  }

  /**
   * A download: its headers with its first piece (an error before that is answered as any error),
   * pieces written as they are made; it stops when the client has gone.
   */
  async function download(response: ServerResponse, result: ApiResponse): Promise<void> {
    let piece = '';
    const flush = () => {
      if (response.destroyed) throw new Error('the client has gone');
      if (!response.headersSent) response.writeHead(result.status, { ...SECURITY_HEADERS, ...result.headers });
      if (piece !== '') response.write(piece);
      piece = '';
    };
    await result.stream!(async (text) => {
      piece += text;
      if (piece.length < PIECE_LENGTH) return;
      flush();
      // The piece goes out while the store is read: SQLite's reads never let the socket's turn come otherwise.
      await new Promise((resolve) => setImmediate(resolve));
    });
    flush();
    response.end();
  }

  function servePage(request: IncomingMessage, response: ServerResponse, url: URL, method: string): void {
    if (method !== 'GET' && method !== 'HEAD') {
      return fail(response, invalidArgument('console', 'method_not_allowed', `${method} is not allowed here`));
    }
    // A browser that navigated here is answered with a page, a script with JSON.
    const refuse = (error: OrgsError, heading: string) => {
      if (!/\btext\/html\b/.test(request.headers.accept ?? '')) return fail(response, error);
      response.writeHead(error.httpStatus, {
        ...SECURITY_HEADERS,
        'content-security-policy': NOTICE_CSP,
        'content-type': 'text/html; charset=utf-8',
      });
      response.end(noticeHtml(heading));
    };
    const offered = url.searchParams.get('token');
    if (offered !== null) {
      if (loginToken === undefined || !same(offered, loginToken)) {
        return refuse(
          unauthenticated('console', 'token_used', 'this link was used already; run orgs console again'),
          'This link was used already',
        );
      }
      loginToken = undefined;
      const id = token();
      sessions.set(id, token());
      response.writeHead(303, {
        ...SECURITY_HEADERS,
        location: '/',
        'set-cookie': `${SESSION_COOKIE}=${id}; HttpOnly; SameSite=Strict; Path=/`,
      });
      response.end();
      return;
    }
    const session = sessionOf(request);
    if (!session) {
      return refuse(
        unauthenticated('console', 'unauthenticated', 'open the URL orgs console printed (it works once)'),
        'This browser has no session of this Console',
      );
    }
    // Every path is the page itself (it routes on its own), with the session's CSRF token.
    response.writeHead(200, {
      ...SECURITY_HEADERS,
      'content-security-policy': PAGE_CSP,
      'content-type': 'text/html; charset=utf-8',
    });
    response.end(pageHtml(session.csrf));
  }

  const serverOptions = {
    headersTimeout: (options.deadlines ?? DEADLINES).headersMs,
    requestTimeout: (options.deadlines ?? DEADLINES).requestMs,
    connectionsCheckingInterval: (options.deadlines ?? DEADLINES).checkMs,
  };
  const listener = (request: IncomingMessage, response: ServerResponse) => {
    if (options.apiOnly) logged(request, response, options.apiOnly);
    handle(request, response).catch((error) => {
      if (!response.headersSent) fail(response, toOrgsError(error));
      // A download cut short: never ended as if it were whole.
      else response.destroy();
    });
  };
  const tls = options.apiOnly?.tls;
  const server: Server = tls
    ? (await import('node:https')).createServer({ ...serverOptions, ...tls }, listener)
    : createServer(serverOptions, listener);
  const host = options.apiOnly?.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, resolve);
  });
  const { port } = server.address() as { port: number };
  origins = new Set([`http://127.0.0.1:${port}`, `http://localhost:${port}`]);
  if (options.apiOnly) {
    loginToken = undefined;
    const shown = host.includes(':') ? `[${host}]` : host;
    return {
      url: `${tls ? 'https' : 'http'}://${shown}:${port}/api/v3`,
      port,
      // The requests in flight are answered; idle connections go at once.
      close: () =>
        new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeIdleConnections();
        }),
    };
  }
  return {
    url: `http://127.0.0.1:${port}/?token=${loginToken}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };

  /** Logs the request once its answer is sent (or its client has gone). */
  function logged(request: IncomingMessage, response: ServerResponse, apiOnly: ApiOnly): void {
    const started = process.hrtime.bigint();
    const path = (request.url ?? '/').replace(/\?.*$/s, '');
    response.once('close', () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      const status = response.writableFinished ? String(response.statusCode) : 'gone';
      const correlation = callers.get(response)?.correlationId ?? '-';
      apiOnly.log(`${request.method} ${path} ${status} ${ms.toFixed(1)} ms ${correlation}`);
    });
  }
}

/** Whether the request announces a body (HTTP/1.1: a length above 0, or chunks). */
const hasBody = (request: IncomingMessage) =>
  request.headers['transfer-encoding'] !== undefined ||
  (request.headers['content-length'] !== undefined && request.headers['content-length'] !== '0');

async function readBody(request: IncomingMessage, maxBytes: number): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) {
      throw invalidArgument('console', 'body_too_large', `the request body is larger than ${maxBytes / 2 ** 20} MiB`);
    }
    chunks.push(chunk as Buffer);
  }
  if (size === 0) return {};
  let body: unknown;
  try {
    body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch (error) {
    throw invalidArgument('console', 'invalid_json', `the request body is not JSON: ${(error as Error).message}`);
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw invalidArgument('console', 'invalid_body', 'the request body must be a JSON object');
  }
  return body as Record<string, unknown>;
}

/**
 * `{"code": 5, "message": "error:ns:name (…)", "details": [ErrorDetails]}`: The Things Stack's
 * error body (pkg/errors), which its clients read the error's name and correlation ID from.
 */
export function errorBody(error: OrgsError, correlationId: string) {
  return {
    code: error.grpcCode,
    message: error.format(),
    details: [
      {
        '@type': 'type.googleapis.com/ttn.lorawan.v3.ErrorDetails',
        namespace: error.namespace,
        name: error.errorName,
        message_format: error.message,
        correlation_id: correlationId,
        code: error.grpcCode,
      },
    ],
  };
}
