/**
 * The registry file that `plan` and `apply` take (REGISTRY.md), read as text: a file, or stdin for
 * `-`. What cannot be one is refused before it is read whole: a folder, a pipe or device (opened
 * without waiting for a writer), more than 64 MiB; then bytes that are not UTF-8.
 */
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { resolve } from 'node:path';
import { invalidArgument, type OrgsError } from '../core/errors.js';
import { StrictUtf8Decoder } from '../core/utf8.js';
import { fileError } from '../store/errors.js';
import type { Runtime } from './runtime.js';

export const MAX_REGISTRY_BYTES = 64 * 1024 * 1024;

/** How errors name stdin, in place of a file name. */
const STDIN_NAME = 'stdin';

const refused = (file: string, what: string): OrgsError =>
  invalidArgument('registry', 'invalid_registry', `${file} ${what}`);

const tooLarge = (file: string) => refused(file, `is larger than ${MAX_REGISTRY_BYTES / 1024 / 1024} MiB`);

/** The text of the registry file at `path` (relative to the runtime's folder), and its name for errors. */
export async function readRegistryFile(path: string, runtime: Runtime): Promise<{ text: string; file: string }> {
  if (path === '-') return { text: decode(await readAtMost(runtime.stdin, STDIN_NAME), STDIN_NAME), file: STDIN_NAME };
  let handle;
  try {
    handle = await open(resolve(runtime.cwd, path), constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    throw fileError(error, path, 'registry', 'read') ?? error;
  }
  try {
    const stats = await handle.stat();
    if (stats.isDirectory()) throw refused(path, 'is a folder, not a registry file');
    if (!stats.isFile())
      throw refused(path, 'is not a regular file (a pipe, socket or device); give a file, or - for stdin');
    if (stats.size > MAX_REGISTRY_BYTES) throw tooLarge(path);
    return { text: decode(await handle.readFile(), path), file: path };
  } catch (error) {
    throw fileError(error, path, 'registry', 'read') ?? error;
  } finally {
    await handle.close();
  }
}

/** Every byte of stdin, failing (and no longer reading) past the limit. */
async function readAtMost(stream: AsyncIterable<Uint8Array>, file: string): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of stream) {
    size += chunk.byteLength;
    if (size > MAX_REGISTRY_BYTES) throw tooLarge(file);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, size);
}

/** UTF-8 text, without a leading byte order mark; anything else is refused at its first byte that is not UTF-8. */
function decode(bytes: Buffer, file: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    // StrictUtf8Decoder marks each byte that is not UTF-8 as a lone low surrogate (U+DC80 to U+DCFF).
    const decoder = new StrictUtf8Decoder();
    const text = decoder.decode(bytes) + decoder.end();
    const at = text.search(/(?<![\ud800-\udbff])[\udc80-\udcff]/);
    const line = text.slice(0, at).split('\n').length;
    const column = at - text.lastIndexOf('\n', at - 1);
    const byte = text.charCodeAt(at) & 0xff;
    throw invalidArgument(
      'registry',
      'invalid_registry',
      `${file}:${line}:${column}: not UTF-8 text (byte 0x${byte.toString(16).padStart(2, '0')})`,
    );
  }
}
