/**
 * Every file orgs writes (the store, a backup, the configuration) goes through here: folders are
 * made without Node's looping mkdirp, only regular files are ever created or replaced, and each
 * failure becomes one OrgsError naming the user's path (fileError).
 */
import {
  closeSync,
  constants,
  fstatSync,
  lstatSync,
  mkdirSync,
  openSync,
  realpathSync,
  renameSync,
  rmSync,
  type Stats,
  statSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileError, type FileSubject, notRegularFile } from './errors.js';

/** `error` as the OrgsError fileError makes of it, or unchanged when it is not about a file. */
export function asFileError(error: unknown, path: string, subject: FileSubject): unknown {
  return fileError(error, path, subject) ?? error;
}

/**
 * `mkdir -p` with mode 0700. Not mkdirSync's `recursive`: under /proc it retries ENOENT forever
 * (Node 20), where this fails at once.
 */
export function makeFolders(folder: string): void {
  const missing: string[] = [];
  for (let at = folder; statSync(at, { throwIfNoEntry: false }) === undefined; at = dirname(at)) missing.unshift(at);
  for (const at of missing) mkdirSync(at, { mode: 0o700 });
}

/**
 * Creates `path` (mode 0600) if it is missing, and checks that it is a regular file. Opened
 * non-blocking: a FIFO would otherwise wait for a reader forever.
 */
export function ensureRegularFile(path: string, subject: FileSubject): void {
  makeFolders(dirname(path));
  const fd = openSync(path, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_NONBLOCK, 0o600);
  try {
    if (!fstatSync(fd).isFile()) throw notRegularFile(path, subject);
  } finally {
    closeSync(fd);
  }
}

/** What replacing a path would replace: `target` is the file written, `existing` what is there now. */
export interface Replacement {
  target: string;
  existing?: Stats;
}

/**
 * Where writing `path` lands: `path` itself when nothing is there, else the regular file it is or
 * its symbolic links lead to (links are written through, never replaced). Anything else, a
 * folder, pipe, device, or a link to nothing, is refused.
 */
export function replacementOf(path: string, subject: FileSubject): Replacement {
  try {
    if (!lstatSync(path, { throwIfNoEntry: false })) return { target: path };
    const target = realpathSync(path);
    const existing = statSync(target);
    if (!existing.isFile()) throw notRegularFile(path, subject, existing.isDirectory() ? 'is a folder' : undefined);
    return { target, existing };
  } catch (error) {
    throw asFileError(error, path, subject);
  }
}

/**
 * Writes `replacement.target` whole or not at all: `fill` writes a new file (mode 0600) beside
 * it, which is then renamed over it. Errors name `path`, the user's name for it.
 */
export async function replaceFile(
  path: string,
  subject: FileSubject,
  replacement: Replacement,
  fill: (partial: string) => unknown,
): Promise<void> {
  const { target } = replacement;
  const partial = join(dirname(target), `.${basename(target)}.partial-${process.pid}`);
  let created = false;
  try {
    // O_EXCL: whatever already has this name is never written through.
    closeSync(openSync(partial, 'wx', 0o600));
    created = true;
    await fill(partial);
    renameSync(partial, target);
  } catch (error) {
    if (created) rmSync(partial, { force: true });
    throw asFileError(error, path, subject);
  }
}
