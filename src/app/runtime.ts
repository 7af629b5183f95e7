/**
 * Everything orgs takes from the world outside it, as one value: a command runs against a
 * Runtime, never against `process` itself. bin/orgs.js passes the real process; tests pass their
 * own streams, environment and clock, and run the CLI in-process.
 */
import type { Readable } from 'node:stream';
import { processStdout } from './descriptor-sink.js';

/** What orgs writes to: process.stdout or stderr, a DescriptorSink (stdout), or a test's capture. */
export interface Sink {
  readonly isTTY?: boolean;
  write(data: string | Uint8Array, callback: (error?: Error | null) => void): unknown;
  /** A stream's 'error' event (EPIPE, EIO): without a listener it would throw. */
  on(event: 'error', listener: (error: Error) => void): unknown;
}

/** stdin: a readable stream, a terminal or not; `fd` when it is a real file descriptor. */
export type Source = Readable & { isTTY?: boolean; fd?: number };

export type Interruption = 'SIGINT' | 'SIGTERM';

export interface Runtime {
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The folder relative paths are taken from. */
  readonly cwd: string;
  readonly stdin: Source;
  readonly stdout: Sink;
  /** A stream: a prompt's readline writes to it too. */
  readonly stderr: Sink & NodeJS.WritableStream;
  /** Milliseconds since the epoch, as Date.now. */
  readonly clock: () => number;
  /** Calls `handler` once on the first of these signals; returns a function that stops listening. */
  onInterrupt(handler: () => void, signals?: readonly Interruption[]): () => void;
  /**
   * Called as a command that runs long and allocates steadily goes (bulk create, each batch): keeps
   * the process's memory near what it holds rather than near what it has thrown away.
   */
  holdHeapDown(): void;
}

/**
 * V8's defaults suit a process that keeps what it allocates: its young generation grows to 32 MiB
 * while objects survive (a batch's do, until it commits) and its old generation to up to four times
 * what the last full collection kept. A bulk create keeps one batch, a few MiB, and throws away the
 * whole input: it held 125 to 165 MiB at 1,000,000 lines, and 100 MiB with the young generation
 * stopped at 16 MiB and the old one at 1.5 times (and SQLite's page cache at 4 MiB), no slower
 * (10,000 lines 9 % faster: memory touched for the first time costs page faults). Both flags are
 * read as V8 goes, so setting them here takes effect (and a growth factor below 2 only here: V8
 * raises it to 2 at start).
 */
const YOUNG_GENERATION_BYTES = 16 << 20;

/** Which flags are set: none, the old generation's (first call), or the young one's too (once it is large). */
let heapHeld: 'no' | 'old' | 'both' = 'no';

function holdHeapDown(): void {
  if (heapHeld === 'both') return;
  const v8 = process.getBuiltinModule('node:v8');
  if (heapHeld === 'no') v8.setFlagsFromString('--heap-growing-percent=50');
  heapHeld = 'old';
  const young = v8.getHeapSpaceStatistics().find((space) => space.space_name === 'new_space');
  if (young && young.space_size >= YOUNG_GENERATION_BYTES) {
    v8.setFlagsFromString('--semi-space-growth-factor=1');
    heapHeld = 'both';
  }
}

/** The real process. */
export function processRuntime(): Runtime {
  return {
    env: process.env,
    cwd: process.cwd(),
    get stdin() {
      // process.stdin costs start-up time: it is made only when a command reads it.
      return process.stdin;
    },
    get stdout() {
      return processStdout();
    },
    get stderr() {
      return process.stderr;
    },
    clock: Date.now,
    onInterrupt(handler, signals = ['SIGINT']) {
      const once = () => {
        stop();
        handler();
      };
      const stop = () => signals.forEach((signal) => process.off(signal, once));
      signals.forEach((signal) => process.once(signal, once));
      return stop;
    },
    holdHeapDown,
  };
}
