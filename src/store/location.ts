/**
 * Where the store is: a file path (SQLite) or a PostgreSQL URL. Light on purpose: commands that
 * only print settings tell the two apart without loading either engine.
 */

export const isPostgresUrl = (location: string): boolean => /^postgres(ql)?:\/\//i.test(location);

/** The URL with its password (in the user part or a `password` parameter) replaced by `***`, fit to print. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    for (const key of [...parsed.searchParams.keys()]) {
      if (key.toLowerCase() === 'password') parsed.searchParams.set(key, '***');
    }
    return parsed.toString();
  } catch {
    // Not a URL that WHATWG reads (a bracket too many): remove whatever could be a password.
    return url.replace(/(\/\/[^/@]*?:)[^/@]*@/, '$1***@').replace(/(password=)[^&]*/gi, '$1***');
  }
}

/** How the store is named to the user: a path as it is, a URL without its password. */
export const describeLocation = (location: string): string =>
  isPostgresUrl(location) ? redactUrl(location) : location;
