/**
 * Where the store is: a file path (SQLite) or a PostgreSQL URL. Light on purpose: commands that
 * only print settings tell the two apart without loading either engine.
 */
import { invalidArgument } from '../core/errors.js';

export const isPostgresUrl = (location: string): boolean => /^postgres(ql)?:\/\//i.test(location);

/** A PostgreSQL URL cut at its user and password: `<head>//<user>[:<password>]@<rest>`, or no user at all. */
interface UrlParts {
  head: string;
  user?: string;
  password?: string;
  rest: string;
}

/**
 * Where the user and password end: at the last `@`, so that a password may hold `/`, `@`, `#`, `?`
 * or `%` as typed (an `@` after it, in the database name or a parameter, is written `%40`).
 */
function splitUserinfo(url: string): UrlParts {
  const start = url.indexOf('//') + 2;
  const head = url.slice(0, start);
  const rest = url.slice(start);
  const at = rest.lastIndexOf('@');
  if (at < 0) return { head, rest };
  const userinfo = rest.slice(0, at);
  const colon = userinfo.indexOf(':');
  return {
    head,
    user: colon < 0 ? userinfo : userinfo.slice(0, colon),
    password: colon < 0 ? undefined : userinfo.slice(colon + 1),
    rest: rest.slice(at + 1),
  };
}

/** A user or password percent-encoded, whether typed encoded (`a%2Fb`), raw (`a/b`) or both (`50%`). */
function encodeUserinfo(part: string): string {
  const decoded = part.replace(/(?:%[0-9a-f]{2})+/gi, (escapes) => {
    try {
      return decodeURIComponent(escapes);
    } catch {
      return escapes;
    }
  });
  return encodeURIComponent(decoded);
}

const join = ({ head, user, password, rest }: UrlParts): string =>
  user === undefined ? `${head}${rest}` : `${head}${user}${password === undefined ? '' : `:${password}`}@${rest}`;

/**
 * A PostgreSQL URL as node-postgres reads it: its user and password percent-encoded, so that a
 * password may be typed as it is. A URL that cannot be read, even so, is an invalid argument whose
 * message shows it without its password.
 */
export function readPostgresUrl(url: string): URL {
  const parts = splitUserinfo(url);
  try {
    return new URL(
      join({
        ...parts,
        user: parts.user === undefined ? undefined : encodeUserinfo(parts.user),
        password: parts.password === undefined ? undefined : encodeUserinfo(parts.password),
      }),
    );
  } catch {
    // The host, the port, or a lone surrogate (from a hand-edited configuration) that no URL can hold.
    throw invalidArgument(
      'store',
      'invalid_url',
      `${redactUrl(url)} is not a PostgreSQL URL (postgres://user:password@host:port/database?parameters)`,
    );
  }
}

/**
 * The URL with its password (in the user part or a `password` parameter) replaced by `***`, fit to
 * print, whatever the password holds and whether the rest of the URL can be read or not: whatever
 * either reading takes for a password is hidden, even where the other reads it otherwise.
 */
export function redactUrl(url: string): string {
  const secret = new Uint8Array(url.length);
  const { head, user, password } = splitUserinfo(url);
  if (password) secret.fill(1, head.length + user!.length + 1, head.length + user!.length + 1 + password.length);
  for (const match of url.matchAll(/[?&]password=([^&]+)/gi)) {
    secret.fill(1, match.index + match[0].length - match[1]!.length, match.index + match[0].length);
  }
  let shown = '';
  for (let i = 0; i < url.length; i++) {
    if (!secret[i]) shown += url[i];
    else if (!secret[i - 1]) shown += '***';
  }
  return shown;
}

/** How the store is named to the user: a path as it is, a URL without its password. */
export const describeLocation = (location: string): string =>
  isPostgresUrl(location) ? redactUrl(location) : location;
