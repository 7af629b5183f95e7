/**
 * stdout written with fs.write when it is a pipe, a socket or a file. For a pipe, Node makes
 * process.stdout a net.Socket, and loading net and the stream modules costs about 4 ms of every
 * call's start-up (`orgs list | jq`, a script capturing the output): as much as orgs' own work for
 * most commands. A terminal (isTTY, colour), or anything else, gets process.stdout as before.
 */
import { fstatSync, write } from 'node:fs';
import type { Sink } from './runtime.js';

let stdout: Sink | undefined;

/** process.stdout, or a DescriptorSink of fd 1 when it is a pipe, a socket or a file; one per process. */
export function processStdout(): Sink {
  stdout ??= isPipeOrFile(1) ? new DescriptorSink(1, () => process.stdout) : process.stdout;
  return stdout;
}

function isPipeOrFile(fd: number): boolean {
  // Windows pipes are another kind of handle (overlapped I/O, no EAGAIN): Node's own stream there.
  if (process.platform === 'win32') return false;
  try {
    const stats = fstatSync(fd);
    return stats.isFIFO() || stats.isSocket() || stats.isFile();
  } catch {
    // Closed (EBADF): whatever Node makes of it.
    return false;
  }
}

/**
 * Writes to a file descriptor in the order asked, one write at a time, each handed whole to the
 * operating system before its callback; a failed write (EPIPE: the reader went away) fails its
 * callback. A descriptor that another program left non-blocking answers EAGAIN when the pipe is
 * full: from then on `fallback` (process.stdout) writes, which waits for the reader to drain it.
 */
export class DescriptorSink implements Sink {
  readonly isTTY = false;
  private queue: Promise<void> = Promise.resolve();
  private fallback?: Sink;

  constructor(
    private readonly fd: number,
    private readonly openFallback: () => Sink,
  ) {}

  /** Every error comes through the callback of the write that met it: there is no other source. */
  on(): this {
    return this;
  }

  write(text: string | Uint8Array, callback: (error?: Error | null) => void): boolean {
    this.queue = this.queue.then(() => this.writeAll(Buffer.from(text))).then(() => callback(), callback);
    return true;
  }

  private async writeAll(data: Buffer): Promise<void> {
    let written = 0;
    while (written < data.length) {
      if (this.fallback) return writeTo(this.fallback, data.subarray(written));
      try {
        written += await writeSome(this.fd, data.subarray(written));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') throw error;
        this.fallback = this.openFallback();
        // Its errors reach the writes' callbacks; a stream's 'error' without a listener would throw.
        this.fallback.on('error', () => {});
      }
    }
  }
}

/** One fs.write; resolves to the bytes written, which may be fewer than asked (a non-blocking pipe nearly full). */
function writeSome(fd: number, data: Buffer): Promise<number> {
  return new Promise((resolve, reject) =>
    write(fd, data, 0, data.length, null, (error, bytesWritten) => (error ? reject(error) : resolve(bytesWritten))),
  );
}

function writeTo(sink: Sink, data: Buffer): Promise<void> {
  return new Promise((resolve, reject) => sink.write(data, (error) => (error ? reject(error) : resolve())));
}
