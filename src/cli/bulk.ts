/**
 * Bulk create from stdin, as a command runs it: results on stdout per committed batch, failures
 * on stderr, a live count on a terminal, Ctrl-C and a reader that went away honoured between
 * batches. Loaded only for bulk.
 */
import { addAbortSignal, type Readable } from 'node:stream';
import { type BulkTarget, createMany } from '../core/bulk.js';
import { canceled, OrgsError } from '../core/errors.js';
import type { OrganizationInput } from '../core/records.js';
import type { Context } from './context.js';
import { Progress } from './progress.js';

/** Input read at once, at most: a batch of about this much is one transaction (one commit, one fsync). */
const BATCH_BYTES = 1 << 18;

/**
 * The stream's bytes (the core decodes them) until it ends or the signal aborts (which ends it
 * quietly). What is already buffered joins the chunk in hand, so a fast producer gets batches of
 * up to BATCH_BYTES (few commits) while a slow one sees each line committed as it comes.
 */
async function* readUntilAborted(stream: Readable, signal: AbortSignal): AsyncGenerator<Uint8Array> {
  addAbortSignal(signal, stream);
  try {
    for await (const chunk of stream) {
      const chunks: Buffer[] = [chunk as Buffer];
      let size = chunks[0]!.length;
      for (let more: Buffer | null; size < BATCH_BYTES && (more = stream.read() as Buffer | null) !== null;) {
        chunks.push(more);
        size += more.length;
      }
      yield chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size);
    }
  } catch (error) {
    if (!signal.aborted) throw error;
  }
}

/** stdin; a file is read in large pieces (process.stdin reads 64 KiB at a time). */
async function input(ctx: Context): Promise<Readable> {
  const stdin = ctx.runtime.stdin;
  if (stdin.fd === undefined) return stdin;
  const { fstatSync, createReadStream } = await import('node:fs');
  if (!fstatSync(stdin.fd).isFile()) return stdin;
  return createReadStream('', { fd: stdin.fd, highWaterMark: BATCH_BYTES, autoClose: false });
}

export async function bulkCreate<R>(ctx: Context, target: BulkTarget<R>, flags: OrganizationInput): Promise<void> {
  // Ctrl-C stops reading; the batch in hand still commits and prints, then we exit 130.
  const interrupt = new AbortController();
  const stopListening = ctx.runtime.onInterrupt(() => interrupt.abort());
  const progress = new Progress(`${target.plural} created`, ctx.stderr, ctx.runtime.clock);
  let result;
  try {
    result = await createMany(
      await ctx.session(),
      target,
      readUntilAborted(await input(ctx), interrupt.signal),
      flags,
      {
        created: async (views) => {
          await ctx.output.printDocuments(views);
          progress.add(views.length);
          ctx.runtime.holdHeapDown();
        },
        failed: (position, id, error, line) =>
          ctx.output.note(error.within(`item ${position} (line ${line})${id === undefined ? '' : `, ${id}`}`).format()),
      },
      // A reader gone (`| head`) saw only committed batches; main then exits quietly.
      () => interrupt.signal.aborted || ctx.stdout.gone,
    );
  } finally {
    stopListening();
    progress.end();
  }
  if (interrupt.signal.aborted) {
    throw canceled(
      'cli',
      'interrupted',
      `interrupted; ${result.created} ${target.plural} were created and printed before it`,
    );
  }
  if (result.firstError) {
    // The exit code is that of the first failure's class.
    throw new OrgsError(
      result.firstError.errorClass,
      'bulk',
      'items_failed',
      `${result.failed} of ${result.created + result.failed} ${target.plural} failed, ${result.created} created`,
    );
  }
}
