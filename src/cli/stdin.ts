/** Reading stdin for bulk create (a module of its own: node:stream is start-up time). */
import { addAbortSignal, type Readable } from 'node:stream';

/** The stream's text until it ends or the signal aborts (which ends it quietly). */
export async function* readUntilAborted(stream: Readable, signal: AbortSignal): AsyncGenerator<string> {
  stream.setEncoding('utf8');
  addAbortSignal(signal, stream);
  try {
    for await (const chunk of stream) yield chunk as string;
  } catch (error) {
    if (!signal.aborted) throw error;
  }
}
