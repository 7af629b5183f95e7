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

/**
 * What each class becomes outside: the CLI's exit code, the gRPC code The Things Stack gives the
 * same case, and the HTTP status grpc-gateway maps that code to (the API of src/console/).
 */
const CLASSES: Record<ErrorClass, { exit: number; grpc: number; http: number }> = {
  invalid_argument: { exit: 2, grpc: 3, http: 400 },
  not_found: { exit: 3, grpc: 5, http: 404 },
  permission_denied: { exit: 4, grpc: 7, http: 403 },
  unauthenticated: { exit: 4, grpc: 16, http: 401 },
  already_exists: { exit: 5, grpc: 6, http: 409 },
  failed_precondition: { exit: 5, grpc: 9, http: 400 },
  unavailable: { exit: 6, grpc: 14, http: 503 },
  canceled: { exit: 130, grpc: 1, http: 499 },
  internal: { exit: 1, grpc: 13, http: 500 },
};

/** The class of a gRPC code a server answered (The Things Stack's), by the table above; ABORTED and OUT_OF_RANGE as their kin. */
export function classOfGrpcCode(code: number): ErrorClass | undefined {
  if (code === 10) return 'failed_precondition';
  if (code === 11) return 'invalid_argument';
  return (Object.keys(CLASSES) as ErrorClass[]).find((c) => CLASSES[c].grpc === code);
}

/** The class of an HTTP status without a gRPC code: the first class answered with it, else by its hundred. */
export function classOfHttpStatus(status: number): ErrorClass {
  const found = (Object.keys(CLASSES) as ErrorClass[]).find((c) => CLASSES[c].http === status);
  return found ?? (status >= 400 && status < 500 ? 'invalid_argument' : 'unavailable');
}

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
    return CLASSES[this.errorClass].exit;
  }

  get grpcCode(): number {
    return CLASSES[this.errorClass].grpc;
  }

  get httpStatus(): number {
    return CLASSES[this.errorClass].http;
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
