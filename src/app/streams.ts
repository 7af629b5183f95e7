/**
 * The one owner of the runtime's stdout and stderr: every byte orgs prints goes through here.
 * A reader that goes away (`orgs list | head -1`) is a state, not a crash: the stream's error is
 * taken, later writes are dropped, bulk create stops between batches, and main exits quietly as
 * git and grep do. On stderr, a live line (bulk progress) is erased before anything else shows.
 */

/** What a reader that went away makes of orgs: the exit code of a process ended by SIGPIPE. */
export const READER_GONE_EXIT_CODE = 128 + 13;

import type { Runtime, Sink } from './runtime.js';

type Target = Sink;

export class OutputStream {
  private opened?: Target;
  private closed = false;

  /** The stream is opened on first use: process.stdout costs start-up time only when used. */
  constructor(private readonly open: () => Target) {}

  private get target(): Target {
    if (!this.opened) {
      this.opened = this.open();
      // EPIPE (the reader went away), EIO (the terminal closed): nothing more can be shown.
      this.opened.on('error', () => (this.closed = true));
    }
    return this.opened;
  }

  get isTTY(): boolean {
    return this.target.isTTY === true;
  }

  /** The reader went away: nothing written from now on would be read. */
  get gone(): boolean {
    return this.closed;
  }

  /**
   * Resolves once the text is with the operating system or the reader is known to be gone, so
   * that a caller who waits writes no faster than the reader reads and sees `gone` in time.
   */
  write(text: string): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) =>
      this.target.write(text, (error) => {
        if (error) this.closed = true;
        resolve();
      }),
    );
  }
}

/** stderr: lines for a person, and at most one live line (progress) redrawn in place below them. */
export class ErrorStream extends OutputStream {
  private liveShown = false;

  /** Draws the live line in place of the previous one. */
  live(text: string): void {
    void super.write(`\r\u001b[K${text}`);
    this.liveShown = true;
  }

  /** Erases the live line, if one is shown; the next live() draws it again. */
  endLive(): void {
    if (!this.liveShown) return;
    this.liveShown = false;
    void super.write('\r\u001b[K');
  }

  override write(text: string): Promise<void> {
    this.endLive();
    return super.write(text);
  }
}

class ResultStream extends OutputStream {
  constructor(
    open: () => Target,
    private readonly stderr: ErrorStream,
  ) {
    super(open);
  }

  override write(text: string): Promise<void> {
    // stdout on a terminal is most likely stderr's terminal too: results must not land on the live line.
    if (this.isTTY) this.stderr.endLive();
    return super.write(text);
  }
}

export interface Streams {
  stdout: OutputStream;
  stderr: ErrorStream;
}

/** The runtime's stdout and stderr, each opened on first use. */
export function streamsOf(runtime: Pick<Runtime, 'stdout' | 'stderr'>): Streams {
  const stderr = new ErrorStream(() => runtime.stderr);
  return { stderr, stdout: new ResultStream(() => runtime.stdout, stderr) };
}
