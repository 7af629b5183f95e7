/**
 * Errors are values: a class (which decides the exit code), a namespace, a name and a message.
 * The CLI turns them into `error:<namespace>:<name> (<message>)` in one place (src/cli/run.ts).
 */
export type ErrorClass =
  | 'invalid_argument'
  | 'not_found'
  | 'permission_denied'
  | 'unauthenticated'
  | 'already_exists'
  | 'failed_precondition'
  | 'unavailable'
  | 'canceled'
  | 'internal';

const EXIT_CODES: Record<ErrorClass, number> = {
  invalid_argument: 2,
  not_found: 3,
  permission_denied: 4,
  unauthenticated: 4,
  already_exists: 5,
  failed_precondition: 5,
  unavailable: 6,
  canceled: 130,
  internal: 1,
};

/** The HTTP status of each class, for the console's API (src/console/), as The Things Stack answers. */
const HTTP_STATUSES: Record<ErrorClass, number> = {
  invalid_argument: 400,
  not_found: 404,
  permission_denied: 403,
  unauthenticated: 401,
  already_exists: 409,
  failed_precondition: 409,
  unavailable: 503,
  canceled: 499,
  internal: 500,
};

export class OrgsError extends Error {
  constructor(
    readonly errorClass: ErrorClass,
    readonly namespace: string,
    readonly errorName: string,
    message: string,
  ) {
    super(message);
    this.name = 'OrgsError';
  }

  get exitCode(): number {
    return EXIT_CODES[this.errorClass];
  }

  get httpStatus(): number {
    return HTTP_STATUSES[this.errorClass];
  }

  /** The same error, its message prefixed with where it happened. */
  within(where: string): OrgsError {
    return new OrgsError(this.errorClass, this.namespace, this.errorName, `${where}: ${this.message}`);
  }

  /**
   * The one line that reaches stderr. Messages may quote the user's input (commander repeats
   * arguments, JSON.parse quotes documents): control, line-separator and bidirectional characters
   * are escaped, so the line stays one line, in order, and nothing reaches the terminal raw.
   */
  format(): string {
    return `error:${this.namespace}:${this.errorName} (${escapeControls(this.message)})`;
  }
}

const SHORT_ESCAPES: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/**
 * Escapes what would act on a terminal instead of being shown: C0 and C1 controls, the line and
 * paragraph separators, and the bidirectional marks, embeddings and isolates (U+061C, U+200E-200F,
 * U+202A-202E, U+2066-2069), which reorder the rest of the line (a table's columns, a message).
 */
export function escapeControls(text: string): string {
  return text.replace(
    /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]/g,
    (c) => SHORT_ESCAPES[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

type ErrorFactory = (namespace: string, name: string, message: string) => OrgsError;
const factory =
  (errorClass: ErrorClass): ErrorFactory =>
  (namespace, name, message) =>
    new OrgsError(errorClass, namespace, name, message);

export const invalidArgument = factory('invalid_argument');
export const notFound = factory('not_found');
export const permissionDenied = factory('permission_denied');
export const unauthenticated = factory('unauthenticated');
export const alreadyExists = factory('already_exists');
export const failedPrecondition = factory('failed_precondition');
export const unavailable = factory('unavailable');
export const canceled = factory('canceled');
export const internal = factory('internal');

/** Anything thrown that is not an OrgsError is a bug: say so, without a stack trace. */
export function toOrgsError(error: unknown): OrgsError {
  if (error instanceof OrgsError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return internal('orgs', 'internal', `unexpected error, this is a bug: ${message}`);
}
